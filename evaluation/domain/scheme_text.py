"""A grading scheme in words: the report's footnote ※1 and the scheme's summary on the screens,
written from the scheme's rules (so a changed threshold changes the sentence), in Japanese or English.

Setagaya's scheme reads exactly as its printed sheet: 「目標に対しての成果。A:100％、B：80％～100％未満、
C:８０％未満、D:０％以下」 (the sheet's own mix of full- and half-width characters, kept).
"""

from __future__ import annotations

from decimal import Decimal

from evaluation.domain import grading, numbers, scheme_files
from evaluation.domain.grading import GradingScheme, Rule

_FULL_WIDTH = str.maketrans("0123456789.-", "０１２３４５６７８９．－")

_MEASURE = {
    "ja": {grading.RATIO: "目標に対しての成果", grading.PROGRESS: "現況値から目標への進捗", grading.NO_MEASURE: ""},
    "en": {
        grading.RATIO: "Achievement against the target",
        grading.PROGRESS: "Progress from the baseline to the target",
        grading.NO_MEASURE: "",
    },
}
_PERCENT = {
    "ja": {">=": "{v}％以上", ">": "{v}％超", "<=": "{v}％以下", "<": "{v}％未満"},
    "en": {">=": "{v} % or more", ">": "over {v} %", "<=": "{v} % or less", "<": "under {v} %"},
}
_RANGE = {"ja": "{low}～{high}", "en": "{low} to {high}"}
_EXACTLY = {"ja": "{v}％", "en": "exactly {v} %"}
_RANGE_LOW = {"ja": {">=": "{v}％", ">": "{v}％超"}, "en": {">=": "{v} %", ">": "over {v} %"}}
_TARGET = {
    "ja": {">=": "目標値に到達", ">": "目標値を上回る", "<=": "目標値以下", "<": "目標値に届かない"},
    "en": {
        ">=": "the target reached",
        ">": "above the target",
        "<=": "at or short of the target",
        "<": "short of the target",
    },
}
_BASELINE = {
    "ja": {
        ">": "現況値より改善",
        ">=": "現況値から改善または横ばい",
        "<=": "現況値から横ばいまたは悪化",
        "<": "現況値より悪化",
    },
    "en": {
        ">": "better than the baseline",
        ">=": "improved or unchanged since the baseline",
        "<=": "unchanged or worse than the baseline",
        "<": "worse than the baseline",
    },
}
_BAND_PERCENT = {"ja": "（現況値から{v}％以内の悪化を含む）", "en": " (a fall of up to {v} % of the baseline included)"}
_BAND_POINTS = {"ja": "（{v}ポイント以内の悪化を含む）", "en": " (a fall of up to {v} points included)"}
_SURVEY = {
    "ja": "（意識調査の指標は±{v}ポイント以内を横ばい）",
    "en": " (survey-based: within ±{v} points is unchanged)",
}
_OTHERWISE = {"ja": "それ以外", "en": "otherwise"}
_SEPARATOR = {"ja": "、", "en": "; "}
_COLON = {"ja": ":", "en": ": "}
_STOP = {"ja": "。", "en": ". "}


def _number(value: Decimal) -> str:
    return numbers.format_number(value)


def footnote(scheme: GradingScheme, lang: str = "ja") -> str:
    """※1: what the grade measures, then each label and what gives it, best first."""
    lang = "en" if lang.startswith("en") else "ja"
    if lang == "ja" and scheme.grade_labels == ("A", "B", "C", "D") and scheme_files.is_threshold_scheme(scheme):
        return _setagaya(scheme)
    parts = []
    for label in scheme.codes:
        words = _words_of(scheme, label, lang)
        if words:
            parts.append(f"{label}{_COLON[lang]}{words}")
    measure = _MEASURE[lang][scheme.measure]
    text = _SEPARATOR[lang].join(parts)
    return f"{measure}{_STOP[lang]}{text}".strip() if measure else text


def _words_of(scheme: GradingScheme, label: str, lang: str) -> str:
    states = [state for state in scheme.states if state.label == label]
    if states:
        return "・".join(state.name if lang == "ja" else (state.name_en or state.name) for state in states)
    described = []
    upper: Rule | None = None  # the lowest 「≥ / >」 measure rule read so far: the figure is below it
    for rule in scheme.rules:
        if rule.label == label:
            described.append(_rule_words(rule, upper, lang))
        lower_bound = rule.when == grading.WHEN_MEASURE and rule.op in (">=", ">")
        if lower_bound and (upper is None or (rule.value, rule.op == ">") < (upper.value, upper.op == ">")):
            upper = rule
    return " / ".join(words for words in described if words)


def _below(upper: Rule, lang: str) -> str:
    """What a figure is when the rule `upper` did not hold: under its value, or at most it."""
    return _PERCENT[lang]["<" if upper.op == ">=" else "<="].format(v=_number(upper.value))


def _rule_words(rule: Rule, upper: Rule | None, lang: str) -> str:
    if rule.when == grading.WHEN_MEASURE:
        words = _PERCENT[lang][rule.op].format(v=_number(rule.value))
        if rule.op in (">=", ">") and upper is not None:
            if rule.op == ">=" and upper.op == ">" and rule.value == upper.value:
                return _EXACTLY[lang].format(v=_number(rule.value))
            low = _RANGE_LOW[lang][rule.op].format(v=_number(rule.value))
            return _RANGE[lang].format(low=low, high=_below(upper, lang))
        return words
    if rule.when == grading.WHEN_TARGET:
        return _TARGET[lang][rule.op]
    if rule.when == grading.WHEN_BASELINE:
        words = _BASELINE[lang][rule.op]
        if rule.band_percent:
            words += _BAND_PERCENT[lang].format(v=_number(rule.band_percent))
        elif rule.band_points:
            words += _BAND_POINTS[lang].format(v=_number(rule.band_points))
        if rule.survey_band_points:
            words += _SURVEY[lang].format(v=_number(rule.survey_band_points))
        return words
    if upper is not None:
        return _below(upper, lang)
    return _OTHERWISE[lang]


def _setagaya(scheme: GradingScheme) -> str:
    d, a, b = (_number(rule.value) for rule in scheme.rules[:3])
    return (
        f"{_MEASURE['ja'][scheme.measure]}。A:{a}％、B：{b}％～{a}％未満、"
        f"C:{b.translate(_FULL_WIDTH)}％未満、D:{d.translate(_FULL_WIDTH)}％以下"
    )
