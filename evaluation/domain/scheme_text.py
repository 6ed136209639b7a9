"""A grading scheme in words: the report's footnote ※1 and the scheme's summary on the screens,
written from the scheme's rules (so a changed threshold changes the sentence), in Japanese or English.

Setagaya's scheme reads exactly as its printed sheet: 「目標に対しての成果。A:100％、B：80％～100％未満、
C:８０％未満、D:０％以下」 (the sheet's own mix of full- and half-width characters, kept).
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

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
# A band's edge is in it for 「≥」 (以内, up to) and out of it for 「>」 (未満, less than).
_BAND_PERCENT = {
    "ja": {">=": "（現況値から{v}％以内の悪化を含む）", ">": "（現況値から{v}％未満の悪化を含む）"},
    "en": {">=": " (a fall of up to {v} % of the baseline included)", ">": " (a fall of less than {v} % included)"},
}
_BAND_POINTS = {
    "ja": {">=": "（{v}ポイント以内の悪化を含む）", ">": "（{v}ポイント未満の悪化を含む）"},
    "en": {">=": " (a fall of up to {v} points included)", ">": " (a fall of less than {v} points included)"},
}
_SURVEY = {
    "ja": {
        ">=": "（意識調査の指標は±{v}ポイント以内の変動を横ばいとする）",
        ">": "（意識調査の指標は±{v}ポイント未満の変動を横ばいとする）",
    },
    "en": {
        ">=": " (survey-based: a change within ±{v} points is unchanged)",
        ">": " (survey-based: a change of less than ±{v} points is unchanged)",
    },
}
_SURVEY_ALONE = {
    "ja": {
        ">=": "意識調査の指標で、現況値からの変動が±{v}ポイント以内",
        ">": "意識調査の指標で、現況値からの変動が±{v}ポイント未満",
    },
    "en": {
        ">=": "a survey-based indicator within ±{v} points of the baseline",
        ">": "a survey-based indicator less than ±{v} points from the baseline",
    },
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
            if described and _survey_only(rule):  # the survey tolerance of the rule before it (福岡市)
                described[-1] += _SURVEY[lang][_edge(rule.op)].format(v=_number(rule.survey_band_points))
            else:
                described.append(_rule_words(rule, upper, lang))
        upper = _passed(upper, rule)
    return " / ".join(words for words in described if words)


def _passed(upper: Rule | None, rule: Rule) -> Rule | None:
    """The lowest 「≥ / >」 measure rule once `rule` too is passed by (a figure below it)."""
    lower_bound = rule.when == grading.WHEN_MEASURE and rule.op in (">=", ">")
    if lower_bound and (upper is None or (rule.value, rule.op == ">") < (upper.value, upper.op == ">")):
        return rule
    return upper


def _below(upper: Rule, lang: str) -> str:
    """What a figure is when the rule `upper` did not hold: under its value, or at most it."""
    return _PERCENT[lang]["<" if upper.op == ">=" else "<="].format(v=_number(upper.value))


def _edge(op: str) -> str:
    return ">" if op in (">", "<") else ">="


def _survey_only(rule: Rule) -> bool:
    return (
        rule.when == grading.WHEN_BASELINE
        and rule.survey_band_points is not None
        and rule.band_percent is None
        and rule.band_points is None
    )


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
        edge = _edge(rule.op)
        if rule.band_percent:
            words += _BAND_PERCENT[lang][edge].format(v=_number(rule.band_percent))
        elif rule.band_points:
            words += _BAND_POINTS[lang][edge].format(v=_number(rule.band_points))
        if rule.survey_band_points:
            words += _SURVEY[lang][edge].format(v=_number(rule.survey_band_points))
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


# --- roll-ups and the reason rule --------------------------------------------------------------------

_ROLLUP_LEAD = {
    "ja": {
        grading.ROLLUP_WORST: "総合評価は指標の評価のうち最も低いもの",
        grading.ROLLUP_SHARE: "総合評価は評価{met}の指標の割合による",
        grading.ROLLUP_POINTS: "総合評価は指標の点の平均による",
    },
    "en": {
        grading.ROLLUP_WORST: "The overall grade is the lowest grade of the indicators",
        grading.ROLLUP_SHARE: "The overall grade is by the share of indicators graded {met}",
        grading.ROLLUP_POINTS: "The overall grade is by the mean points of the indicators",
    },
}
_ALL = {"ja": "すべて", "en": "all"}
_AT_LEAST = {"ja": "{v}以上", "en": "{v} or more"}
_UNDER = {"ja": "{v}未満", "en": "under {v}"}
_POINTS = {"ja": "{v}点", "en": "{v} points"}
_SHARE = {"ja": "{d}分の{n}", "en": "{n}/{d}"}
_OR = {"ja": "・", "en": " or "}
_BAND_SEPARATOR = {"ja": " ", "en": ": "}


def _share_words(value: Fraction, lang: str) -> str:
    if value.denominator == 1:
        return f"{value.numerator}"
    return _SHARE[lang].format(n=value.numerator, d=value.denominator)


def _score_words(value: Fraction, kind: str, lang: str) -> str:
    if kind == grading.ROLLUP_SHARE:
        return _share_words(value, lang)
    exact = numbers.exact_decimal(value)
    return _POINTS[lang].format(v=str(value) if exact is None else _number(exact))


def _lowest_score(scheme: GradingScheme) -> Fraction:
    """The lowest score a roll-up can give: a share of 0, or the fewest points of a grade label."""
    if scheme.rollup.kind == grading.ROLLUP_SHARE:
        return Fraction(0)
    points = [Fraction(label.points) for label in scheme.labels if label.points is not None]
    return min(points, default=Fraction(0))


def _band_label(band, lang: str) -> str:
    """A band's label, with its meaning where the label is a mark (A, 1) rather than words (順調)."""
    meaning = band.meaning if lang == "ja" else (band.meaning_en or band.meaning)
    if not meaning or not band.code.isascii():
        return band.code
    return f"{band.code}（{meaning}）" if lang == "ja" else f"{band.code} ({meaning})"


def rollup_label(scheme: GradingScheme, code: str, lang: str = "ja") -> str:
    """An overall grade as a page prints it: a mark with its meaning (佐野市's 「B（概ね順調）」), words as
    they are (神奈川県's 「概ね順調」); '' for none."""
    band = next((band for band in scheme.rollup.bands if band.code == code), None)
    return _band_label(band, "en" if lang.startswith("en") else "ja") if band is not None else code


def rollup_text(scheme: GradingScheme, lang: str = "ja") -> str:
    """A policy area's (and a pillar's) overall grade (総合評価) in words, '' where the scheme has none.
    神奈川県: 「総合評価は評価○の指標の割合による。すべて 順調、3分の2以上 概ね順調、2分の1以上 やや遅れている、
    2分の1未満 遅れている」; 佐野市: the mean points' bands 「6点以上 A（順調）、…、3点未満 D（遅れ）」."""
    lang = "en" if lang.startswith("en") else "ja"
    rollup = scheme.rollup
    if rollup.kind == grading.ROLLUP_NONE:
        return ""
    lead = _ROLLUP_LEAD[lang][rollup.kind].format(met=_OR[lang].join(rollup.met))
    if rollup.kind == grading.ROLLUP_WORST:
        return lead
    parts = []
    lowest = _lowest_score(scheme)
    for index, band in enumerate(rollup.bands):
        if rollup.kind == grading.ROLLUP_SHARE and band.at_least == 1:
            words = _ALL[lang]
        elif index and band.at_least <= lowest:
            words = _UNDER[lang].format(v=_score_words(rollup.bands[index - 1].at_least, rollup.kind, lang))
        else:
            words = _AT_LEAST[lang].format(v=_score_words(band.at_least, rollup.kind, lang))
        parts.append(f"{words}{_BAND_SEPARATOR[lang]}{_band_label(band, lang)}")
    return f"{lead}{_STOP[lang]}{_SEPARATOR[lang].join(parts)}".strip()


def reason_words(scheme: GradingScheme, lang: str = "ja") -> str:
    """What needs a written reason, in words: the labels with reason = true (「C・D」, 「C or D」), then
    the states with note = true by their names (「中止・評価困難」)."""
    lang = "en" if lang.startswith("en") else "ja"
    labels = [label.code for label in scheme.labels if label.reason]
    states = [state.name if lang == "ja" else (state.name_en or state.name) for state in scheme.states if state.note]
    if lang == "ja":
        return "、".join(part for part in ("・".join(labels), "・".join(states)) if part)
    words = [*labels, *states]
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} or {words[-1]}"


def rule_words(scheme: GradingScheme, index: int, lang: str = "ja") -> str:
    """The rule `scheme.rules[index]` in words, as ※1 reads it where the rules before it are passed by
    (「80％～100％未満」, 「現況値から改善または横ばい（現況値から10％以内の悪化を含む）」): for a scheme
    file's comments and the grading page's figures form."""
    lang = "en" if lang.startswith("en") else "ja"
    upper: Rule | None = None
    for rule in scheme.rules[:index]:
        upper = _passed(upper, rule)
    rule = scheme.rules[index]
    if _survey_only(rule) and any(earlier.label == rule.label for earlier in scheme.rules[:index]):
        # the survey tolerance of an earlier rule giving the same label (福岡市's rule 3): that alone
        return _SURVEY_ALONE[lang][_edge(rule.op)].format(v=_number(rule.survey_band_points))
    return _rule_words(rule, upper, lang)
