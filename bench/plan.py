"""A synthetic plan workbook: the seed's shape (evaluation/demo_data/setagaya-r6.csv) scaled to any
number of indicators and departments. Pure Python, no database: rows of the plan workbook
(docs/plan-workbook.md) that import_plan takes as they are, and the status each result is meant to
reach once the plan is built (builders.py).

The shape, from the seed:
- every initiative has an activity volume (行動量) and an outcome indicator (成果指標); the texts,
  units, plan values, targets, actuals and reasons are the seed's, taken in turn, so the mix of
  compound a)/b) indicators, qualitative (定性) ones, lower-is-better ones and 集計中 actuals is the
  seed's too;
- three initiatives a vision, visions one or two a policy area, eight policy areas a pillar; now and
  then an initiative without indicator;
- one department owns a tenth of the indicators (the seed's 保健福祉政策課, the planning section's
  own department too); the others share the rest, and one initiative in nine has its outcome in the
  next department (「（行動量）地域行政課（成果指標）保健福祉政策課」).
"""

from __future__ import annotations

import csv
import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from evaluation.domain.enums import ResultStatus
from evaluation.workbook.plan_columns import HIERARCHY_TITLE_COLUMNS, PLAN_COLUMNS

SEED_FILE = Path(__file__).resolve().parent.parent / "evaluation" / "demo_data" / "setagaya-r6.csv"
PLAN_NAME = "ベンチマーク計画"
FISCAL_YEAR = 2024
PERIOD = "令和6年度～令和9年度"
INITIATIVES_PER_VISION = 3
AREAS_PER_PILLAR = 8
BIG_SHARE = 10  # one initiative in ten belongs to the big department
SPLIT_EVERY = 9  # one initiative in nine has its outcome in the next department
EMPTY_INITIATIVE_EVERY = 60  # one vision in sixty also has an initiative without indicator
GENERIC_REASON = "取組みを継続しており、目標の達成に向けて関係機関と連携して進めている。"

N, D, S, R, A = (
    ResultStatus.NOT_ENTERED,
    ResultStatus.DRAFT,
    ResultStatus.SUBMITTED,
    ResultStatus.RETURNED,
    ResultStatus.APPROVED,
)
# The status each result is meant to reach, by its rank in its department, cycling. A department in
# general: 15 % not entered, 20 % in progress, 25 % submitted, 10 % returned, 30 % approved. The big
# department is still at it in the last days: 75 % can still be changed.
TYPICAL_MIX = (A, S, D, A, N, S, A, D, R, S, A, D, N, S, A, R, D, S, A, N)
BIG_MIX = (D, N, S, D, N, D, S, N, D, R, D, N, S, D, N, D, S, A, D, N)

# The seed row's columns copied onto each synthetic row, named by the workbook's own column lists.
VISION_COLUMNS = HIERARCHY_TITLE_COLUMNS["めざす姿番号"]
INITIATIVE_COLUMNS = HIERARCHY_TITLE_COLUMNS["取組番号"]
# An indicator's own columns: from 指標名 to the end, but its department (the synthetic plan's own).
INDICATOR_COLUMNS = [column for column in PLAN_COLUMNS[PLAN_COLUMNS.index("指標名") :] if column != "担当所管課"]


@dataclass(frozen=True)
class PlanShape:
    """How big a plan: its indicators and departments (a department of about 12 indicators)."""

    indicators: int
    departments: int
    plan_name: str = PLAN_NAME
    fiscal_year: int = FISCAL_YEAR

    @classmethod
    def of_size(cls, indicators: int, **options) -> PlanShape:
        """250 indicators in 20 departments, 2,500 in 200 (the issue's sizes), at least 2 departments."""
        return cls(indicators=indicators, departments=max(2, indicators * 2 // 25), **options)


@dataclass
class SyntheticPlan:
    shape: PlanShape
    rows: list[dict[str, str]]
    departments: list[str]  # the first is the big one
    statuses: dict[str, str] = field(default_factory=dict)  # {指標ID: the status it is meant to reach}

    @property
    def big_department(self) -> str:
        return self.departments[0]

    @property
    def typical_department(self) -> str:
        return self.departments[1]

    def indicator_count(self) -> int:
        return len({row["指標ID"] for row in self.rows if row["種別"]})

    def counts_by_department(self) -> Counter:
        return Counter(row["担当所管課"] for row in self.rows if row["種別"] and row["小項目"] in ("", "a"))

    def write_csv(self, path: Path, *, plan_name: str | None = None) -> Path:
        """The workbook as CSV (UTF-8 with BOM, as Excel saves it), optionally under another plan name."""
        with Path(path).open("w", encoding="utf-8-sig", newline="") as stream:
            writer = csv.DictWriter(stream, fieldnames=list(self.rows[0]))
            writer.writeheader()
            for row in self.rows:
                writer.writerow({**row, "計画": plan_name} if plan_name else row)
        return Path(path)


@dataclass(frozen=True)
class _Seed:
    """The seed workbook's rows, grouped the way the synthetic plan takes them in turn."""

    header: list[str]
    activities: list[dict[str, str]]
    outcomes: list[list[dict[str, str]]]  # one list per indicator: a compound one has a row per sub-item
    no_indicator: dict[str, str]
    pillars: list[dict[str, str]]
    areas: list[dict[str, str]]
    visions: list[dict[str, str]]
    initiatives: list[dict[str, str]]
    departments: list[str]


def _distinct(rows, key) -> list[dict[str, str]]:
    return list({key(row): row for row in rows}.values())


def read_seed(path: Path = SEED_FILE) -> _Seed:
    with path.open(encoding="utf-8-sig", newline="") as stream:
        reader = csv.DictReader(stream)
        rows = list(reader)
        header = list(reader.fieldnames or [])
    outcomes: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in rows:
        if row["種別"] == "成果指標":
            outcomes[row["指標ID"]].append(row)
    by_size = Counter(row["担当所管課"] for row in rows if row["担当所管課"])
    return _Seed(
        header=header,
        activities=[row for row in rows if row["種別"] == "行動量"],
        outcomes=list(outcomes.values()),
        no_indicator=next(row for row in rows if not row["種別"]),
        pillars=_distinct(rows, lambda row: row["柱番号"]),
        areas=_distinct(rows, lambda row: (row["柱番号"], row["推進施策番号"])),
        visions=_distinct(rows, lambda row: (row["柱番号"], row["推進施策番号"], row["めざす姿番号"])),
        initiatives=_distinct(rows, lambda row: row["指標ID"].rsplit(".", 1)[0]),
        departments=[name for name, _count in by_size.most_common()],
    )


def department_names(count: int, seed: _Seed) -> list[str]:
    """The seed's departments, largest first, then numbered copies of them (生活福祉課2 …)."""
    names = seed.departments
    return [
        names[index % len(names)] + (str(index // len(names) + 1) if index >= len(names) else "")
        for index in range(count)
    ]


def _place(initiative: int) -> tuple[int, int, int, int]:
    """(pillar, policy area, vision, initiative) numbers of the n-th initiative (from 0)."""
    vision_index = initiative // INITIATIVES_PER_VISION
    # Three visions make two policy areas: the first with one vision, the second with two.
    area_index = (vision_index // 3) * 2 + (0 if vision_index % 3 == 0 else 1)
    vision_number = 1 if vision_index % 3 in (0, 1) else 2
    return (
        area_index // AREAS_PER_PILLAR + 1,
        area_index % AREAS_PER_PILLAR + 1,
        vision_number,
        initiative % INITIATIVES_PER_VISION + 1,
    )


def _owners(shape: PlanShape) -> list[tuple[int, int]]:
    """(department of the activity, department of the outcome) per initiative, as indexes."""
    initiatives = math.ceil(shape.indicators / 2)
    others = max(1, shape.departments - 1)
    owners, rank = [], 0
    for index in range(initiatives):
        if index % BIG_SHARE == 0:
            owners.append((0, 0))
            continue
        activity = 1 + rank % others if shape.departments > 1 else 0
        outcome = 1 + (rank + 1) % others if rank % SPLIT_EVERY == SPLIT_EVERY - 1 else activity
        owners.append((activity, outcome if shape.departments > 1 else 0))
        rank += 1
    return owners


class _Writer:
    """Builds the rows, keeping each department's count for the status mix."""

    def __init__(self, shape: PlanShape, seed: _Seed):
        self.shape, self.seed = shape, seed
        self.departments = department_names(shape.departments, seed)
        self.rows: list[dict[str, str]] = []
        self.statuses: dict[str, str] = {}
        self.ranks: Counter = Counter()

    def base(self, initiative: int) -> dict[str, str]:
        pillar, area, vision, number = _place(initiative)
        seed = self.seed
        area_index = (pillar - 1) * AREAS_PER_PILLAR + area - 1
        vision_index = initiative // INITIATIVES_PER_VISION
        row = dict.fromkeys(seed.header, "")
        row.update(
            {
                "計画": self.shape.plan_name,
                "年度": str(self.shape.fiscal_year),
                "計画期間": PERIOD,
                "柱番号": str(pillar),
                "推進施策番号": str(area),
                "めざす姿番号": str(vision),
                "取組番号": str(number),
                "区分": str(number),
                "柱": seed.pillars[(pillar - 1) % len(seed.pillars)]["柱"],
                "推進施策": seed.areas[area_index % len(seed.areas)]["推進施策"],
                **{column: seed.visions[vision_index % len(seed.visions)][column] for column in VISION_COLUMNS},
                **{
                    column: seed.initiatives[initiative % len(seed.initiatives)][column]
                    for column in INITIATIVE_COLUMNS
                },
            }
        )
        return row

    def code(self, row: dict[str, str], suffix: str) -> str:
        return ".".join(row[column] for column in ("柱番号", "推進施策番号", "めざす姿番号", "取組番号")) + "." + suffix

    def indicator(self, base: dict[str, str], kind: str, templates: list[dict[str, str]], department: int) -> None:
        name = self.departments[department]
        mix = BIG_MIX if department == 0 else TYPICAL_MIX
        status = mix[self.ranks[name] % len(mix)]
        self.ranks[name] += 1
        code = self.code(base, "A1" if kind == "行動量" else "O1")
        self.statuses[code] = status
        for template in templates:
            row = {**base, **{column: template.get(column, "") for column in INDICATOR_COLUMNS}}
            row.update({"指標ID": code, "種別": kind, "担当所管課": name})
            if status == N:
                row.update({"実績": "", "評価": ""})
            if kind == "成果指標" and not row["評価理由"]:
                row["評価理由"] = GENERIC_REASON  # a reason ready, so that C and D can be submitted
            self.rows.append(row)

    def empty_initiative(self, initiative: int) -> None:
        base = self.base(initiative)
        base.update({"取組番号": str(INITIATIVES_PER_VISION + 1), "区分": ""})
        base.update({column: self.seed.no_indicator[column] for column in INITIATIVE_COLUMNS})
        self.rows.append(base)


def synthetic_plan(shape: PlanShape, seed: _Seed | None = None) -> SyntheticPlan:
    """The plan workbook of `shape.indicators` indicators in `shape.departments` departments."""
    seed = seed or read_seed()
    writer = _Writer(shape, seed)
    remaining = shape.indicators
    for index, (activity_owner, outcome_owner) in enumerate(_owners(shape)):
        base = writer.base(index)
        writer.indicator(base, "行動量", [seed.activities[index % len(seed.activities)]], activity_owner)
        remaining -= 1
        if remaining:
            writer.indicator(base, "成果指標", seed.outcomes[index % len(seed.outcomes)], outcome_owner)
            remaining -= 1
        vision_index = index // INITIATIVES_PER_VISION
        if index % INITIATIVES_PER_VISION == INITIATIVES_PER_VISION - 1 and vision_index % EMPTY_INITIATIVE_EVERY == 0:
            writer.empty_initiative(index)
    return SyntheticPlan(shape=shape, rows=writer.rows, departments=writer.departments, statuses=writer.statuses)
