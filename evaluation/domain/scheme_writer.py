"""A grading scheme written back as a file a planning section edits and uploads again: TOML with comments
(what each key means, each rule in words), or JSON. scheme_files.loads reads either back to an equal
scheme: numbers are written exactly as the scheme holds them (integers as integers, 99.95 as 99.95, a
share as 「2/3」), never through a float.

tomli-w writes each value (its quoting and escapes); the tables, their order and the comments are laid
out here, in the order the presets are written (top keys, labels, states, rules, roll-up). No Django.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from fractions import Fraction

import tomli_w

from evaluation.domain import numbers, scheme_files, scheme_text
from evaluation.domain.grading import GradingScheme

TOML, JSON = "toml", "json"
FORMATS = (TOML, JSON)
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_NUMBERS = {"points", "value", "band_percent", "band_points", "survey_band_points", "at_least"}

_HEADER = {
    "ja": (
        "評価基準ファイル（TOML、UTF-8）{plan}: 「{name}」。",
        "数値（value、band_percent、band_points、survey_band_points、at_least）を書き換えたら、評価ルールの画面",
        "（年度の管理 → 評価ルール）でアップロードしてプレビューするか、",
        "manage.py grading_scheme --plan 計画名 --use このファイル で使います。書き方は docs/grading-schemes.md。",
        "自分の市の基準にするときは key・name・source・choices も書き換えてください。",
    ),
    "en": (
        "A grading scheme file (TOML, UTF-8){plan}: 「{name}」.",
        "Change its figures (value, band_percent, band_points, survey_band_points, at_least), then upload it on",
        "the grading rule page (evaluation years → grading rule) to preview it, or use it with",
        "manage.py grading_scheme --plan NAME --use THIS_FILE. docs/grading-schemes.md describes the file.",
        "For your own city's scheme, change key, name, source and choices too.",
    ),
}
_OF_PLAN = {"ja": "、計画「{plan}」の評価基準", "en": " of the plan 「{plan}」"}
_KEYS = {
    "ja": {
        "key": "短い名前（英数字）",
        "name": "画面に表示する名前",
        "name_en": "英語の画面での名前",
        "source": "出典：公表されている評価基準の所在",
        "choices": "公表文があいまいな点をどう決めたか（choices_en は英語）",
        "measure": "ratio: 実績÷目標（低いほど良い指標は目標÷実績）、progress: 現況値から目標への進捗、"
        "none: 数値を計算せず目標値・現況値と比べる",
        "rounding": "half_up（四捨五入）または down（切り捨て）",
        "decimals": "達成状況の小数の桁数（0〜3）。評価は印刷するこの値で判定",
        "labels": "評価の記号（良い順）。reason = true は理由の記入が必要、points は平均点による総合評価の点",
        "states": "数値の代わりに入力できる状態。open = true は後で数値を報告、note = true は理由が必要、"
        "label は評価欄に印刷する記号",
        "rules": "上から順に判定し、最初に当てはまる規則が評価を決める",
        "rollup": "施策（と柱）の総合評価。kind: none、worst、share（met の評価の割合）、points（平均点）",
    },
    "en": {
        "key": "a short name (letters and digits)",
        "name": "the name shown on the screens",
        "name_en": "the name on the English screens",
        "source": "where the scheme is published",
        "choices": "what was chosen where the published text is ambiguous (choices_en: in English)",
        "measure": "ratio: actual ÷ target (target ÷ actual where lower is better); progress: from the baseline "
        "to the target; none: no figure, the actual is compared with the target and the baseline",
        "rounding": "half_up or down",
        "decimals": "the achievement's decimals (0 to 3); the grade reads the printed figure",
        "labels": "the grade labels, best first; reason = true: a written reason is required; points: for a "
        "roll-up by mean points",
        "states": "entered instead of a figure; open = true: the figure comes later; note = true: a note is "
        "required; label: printed in the grade column",
        "rules": "read in order: the first rule that holds gives the grade",
        "rollup": "a policy area's (and a pillar's) overall grade; kind: none, worst, share (of the labels in "
        "met), points (the mean)",
    },
}


def dumps(scheme: GradingScheme, fmt: str = TOML, *, lang: str = "ja", plan: str = "") -> str:
    """The scheme as the text of a TOML (with comments in `lang`) or JSON file."""
    if fmt == JSON:
        return json.dumps(scheme_files.to_data(scheme), ensure_ascii=False, indent=2) + "\n"
    return dumps_toml(scheme, lang=lang, plan=plan)


def dumps_toml(scheme: GradingScheme, *, lang: str = "ja", plan: str = "") -> str:
    lang = "en" if lang.startswith("en") else "ja"
    words = _KEYS[lang]
    data = scheme_files.to_data(scheme)
    of_plan = _OF_PLAN[lang].format(plan=plan) if plan else ""
    chunks = [_comment("\n".join(_HEADER[lang]).format(plan=of_plan, name=scheme.name)), "\n"]
    for key, value in data.items():
        if isinstance(value, list | dict):
            continue
        if key in words:
            chunks.append(_comment(f"{key}: {words[key]}"))
        chunks.append(_lines({key: value}))
    for section in ("labels", "states", "rules"):
        if not data[section]:
            continue
        chunks.append("\n" + _comment(f"{section}: {words[section]}"))
        for index, row in enumerate(data[section]):
            chunks.append("\n")
            if section == "rules":
                words_of_rule = scheme_text.rule_words(scheme, index, lang)
                chunks.append(_comment(f"rules[{index + 1}]: {row['label']} — {words_of_rule}"))
            chunks.append(f"[[{section}]]\n{_lines(row)}")
    if "rollup" in data:
        rollup = dict(data["rollup"])
        bands = rollup.pop("labels", [])
        text = scheme_text.rollup_text(scheme, lang)
        chunks.append("\n" + _comment(f"rollup: {words['rollup']}\n{text}".strip()))
        chunks.append(f"[rollup]\n{_lines(rollup)}")
        for band in bands:
            chunks.append(f"\n[[rollup.labels]]\n{_lines(band)}")
    return "".join(chunks)


def _comment(text: str) -> str:
    """`# ` lines; a line break or another control character in a name becomes a space, so a comment
    never ends early and turns the rest of a name into TOML."""
    return "".join(f"# {_CONTROL.sub(' ', line)}\n" for line in text.split("\n"))


def _lines(row: dict) -> str:
    """`key = value` lines of one table; the numbers to_data keeps as exact strings written as numbers."""
    return tomli_w.dumps({key: _number(value) if key in _NUMBERS else value for key, value in row.items()})


def _number(text: str):
    """An integer as an integer (「100」), any other decimal as written (「99.95」), a share that is no
    decimal as its fraction in a string (「"2/3"」, which scheme_files reads back)."""
    value = numbers.exact_decimal(Fraction(text)) if "/" in text else Decimal(text)
    if value is None:
        return text
    return int(value) if value == value.to_integral_value() else value
