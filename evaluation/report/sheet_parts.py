"""The parts of the printed evaluation sheet (評価シート): a figure, a line, an indicator, a row of the
table (an initiative's activity and outcome side by side), an initiative, a vision, a policy area and the
whole sheet. Text as printed; evaluation.report.sheet builds them from the year's data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from evaluation import display
from evaluation.domain.grading import GradingScheme
from evaluation.models import Plan

GRADE_NOTE = "※１"
# Beside 実績 of an item approved by its own submitter, and what the table's foot says of it.
OWN_APPROVAL = "自己承認"
OWN_APPROVAL_NOTE = "提出した担当者自身が承認した項目（一人体制の所管課のため計画の設定で認めたもの）"
ROWS_OF_A_PAGE = 21  # printed lines (three an indicator) a page holds under its headers, roughly


@dataclass(frozen=True)
class Figure:
    """One sub-item's value on a line: 「5」 with its unit 「回」, 「集計中」, a text, or 「ー」.
    `number` is the stored figure (Decimal) for a spreadsheet cell, `places` its printed decimals."""

    label: str  # a, b … of a compound indicator; empty otherwise
    text: str
    unit: str = ""
    number: Decimal | None = None
    places: int = 0
    state: bool = False  # a state of the scheme instead of a figure (集計中, 中止 …)

    @property
    def printed(self) -> str:
        return f"{f'{self.label})' if self.label else ''}{self.text}{f' {self.unit}' if self.unit else ''}"


@dataclass
class Line:
    """One of an indicator's three lines: 区分 (当初計画, 実績, 達成状況 …) and the year's value per sub-item."""

    heading: str
    figures: list[Figure]

    @property
    def numeric(self) -> bool:
        """Figures (right-aligned), 集計中 or another state, or ー; not a text plan such as 「課題整理」."""
        return all(
            figure.number is not None or figure.state or figure.text in (display.NO_FIGURE, display.TALLYING)
            for figure in self.figures
        )

    @property
    def text(self) -> str:
        """The value as one string: 「5 回」, 「a)231.7 %　b)287.2 %」, 「集計中」, 「ー」."""
        return "　".join(figure.printed for figure in self.figures)


@dataclass
class PrintedIndicator:
    kind: str
    number: str  # 「1」, 「１－①」
    name: str
    marks: str  # footnote marks after the name: ※, ※2
    tags: list[str]  # 【再掲】, 【実施計画 施策８－２】
    baseline: str
    baseline_as_of: str  # 「（令和５年度見込み）」 or empty
    lines: list[Line]
    department: str
    grade: str = ""  # outcomes: the scheme's label or ー
    reason: str = ""  # where the scheme asks for one: C and D for Setagaya
    code: str = ""
    late: str = ""  # 「確定値 2025年6月1日」 when the figure was completed after the year was closed
    own_approval: bool = False  # approved by the person who submitted it (Plan.allows_own_review)

    @property
    def full_name(self) -> str:
        return f"{self.name}{self.marks}{''.join(self.tags)}"

    @property
    def actual_notes(self) -> list[str]:
        """What 実績 carries below its heading: 「確定値 …」 (completed after closing), 「自己承認」."""
        return [note for note in (self.late, OWN_APPROVAL if self.own_approval else "") if note]


@dataclass
class Slot:
    """One printed row of an initiative: an activity beside an outcome (either may be missing)."""

    activity: PrintedIndicator | None
    outcome: PrintedIndicator | None

    @property
    def grade(self) -> str:
        return self.outcome.grade if self.outcome else ""

    @property
    def reason(self) -> str:
        return self.outcome.reason if self.outcome else ""

    @property
    def line_rows(self) -> list[tuple[Line | None, Line | None]]:
        """The slot's three printed lines: (the activity's line, the outcome's line) side by side."""
        activity = self.activity.lines if self.activity else []
        outcome = self.outcome.lines if self.outcome else []
        return [
            (activity[index] if index < len(activity) else None, outcome[index] if index < len(outcome) else None)
            for index in range(max(len(activity), len(outcome), 1))
        ]

    @property
    def department(self) -> str:
        """One department, or 「（行動量）A（成果指標）B」 when the activity and the outcome have two."""
        activity = self.activity.department if self.activity else ""
        outcome = self.outcome.department if self.outcome else ""
        if activity and outcome and activity != outcome:
            return f"（行動量）{activity}（成果指標）{outcome}"
        return activity or outcome


@dataclass
class PrintedInitiative:
    number: str
    title: str
    tags: list[str]
    description: str
    slots: list[Slot]
    marks: set[str] = field(default_factory=set)  # revision marks (※2 …) its rows carry

    @property
    def row_count(self) -> int:
        """Printed table rows: three lines per slot (one for a slot without indicators)."""
        return sum(len(slot.line_rows) for slot in self.slots)


@dataclass
class PrintedVision:
    band: str  # 「めざす姿１　heading」, or 「めざす姿」 where the area has one vision without a heading
    statement: str
    pages: str  # 「計画書 P40～44」 or 「計画書」
    initiatives: list[PrintedInitiative]

    @property
    def fits_a_page(self) -> bool:
        """Whether the table is short enough to move whole to the next page rather than split (a rough
        count of its printed rows; a longer one starts where it is and breaks between initiatives)."""
        return sum(initiative.row_count for initiative in self.initiatives) <= ROWS_OF_A_PAGE

    @property
    def footnotes_used(self) -> set[str]:
        return set().union(*(initiative.marks for initiative in self.initiatives))

    @property
    def has_own_approval(self) -> bool:
        """Whether one of its items was approved by its own submitter (the table's foot explains 自己承認)."""
        return any(
            indicator is not None and indicator.own_approval
            for initiative in self.initiatives
            for slot in initiative.slots
            for indicator in (slot.activity, slot.outcome)
        )


@dataclass
class PrintedArea:
    pillar_heading: str  # 「１　世田谷版…」 where the pillar begins, else empty
    heading: str  # 「推進施策１　…」
    visions: list[PrintedVision]


@dataclass
class Sheet:
    plan: Plan
    fiscal_year: int
    year_heading: str  # 「令和６年度」
    label: str  # 「資料１－３」
    provisional: bool  # until the year is closed every page says 暫定 and the date printed
    printed_on: dt.date
    grading_note: str  # ※1's text
    reason_note: str  # under the reason's heading: 「（評価C・Dのみ）」
    scheme: GradingScheme  # the year's (a closed year's from its closing)
    decimals: int  # the achievement's, as the year is graded (a closed year's from its closing)
    footnotes: dict[str, str]  # {「※２」: reason} of the revisions the year's items carry
    areas: list[PrintedArea]
    own_approval = OWN_APPROVAL  # the words the page and the book print (not fields)
    own_approval_note = OWN_APPROVAL_NOTE

    def footnotes_for(self, marks: set[str]) -> list[tuple[str, str]]:
        """The footnotes (mark, text) of the given marks, in mark order."""
        return [(mark, text) for mark, text in sorted(self.footnotes.items()) if mark in marks]
