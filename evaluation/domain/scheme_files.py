"""Grading schemes as files: read (TOML or JSON), checked, written back; and the presets shipped with
the product (evaluation/grading_schemes/*.toml, each citing its published source).

A scheme a planning section writes is refused with every problem found at once, each naming where it
is (「rules[3].value」) and with a code the importer, the command and the admin turn into a sentence
(domain.messages.SCHEME_MESSAGES). Numbers are read as Decimal (TOML's and JSON's floats included: never
a float), a roll-up's share may be a fraction (「2/3」). No Django import.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import re
import tomllib
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from pathlib import Path

from evaluation.domain import grading
from evaluation.domain.grading import GradingScheme, Label, Rollup, RollupBand, Rule, State
from evaluation.domain.numbers import ACHIEVEMENT, format_number

PRESETS_DIR = Path(__file__).resolve().parent.parent / "grading_schemes"
DEFAULT_PRESET = "setagaya"
LABEL_MAX_LENGTH = 8  # the database's grade columns (models.GRADE_MAX_LENGTH)
STATE_CODE = re.compile(r"^[a-z][a-z0-9_]{0,19}$")
RESERVED_STATES = ("empty", "number", "text")  # the actual's other kinds (ActualState)
MAX_FILE_BYTES = 64 * 1024

_TOP_KEYS = {"key", "name", "name_en", "source", "choices", "choices_en", "measure", "rounding", "decimals"}
_TOP_KEYS |= {"labels", "states", "rules", "rollup"}
_LABEL_KEYS = {"code", "meaning", "meaning_en", "reason", "points"}
_STATE_KEYS = {"code", "name", "name_en", "open", "note", "label"}
_RULE_KEYS = {"label", "when", "op", "value", "band_percent", "band_points", "survey_band_points"}
_ROLLUP_KEYS = {"kind", "met", "labels"}
_BAND_KEYS = {"code", "at_least", "meaning", "meaning_en"}


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a scheme file: where (「rules[2].op」, 1-based), a code, its parameters."""

    where: str
    code: str
    params: dict = field(default_factory=dict)


class SchemeInvalid(ValueError):
    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(f"{p.where}: {p.code}" for p in problems))
        self.problems = problems


# --- reading -----------------------------------------------------------------------------------------
def loads(text: str, fmt: str) -> GradingScheme:
    """A scheme from the text of a TOML or JSON file; SchemeInvalid lists what is wrong."""
    if len(text.encode()) > MAX_FILE_BYTES:
        raise SchemeInvalid([Problem("", "file_too_large", {"limit": MAX_FILE_BYTES // 1024})])
    try:
        parse_text = json.loads if fmt == "json" else tomllib.loads
        data = parse_text(text, parse_float=Decimal)
    except (ValueError, RecursionError) as error:
        raise SchemeInvalid([Problem("", "unreadable", {"format": fmt.upper(), "error": str(error)[:200]})]) from None
    return parse(data)


def load_path(path: Path) -> GradingScheme:
    fmt = "json" if path.suffix.lower() == ".json" else "toml"
    return loads(path.read_text(encoding="utf-8"), fmt)


def preset_names() -> list[str]:
    return sorted(path.stem for path in PRESETS_DIR.glob("*.toml"))


@functools.cache
def preset(name: str) -> GradingScheme:
    """A shipped preset by its name (setagaya, nagayo, …); KeyError when there is none."""
    if name not in preset_names():
        raise KeyError(name)
    return load_path(PRESETS_DIR / f"{name}.toml")


def default_scheme() -> GradingScheme:
    """Setagaya's, today's behaviour: a plan's scheme until it chooses another."""
    return preset(DEFAULT_PRESET)


def presets() -> list[GradingScheme]:
    return [preset(name) for name in preset_names()]


class _Reader:
    """Collects the problems of one scheme while building it."""

    def __init__(self):
        self.problems: list[Problem] = []

    def add(self, where: str, problem: str, **params) -> None:
        self.problems.append(Problem(where, problem, params))

    def table(self, value, where: str, keys: set[str]) -> dict:
        if not isinstance(value, dict):
            self.add(where, "not_a_table")
            return {}
        for key in sorted(set(value) - keys):
            self.add(_at(where, key), "unknown_key", key=key)
        return value

    def text(self, data: dict, key: str, where: str, *, required=False, max_length=200) -> str:
        value = data.get(key, "")
        if not isinstance(value, str):
            self.add(_at(where, key), "not_text")
            return ""
        value = value.strip()
        if required and not value:
            self.add(_at(where, key), "missing", key=key)
        elif len(value) > max_length:
            self.add(_at(where, key), "too_long", limit=max_length)
        return value

    def flag(self, data: dict, key: str, where: str) -> bool:
        value = data.get(key, False)
        if not isinstance(value, bool):
            self.add(_at(where, key), "not_a_flag")
            return False
        return value

    def choice(self, data: dict, key: str, where: str, choices, default: str) -> str:
        value = data.get(key, default)
        if value not in choices:
            self.add(_at(where, key), "bad_choice", value=str(value), choices="、".join(choices))
            return default
        return value

    def number(self, data: dict, key: str, where: str, *, required=False) -> Decimal | None:
        if key not in data:
            if required:
                self.add(_at(where, key), "missing", key=key)
            return None
        value = data[key]
        if isinstance(value, bool) or not isinstance(value, int | Decimal | str):
            self.add(_at(where, key), "not_a_number", value=str(value))
            return None
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite():
            self.add(_at(where, key), "not_a_number", value=str(value))
            return None
        return number

    def share(self, data: dict, key: str, where: str) -> Fraction | None:
        value = data.get(key)
        if value is None:
            self.add(_at(where, key), "missing", key=key)
            return None
        try:
            if isinstance(value, str) and "/" in value:
                return Fraction(value.strip())
            return Fraction(self.number(data, key, where) or 0) if not isinstance(value, bool) else None
        except (ValueError, ZeroDivisionError):
            self.add(_at(where, key), "not_a_number", value=str(value))
            return None

    def rows(self, data: dict, key: str, *, required=True) -> list:
        value = data.get(key, [])
        if not isinstance(value, list):
            self.add(key, "not_a_list")
            return []
        if required and not value:
            self.add(key, "missing", key=key)
        return value


def _at(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def parse(data) -> GradingScheme:
    """A scheme from the data of a file (a dict as TOML or JSON gives it); SchemeInvalid lists every
    problem found."""
    reader = _Reader()
    top = reader.table(data, "", _TOP_KEYS)
    labels = _labels(reader, top)
    states = _states(reader, top, labels)
    measure = reader.choice(top, "measure", "", grading.MEASURES, grading.RATIO)
    rules = _rules(reader, top, labels, states, measure)
    decimals = reader.number(top, "decimals", "")
    if decimals is not None and (decimals != int(decimals) or not 0 <= decimals <= ACHIEVEMENT.decimal_places):
        reader.add("decimals", "bad_decimals", limit=ACHIEVEMENT.decimal_places)
        decimals = None
    scheme = GradingScheme(
        labels=tuple(labels),
        rules=tuple(rules),
        states=tuple(states),
        measure=measure,
        rounding=reader.choice(top, "rounding", "", (grading.HALF_UP, grading.DOWN), grading.HALF_UP),
        decimals=int(decimals) if decimals is not None else 1,
        rollup=_rollup(reader, top, labels, states),
        key=reader.text(top, "key", "", required=True, max_length=40),
        name=reader.text(top, "name", "", required=True),
        name_en=reader.text(top, "name_en", ""),
        source=reader.text(top, "source", "", max_length=2000),
        choices=reader.text(top, "choices", "", max_length=4000),
        choices_en=reader.text(top, "choices_en", "", max_length=4000),
    )
    if not reader.problems:
        _check_rules(reader, scheme)
    if reader.problems:
        raise SchemeInvalid(reader.problems)
    return scheme


def _labels(reader: _Reader, top: dict) -> list[Label]:
    labels, seen = [], set()
    for index, row in enumerate(reader.rows(top, "labels"), start=1):
        where = f"labels[{index}]"
        row = reader.table(row, where, _LABEL_KEYS)
        code = reader.text(row, "code", where, required=True, max_length=LABEL_MAX_LENGTH)
        if code in seen:
            reader.add(_at(where, "code"), "duplicate", code=code)
        seen.add(code)
        labels.append(
            Label(
                code=code,
                meaning=reader.text(row, "meaning", where),
                meaning_en=reader.text(row, "meaning_en", where),
                reason=reader.flag(row, "reason", where),
                points=reader.number(row, "points", where),
            )
        )
    return labels


def _states(reader: _Reader, top: dict, labels: list[Label]) -> list[State]:
    codes = {label.code for label in labels}
    states, seen = [], set()
    for index, row in enumerate(reader.rows(top, "states", required=False), start=1):
        where = f"states[{index}]"
        row = reader.table(row, where, _STATE_KEYS)
        code = reader.text(row, "code", where, required=True, max_length=20)
        if code and (not STATE_CODE.match(code) or code in RESERVED_STATES):
            reader.add(_at(where, "code"), "bad_state_code", code=code)
        if code in seen:
            reader.add(_at(where, "code"), "duplicate", code=code)
        seen.add(code)
        label = reader.text(row, "label", where, max_length=LABEL_MAX_LENGTH)
        if label and label not in codes:
            reader.add(_at(where, "label"), "unknown_label", code=label)
        states.append(
            State(
                code=code,
                name=reader.text(row, "name", where, required=True, max_length=20),
                name_en=reader.text(row, "name_en", where, max_length=40),
                open=reader.flag(row, "open", where),
                note=reader.flag(row, "note", where),
                label=label,
            )
        )
    return states


def _rules(reader: _Reader, top: dict, labels: list[Label], states: list[State], measure: str) -> list[Rule]:
    codes = {label.code for label in labels}
    state_labels = {state.label for state in states if state.label}
    rules = []
    for index, row in enumerate(reader.rows(top, "rules"), start=1):
        where = f"rules[{index}]"
        row = reader.table(row, where, _RULE_KEYS)
        label = reader.text(row, "label", where, required=True, max_length=LABEL_MAX_LENGTH)
        if label and label not in codes:
            reader.add(_at(where, "label"), "unknown_label", code=label)
        elif label in state_labels:
            reader.add(_at(where, "label"), "state_label_in_rule", code=label)
        when = reader.choice(row, "when", where, grading.RULE_KINDS, grading.WHEN_ALWAYS)
        if "when" not in row:
            reader.add(_at(where, "when"), "missing", key="when")
        rule = Rule(
            label=label,
            when=when,
            op=reader.choice(row, "op", where, grading.OPERATORS, ">="),
            value=reader.number(row, "value", where, required=when == grading.WHEN_MEASURE),
            band_percent=reader.number(row, "band_percent", where),
            band_points=reader.number(row, "band_points", where),
            survey_band_points=reader.number(row, "survey_band_points", where),
        )
        _check_rule_keys(reader, where, row, rule, measure)
        rules.append(rule)
    return rules


def _check_rule_keys(reader: _Reader, where: str, row: dict, rule: Rule, measure: str) -> None:
    """Keys that mean nothing for the rule's kind are refused rather than ignored."""
    allowed = {"label", "when"}
    if rule.when == grading.WHEN_MEASURE:
        allowed |= {"op", "value"}
        if measure == grading.NO_MEASURE:
            reader.add(_at(where, "when"), "measure_rule_without_measure")
    elif rule.when == grading.WHEN_TARGET:
        allowed |= {"op"}
    elif rule.when == grading.WHEN_BASELINE:
        allowed |= {"op", "band_percent", "band_points", "survey_band_points"}
        if rule.band_percent is not None and rule.band_points is not None:
            reader.add(_at(where, "band_points"), "two_bands")
        for key in ("band_percent", "band_points", "survey_band_points"):
            if getattr(rule, key) is not None and getattr(rule, key) < 0:
                reader.add(_at(where, key), "negative_band")
    for key in sorted(set(row) & (_RULE_KEYS - allowed)):
        reader.add(_at(where, key), "key_not_for_rule", key=key, when=rule.when)


def _rollup(reader: _Reader, top: dict, labels: list[Label], states: list[State]) -> Rollup:
    if "rollup" not in top:
        return Rollup()
    data = reader.table(top["rollup"], "rollup", _ROLLUP_KEYS)
    kind = reader.choice(data, "kind", "rollup", grading.ROLLUP_KINDS, grading.ROLLUP_NONE)
    graded = [label for label in labels if label.code not in {state.label for state in states}]
    met: tuple[str, ...] = ()
    if kind == grading.ROLLUP_SHARE:
        met_data = data.get("met", [])
        if not isinstance(met_data, list) or not met_data:
            reader.add("rollup.met", "missing", key="met")
            met_data = []
        met = tuple(str(code) for code in met_data)
        for code in met:
            if code not in {label.code for label in graded}:
                reader.add("rollup.met", "unknown_label", code=code)
    elif "met" in data:
        reader.add("rollup.met", "key_not_for_rollup", key="met", kind=kind)
    if kind == grading.ROLLUP_POINTS:
        for index, label in enumerate(labels, start=1):
            if label in graded and label.points is None:
                reader.add(f"labels[{index}].points", "missing_points", code=label.code)
    bands = []
    if kind in (grading.ROLLUP_SHARE, grading.ROLLUP_POINTS):
        for index, row in enumerate(reader.rows(data, "labels"), start=1):
            where = f"rollup.labels[{index}]"
            row = reader.table(row, where, _BAND_KEYS)
            bands.append(
                RollupBand(
                    code=reader.text(row, "code", where, required=True, max_length=20),
                    at_least=reader.share(row, "at_least", where) or Fraction(0),
                    meaning=reader.text(row, "meaning", where),
                    meaning_en=reader.text(row, "meaning_en", where),
                )
            )
        _check_bands(reader, bands, kind, graded)
    elif "labels" in data:
        reader.add("rollup.labels", "key_not_for_rollup", key="labels", kind=kind)
    return Rollup(kind=kind, met=met, bands=tuple(bands))


def _check_bands(reader: _Reader, bands: list[RollupBand], kind: str, graded: list[Label]) -> None:
    for index in range(1, len(bands)):
        if bands[index].at_least >= bands[index - 1].at_least:
            reader.add(f"rollup.labels[{index + 1}].at_least", "bands_not_descending")
    codes = [band.code for band in bands]
    for index, code in enumerate(codes, start=1):
        if code in codes[: index - 1]:
            reader.add(f"rollup.labels[{index}].code", "duplicate", code=code)
    if kind == grading.ROLLUP_SHARE:
        lowest = Fraction(0)
    else:
        lowest = min((Fraction(label.points) for label in graded if label.points is not None), default=Fraction(0))
    if bands and bands[-1].at_least > lowest:
        reader.add(f"rollup.labels[{len(bands)}].at_least", "bands_incomplete", lowest=str(lowest))


def _check_rules(reader: _Reader, scheme: GradingScheme) -> None:
    """Contradictions: a rule no figure can reach (after 'always', or under an earlier rule of the same
    kind), and gaps: a figure that no rule grades."""
    rules = scheme.rules
    for index, rule in enumerate(rules, start=1):
        for earlier_index, earlier in enumerate(rules[: index - 1], start=1):
            if _covers(earlier, rule):
                reader.add(f"rules[{index}]", "unreachable", earlier=earlier_index)
                break
    if not _complete(rules):
        reader.add("rules", "incomplete")


_UPPER, _LOWER = (">=", ">"), ("<=", "<")


def _covers(earlier: Rule, rule: Rule) -> bool:
    """Every case `rule` holds for, `earlier` already holds for (so `rule` never gives its label)."""
    if earlier.when == grading.WHEN_ALWAYS:
        return True
    if earlier.when != rule.when or rule.when == grading.WHEN_ALWAYS:
        return False
    if rule.when == grading.WHEN_MEASURE:
        left, right = earlier.value, rule.value
    elif rule.when == grading.WHEN_TARGET:
        left = right = Decimal(0)
    else:
        if _band_key(earlier) != _band_key(rule):
            return False
        left, right = -_band_value(earlier), -_band_value(rule)
    if earlier.op in _UPPER and rule.op in _UPPER:
        return right > left or (right == left and (earlier.op == ">=" or rule.op == ">"))
    if earlier.op in _LOWER and rule.op in _LOWER:
        return right < left or (right == left and (earlier.op == "<=" or rule.op == "<"))
    return False


def _band_key(rule: Rule) -> tuple:
    return (rule.band_percent is not None, rule.survey_band_points)


def _band_value(rule: Rule) -> Decimal:
    return rule.band_points if rule.band_points is not None else (rule.band_percent or Decimal(0))


def _complete(rules: tuple[Rule, ...]) -> bool:
    """Every gradable figure gets a label: a rule 'always', or rules of one kind covering every value
    (「≥ 50」 and 「< 50」)."""
    if any(rule.when == grading.WHEN_ALWAYS for rule in rules):
        return True
    for when in (grading.WHEN_MEASURE, grading.WHEN_TARGET):
        ups = [r for r in rules if r.when == when and r.op in _UPPER]
        downs = [r for r in rules if r.when == when and r.op in _LOWER]
        if ups and downs:
            value = (lambda r: r.value) if when == grading.WHEN_MEASURE else (lambda r: Decimal(0))
            low = min(ups, key=lambda r: (value(r), r.op == ">"))
            high = max(downs, key=lambda r: (value(r), r.op == "<="))
            if value(high) > value(low) or (value(high) == value(low) and (low.op == ">=" or high.op == "<=")):
                return True
    return False


# --- writing -----------------------------------------------------------------------------------------
def _plain(value):
    if isinstance(value, Decimal | Fraction):
        return str(value)
    return value


def to_data(scheme: GradingScheme) -> dict:
    """The scheme as JSON-safe data (numbers as exact strings): what a plan and a closed year keep, and
    what parse() reads back to the same scheme."""
    data = {
        "key": scheme.key,
        "name": scheme.name,
        "name_en": scheme.name_en,
        "source": scheme.source,
        "choices": scheme.choices,
        "choices_en": scheme.choices_en,
        "measure": scheme.measure,
        "rounding": scheme.rounding,
        "decimals": scheme.decimals,
        "labels": [_row(label, ("code", "meaning", "meaning_en", "reason", "points")) for label in scheme.labels],
        "states": [_row(state, ("code", "name", "name_en", "open", "note", "label")) for state in scheme.states],
        "rules": [_rule_row(rule) for rule in scheme.rules],
    }
    rollup = scheme.rollup
    if rollup.kind != grading.ROLLUP_NONE:
        data["rollup"] = {"kind": rollup.kind}
        if rollup.kind == grading.ROLLUP_SHARE:
            data["rollup"]["met"] = list(rollup.met)
        if rollup.bands:
            data["rollup"]["labels"] = [
                _row(band, ("code", "at_least", "meaning", "meaning_en")) for band in rollup.bands
            ]
    return data


def _row(obj, keys) -> dict:
    row = {}
    for key in keys:
        value = getattr(obj, key)
        if value is None or value == "" or value is False and key not in ("open",):
            continue
        row[key] = _plain(value)
    return row


def _rule_row(rule: Rule) -> dict:
    row = {"label": rule.label, "when": rule.when}
    if rule.when != grading.WHEN_ALWAYS:
        row["op"] = rule.op
    for key in ("value", "band_percent", "band_points", "survey_band_points"):
        if getattr(rule, key) is not None:
            row[key] = _plain(getattr(rule, key))
    return row


# {id(data): (data, scheme)}: a scheme's data is read once, however many rows carry it (the data is kept
# in the entry, so its id is not reused while it is there).
_BY_IDENTITY: dict[int, tuple[dict, GradingScheme]] = {}
_BY_IDENTITY_MAX = 256


def from_data(data: dict | None) -> GradingScheme:
    """The scheme a plan or a closed year keeps (to_data's output); Setagaya's when there is none.
    Read once per distinct scheme in a process (a frozen value: safe to share); the data must not be
    changed in place afterwards (a plan's scheme is replaced, never edited: services.regrading)."""
    if not data:
        return default_scheme()
    hit = _BY_IDENTITY.get(id(data))
    if hit is not None and hit[0] is data:
        return hit[1]
    scheme = _parsed(json.dumps(data, sort_keys=True, ensure_ascii=False))
    if len(_BY_IDENTITY) >= _BY_IDENTITY_MAX:
        _BY_IDENTITY.clear()
    _BY_IDENTITY[id(data)] = (data, scheme)
    return scheme


def shared_data(text: str) -> dict:
    """A scheme's data as stored (JSON text), decoded once per distinct text in a process: every row that
    carries the same scheme gets the same (read-only) dict, which from_data() then reads once."""
    return _decoded(text)


@functools.lru_cache(maxsize=64)
def _decoded(text: str) -> dict:
    return json.loads(text)


@functools.lru_cache(maxsize=64)
def _parsed(text: str) -> GradingScheme:
    return parse(json.loads(text))


def setagaya_with(**changes) -> GradingScheme:
    """Setagaya's scheme with its thresholds, measure, rounding or decimals changed (with_thresholds)."""
    return with_thresholds(None, **changes)


def is_threshold_scheme(scheme: GradingScheme) -> bool:
    """A–D by 「≤ d → D, ≥ a → A, ≥ b → B, otherwise C」 over a figure: the shape the grading settings form
    edits (Setagaya's, the product's settings before schemes were data)."""
    shape = [(rule.label, rule.when, rule.op if rule.when != grading.WHEN_ALWAYS else "") for rule in scheme.rules]
    return scheme.measure in (grading.RATIO, grading.PROGRESS) and shape == [
        ("D", grading.WHEN_MEASURE, "<="),
        ("A", grading.WHEN_MEASURE, ">="),
        ("B", grading.WHEN_MEASURE, ">="),
        ("C", grading.WHEN_ALWAYS, ""),
    ]


def thresholds_of(scheme: GradingScheme | None) -> dict:
    """The settings form's values of a threshold scheme (is_threshold_scheme); Setagaya's for None."""
    scheme = scheme or default_scheme()
    d_rule, a_rule, b_rule, _c = scheme.rules
    return {
        "threshold_a": a_rule.value,
        "threshold_b": b_rule.value,
        "threshold_d": d_rule.value,
        "measure": scheme.measure,
        "rounding": scheme.rounding,
        "decimals": scheme.decimals,
    }


def with_thresholds(
    base: GradingScheme | None,
    *,
    threshold_a: Decimal | None = None,
    threshold_b: Decimal | None = None,
    threshold_d: Decimal | None = None,
    measure: str | None = None,
    rounding: str | None = None,
    decimals: int | None = None,
) -> GradingScheme:
    """A threshold scheme (`base` if it is one, else Setagaya's) with A ≥ a, B ≥ b, D ≤ d, its measure,
    rounding or decimals changed."""
    scheme = base if base is not None and is_threshold_scheme(base) else default_scheme()
    d_rule, a_rule, b_rule, c_rule = scheme.rules
    rules = (
        dataclasses.replace(d_rule, value=d_rule.value if threshold_d is None else threshold_d),
        dataclasses.replace(a_rule, value=a_rule.value if threshold_a is None else threshold_a),
        dataclasses.replace(b_rule, value=b_rule.value if threshold_b is None else threshold_b),
        c_rule,
    )
    changes = {"measure": measure, "rounding": rounding, "decimals": decimals}
    labels = _threshold_meanings(scheme.labels, old=scheme.rules, new=rules)
    return dataclasses.replace(
        scheme, rules=rules, labels=labels, **{k: v for k, v in changes.items() if v is not None}
    )


# The meanings of a threshold scheme's labels that name its figures (Setagaya's preset), by its D, A and B.
_THRESHOLD_MEANINGS = {
    "A": ("目標を達成（{a}％以上）", "Target reached ({a} % or more)"),
    "B": ("{b}％以上{a}％未満", "{b} % to under {a} %"),
    "C": ("{b}％未満", "Under {b} %"),
    "D": ("{d}％以下", "{d} % or less"),
}


def _threshold_meanings(labels, *, old, new) -> tuple[Label, ...]:
    """The labels with each meaning that names the old figures written again with the new ones; a meaning a
    planning section wrote in its own words is kept."""

    def figures(rules):
        d_rule, a_rule, b_rule, _c_rule = rules
        return {key: format_number(rule.value) for key, rule in (("d", d_rule), ("a", a_rule), ("b", b_rule))}

    before, after = figures(old), figures(new)
    changed = []
    for label in labels:
        texts = _THRESHOLD_MEANINGS.get(label.code)
        if texts is None:
            changed.append(label)
            continue
        ja, en = texts
        replace = {}
        if label.meaning == ja.format(**before):
            replace["meaning"] = ja.format(**after)
        if label.meaning_en == en.format(**before):
            replace["meaning_en"] = en.format(**after)
        changed.append(dataclasses.replace(label, **replace))
    return tuple(changed)
