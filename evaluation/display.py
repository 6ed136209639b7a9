"""How a value is shown, in one place: pages, template filters, mail, history and audit lines, sheets
and the coming report all print through here, so one stored figure reads the same everywhere.

Texts (`str`) are for pages, mail and the printed report; `*_cell` functions give a spreadsheet cell
its value, which keeps numbers as numbers (Decimal, never float) so Excel can sum them.

The rules
- A number has grouping commas (「1,816」) and never an exponent; rounding is half up, as grading's.
- An achievement has exactly the plan's decimals (`Plan.achievement_decimals`) and a % sign right
  after it, as the sheet prints it: 「100.0%」「96.7%」「9.0%」.
- A figure (an actual, a baseline, a plan value, a target) is printed as stored, without the
  database's trailing zeros (Decimal('430.0000') → 「430」). The database keeps four decimals whatever
  was typed, so 「9.0」 and 「9」 are stored alike (Decimal('9.0000')). A figure whose unit is a
  percentage (% or ％) is a rate, and a rate is printed like the achievement: with at least the plan's
  decimals (「9.0」「89.9」「80.0」 at one decimal), more only when a stored digit needs them (「25.35」);
  a stored digit is never rounded away. The unit itself is not appended: a page's column or heading
  names it (the sheet's 「9.0 %」 adds it).
- 集計中 is the sheet's word, in every language. ー is the sheet's mark for no grade; — is a page's
  empty cell.
- A date and time is always in Japan time (Asia/Tokyo), whatever the active time zone.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from evaluation.domain import numbers, scheme_files, scheme_text
from evaluation.domain.enums import ActualState, ResultStatus
from evaluation.domain.fiscal_year import display_fiscal_year, era_name

EMPTY = "—"  # an empty cell on a page (em dash)
NOT_GRADED = "ー"  # no grade, as the sheet prints it (katakana long vowel mark)
NO_FIGURE = "ー"  # the printed sheet's mark where there is no figure (a page's empty cell is EMPTY)
TALLYING = "集計中"  # the sheet's word for an actual still being tallied, in every language
JAPAN_TIME = ZoneInfo("Asia/Tokyo")
DEFAULT_DECIMALS = 1  # Plan.achievement_decimals' default

_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
_NUMBER_AND_SUB = re.compile(r"^(\d+)\s*-\s*(\d+)$")


# Spreadsheet cells: numbers stay numbers -------------------------------------------------------------


def plain_decimal(value: Decimal) -> Decimal:
    """Drop the database's trailing zeros (Decimal('430.0000') → Decimal('430')), never to an exponent."""
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()


def achievement_cell(value: Decimal | None, decimals: int) -> Decimal | None:
    """The stored achievement with the plan's number of decimals (Decimal('96.7')); None stays None."""
    if value is None:
        return None
    return value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def achievement_number_format(decimals: int) -> str:
    """The spreadsheet number format of an achievement cell: the plan's decimals (「0.0」 for 96.7)."""
    return "0." + "0" * decimals if decimals else "0"


def figure_number_format(value: Decimal, unit: str, decimals: int) -> str:
    """The spreadsheet number format that shows a figure cell as a page prints it: grouping commas,
    and a rate (% or ％) with at least the plan's decimals, more only when a stored digit needs them
    (9 % → 「#,##0.0」 shows 9.0; 1816 件 → 「#,##0」 shows 1,816; 25.35 % → 「#,##0.00」)."""
    places = max(0, -plain_decimal(value).as_tuple().exponent)
    if unit.strip() in numbers.PERCENT_UNITS:
        places = max(places, decimals)
    return "#,##0" + ("." + "0" * places if places else "")


# Texts ----------------------------------------------------------------------------------------------


def number(value: Decimal | None, places: int | None = None) -> str:
    """A Decimal as staff read it: 「1,816」, no exponent, no trailing zeros unless `places` is given
    (then exactly that many decimals, half up). Empty for None."""
    return numbers.format_number(value, places)


def _figure(value: Decimal, unit: str, decimals: int) -> str:
    """A stored figure by the rule of the module docstring (a rate keeps at least the plan's decimals)."""
    return numbers.format_figure(value, unit, decimals)


def figure_style(indicator, decimals: int | None = None) -> dict:
    """What an indicator's figures print with: {"unit": its unit, "decimals": its plan's decimals}, to
    pass on as `**figure_style(indicator)` (select the indicator's plan with it). A closed year prints
    with the decimals it was closed with: pass `decimals=plan.decimals_of(fiscal_year)`."""
    return {"unit": indicator.unit, "decimals": indicator.plan.achievement_decimals if decimals is None else decimals}


def actual(
    state: str, value: Decimal | None, text: str = "", *, unit: str = "", decimals: int = DEFAULT_DECIMALS
) -> str:
    """An actual (実績) as printed: 「1,816」, 「9.0」 for a rate, 「集計中」, the words of a text answer
    (「一部運用」), or 「—」 when not entered. `unit` is the indicator's, `decimals` the plan's."""
    if state == ActualState.NUMBER and value is not None:
        return _figure(value, unit, decimals)
    if state == ActualState.TALLYING:
        return TALLYING
    if state == ActualState.TEXT and text:
        return text
    return EMPTY


def value_actual(value, scheme, *, unit: str = "", decimals: int = DEFAULT_DECIMALS) -> str:
    """A ResultValue's actual as printed, a state of the plan's scheme by its name (集計中, 中止, 未着手 …:
    the sheet's words, in every language; a state the scheme does not know by its stored word); otherwise
    as `actual`. `scheme` is the year's."""
    if value.scheme_state:
        state = scheme.state(value.scheme_state)
        if state is not None:
            return state.name
        return TALLYING if value.scheme_state == ActualState.TALLYING else value.scheme_state
    return actual(value.actual_state, value.actual_value, value.actual_text, unit=unit, decimals=decimals)


def plan_value(value: Decimal | None, text: str = "", *, unit: str = "", decimals: int = DEFAULT_DECIMALS) -> str:
    """A baseline, an original or revised plan value or a target as printed: 「430」, 「26.0」 for a
    rate, 「課題整理」 for a text, 「—」 when there is none."""
    if value is not None:
        return _figure(value, unit, decimals)
    return text or EMPTY


def achievement(value: Decimal | None, decimals: int) -> str:
    """An achievement (達成状況) with the plan's decimals: 「100.0%」「9.0%」; 「—」 when there is none."""
    if value is None:
        return EMPTY
    return f"{number(value, decimals)}%"


def grade(value: str | None) -> str:
    """A grade as the sheet prints it: its label (A, S, ○, 7 …), or ー when not graded."""
    return value or NOT_GRADED


# A badge's look (templates/includes/grade_badge.html, static/css/app.css .grade--*): a scheme's grade
# labels take the four looks by rank, best first (Setagaya's A, B, C, D are exactly a, b, c, d); the
# label of a state (あきる野's X 未着手) is neutral; no grade is "none".
GRADE_TONES = ("a", "b", "c", "d")
STATE_TONE = "state"
NO_GRADE_TONE = "none"


def _ranked_tones(codes: tuple[str, ...]) -> dict[str, str]:
    last = len(codes) - 1
    return {code: GRADE_TONES[index * 3 // last if last else 0] for index, code in enumerate(codes)}


def grade_tones(scheme) -> dict[str, str]:
    """{label: tone} of every label of a scheme: its grade labels by rank (2 labels: a, d; 3: a, b, d;
    7: a a b b c c d), its states' labels neutral. Work it out once for a page's many badges."""
    return {**dict.fromkeys(scheme.state_labels, STATE_TONE), **_ranked_tones(scheme.grade_labels)}


def rollup_tones(scheme) -> dict[str, str]:
    """{roll-up label: tone} (神奈川県's 順調 … 遅れている) by rank, as grade_tones."""
    return _ranked_tones(scheme.rollup_codes)


def grade_tone(code: str | None, scheme=None) -> str:
    """The look of one label's badge in `scheme` (Setagaya's when None); a label the scheme does not
    know (a roll-up's, a former scheme's) is neutral."""
    if not code:
        return NO_GRADE_TONE
    scheme = scheme or scheme_files.default_scheme()
    return grade_tones(scheme).get(code) or rollup_tones(scheme).get(code) or STATE_TONE


def _english() -> bool:
    return (get_language() or "ja").startswith("en")


def grade_meaning(code: str | None, scheme) -> str:
    """What a label means in the scheme, in the active language: 「目標値以上」 for あきる野's S, the
    state's name for a state's label (X → 未着手), a roll-up label's meaning; empty when unknown or none."""
    if not code:
        return ""
    english = _english()
    label = scheme.label(code)
    state = next((state for state in scheme.states if state.label == code), None)
    if state is not None:
        return (english and state.name_en) or state.name
    if label is not None:
        return (english and label.meaning_en) or label.meaning
    band = next((band for band in scheme.rollup.bands if band.code == code), None)
    if band is not None:
        return (english and band.meaning_en) or band.meaning
    return ""


def state_name(code: str, scheme) -> str:
    """A state of the scheme entered instead of a figure by its name (集計中, 未着手, 中止 …) in the active
    language; 集計中 is the sheet's word in every language (see TALLYING); an unknown code as stored."""
    if code == ActualState.TALLYING:
        return TALLYING
    state = scheme.state(code) if scheme is not None else None
    if state is None:
        return code
    return (_english() and state.name_en) or state.name


def actual_in(value, scheme, *, unit: str = "", decimals: int = DEFAULT_DECIMALS) -> str:
    """A stored actual (a ResultValue) as `actual` prints it, a state of the scheme by its name (中止 …)."""
    state = value.scheme_state
    if state and state != ActualState.TALLYING:
        return state_name(state, scheme)
    return actual(value.actual_state, value.actual_value, value.actual_text, unit=unit, decimals=decimals)


def status(value: str) -> str:
    """A result's status (未入力, 入力中, 提出済, 差戻し, 承認済) in the active language."""
    return str(ResultStatus(value).label)


def person(user) -> str:
    """A person: their full name, else their user name; 「(system)」 for a change no one made by hand."""
    if user is None:
        return _("(system)")
    return user.get_full_name().strip() or user.get_username()


def department(value) -> str:
    """A department (担当所管課) by its name; empty for none."""
    return "" if value is None else str(value.name)


def moment(value: dt.datetime | None, *, seconds: bool = False) -> str:
    """A date and time in Japan time (Asia/Tokyo) in the language's short format (「2024/07/01 0:30」);
    with `seconds`, the audit trail's sortable 「2024-07-01 00:30:05」. Empty for None."""
    if value is None:
        return ""
    local = value.astimezone(JAPAN_TIME) if value.tzinfo is not None else value
    return date_format(local, "Y-m-d H:i:s" if seconds else "SHORT_DATETIME_FORMAT")


def day(value: dt.date | dt.datetime | None) -> str:
    """A date (a deadline; the day of a moment, in Japan time) in the language's format; empty for None."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        value = value.astimezone(JAPAN_TIME)
    return date_format(value)


def fiscal_year(year: int | str | None) -> str:
    """2024 → 「令和6年度（2024年度）」; empty for no year."""
    return display_fiscal_year(int(year)) if year not in (None, "") else ""


def sheet_year(year: int) -> str:
    """2024 → 「令和６年度」, as the printed sheet heads its columns and pages (full-width digits)."""
    return era_name(int(year)).translate(_FULL_WIDTH)


def full_width(value: Decimal | int | str) -> str:
    """A number in the sheet's full-width digits: 80 → 「８０」 (※1's 「C:８０％未満」)."""
    text = number(value) if isinstance(value, Decimal) else str(value)
    return text.translate(_FULL_WIDTH_NUMBER)


def indicator_number(label: str) -> str:
    """An indicator's number as the sheet prints it: stored 「1-1」 (the workbook's form) → 「１－①」;
    a plain 「2」 stays 「2」; anything else as stored."""
    match = _NUMBER_AND_SUB.match(unicodedata.normalize("NFKC", label or "").strip())
    if match is None:
        return label or ""
    main, sub = int(match[1]), int(match[2])
    circled = _CIRCLED[sub - 1] if 1 <= sub <= len(_CIRCLED) else str(sub).translate(_FULL_WIDTH)
    return f"{str(main).translate(_FULL_WIDTH)}－{circled}"


_FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
_FULL_WIDTH_NUMBER = str.maketrans("0123456789.,-", "０１２３４５６７８９．，－")


def field_value(model_field, value, *, unit: str = "", decimals: int = DEFAULT_DECIMALS, scheme=None) -> str:
    """A stored field's value in a history or audit line: a choice by its label (集計中 as above), a
    state of the plan's scheme by its name (中止, 未着手 …), a figure or an achievement by the rules above,
    a person by name, a date and time in Japan time, yes / no, 「—」 for empty. `unit` and `decimals` are
    the indicator's and the plan's, `scheme` the plan's grading scheme (Setagaya's when None)."""
    if value is None or value == "":
        return EMPTY
    name = getattr(model_field, "name", "")
    if name == "actual_state":
        if value in ActualState.values:
            return TALLYING if value == ActualState.TALLYING else str(ActualState(value).label)
        return state_name(value, scheme or scheme_files.default_scheme())
    if getattr(model_field, "choices", None):
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, Decimal):
        return achievement(value, decimals) if name == "achievement" else _figure(value, unit, decimals)
    if isinstance(value, dt.datetime):
        return moment(value)
    if hasattr(value, "get_username"):
        return person(value)
    return str(value)


def scheme_summary(scheme) -> str:
    """A grading scheme in a sentence of the active language (the legend under a table of grades; the
    report's ※1 is scheme_text.footnote in Japanese)."""
    return scheme_text.footnote(scheme, get_language() or "ja")
