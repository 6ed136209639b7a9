"""The plan (計画) and its yearly evaluation.

Plan → Pillar (柱) → PolicyArea (推進施策) → Vision (めざす姿) → Initiative (主な取組み) → Indicator
(行動量 / 成果指標) → Measure (what is counted: one, or one per sub-item a, b … of a compound
indicator). Per fiscal year: Result (one per indicator: the unit of entry, review and approval) and
ResultValue (one per measure: the plan values, the actual and the computed achievement and grade).
"""

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from config.history import HistoricalRecords
from evaluation.domain import grading, numbers, scheme_files
from evaluation.domain.enums import (
    ActualState,
    CommentKind,
    Direction,
    IndicatorKind,
    ResultStatus,
    RevisionField,
    YearStatus,
)
from evaluation.domain.fiscal_year import display_fiscal_year
from evaluation.domain.footnotes import year_marks

NOT_A_STATE = frozenset({ActualState.EMPTY, ActualState.NUMBER, ActualState.TEXT})
VALUE_DIGITS = numbers.FIGURE.field_options  # the one place that knows the sizes: domain.numbers


GRADE_MAX_LENGTH = scheme_files.LABEL_MAX_LENGTH  # a label of the plan's scheme (A, S, 7, ○ …); blank: ー


class SchemeField(models.JSONField):
    """A grading scheme's data (scheme_files.to_data): decoded once per distinct value in a process and
    shared, read-only, by every row that carries it (a page of 250 results reads their plan's scheme once)."""

    def from_db_value(self, value, expression, connection):
        if isinstance(value, str):
            return scheme_files.shared_data(value)
        return super().from_db_value(value, expression, connection)


def default_scheme_data() -> dict:
    """A new plan's grading scheme: Setagaya's preset (the product's default)."""
    return scheme_files.to_data(scheme_files.default_scheme())


class Plan(models.Model):
    """A multi-year plan (計画) and how its outcomes are graded."""

    name = models.CharField(_("plan name"), max_length=200, unique=True)
    first_fiscal_year = models.PositiveSmallIntegerField(_("first fiscal year"))
    last_fiscal_year = models.PositiveSmallIntegerField(_("last fiscal year"))
    # The plan's grading scheme (評価基準) as data: scheme_files.to_data() of a preset or of a file the
    # planning section wrote; changed only through services.regrading (preview, then regrade on the record).
    grading_scheme = SchemeField(_("grading scheme"), default=default_scheme_data, encoder=DjangoJSONEncoder)
    requires_head_check = models.BooleanField(
        _("department head's check"),
        default=False,
        help_text=_(
            "A department's submission goes to its head (所属長) before the planning section; the head "
            "confirms it or returns it with a comment. Every department then needs a head in its memberships."
        ),
    )
    allows_own_review = models.BooleanField(
        _("allow reviewing one's own submission"),
        default=False,
        help_text=_(
            "For a one-person section: a person may approve, return or confirm an item they submitted or "
            "last changed. Each such decision is flagged in the change history and on the item's page."
        ),
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        constraints = [
            models.CheckConstraint(
                condition=Q(first_fiscal_year__lte=models.F("last_fiscal_year")), name="plan_years_in_order"
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def scheme(self) -> grading.GradingScheme:
        """The plan's grading scheme (the one its open years are graded by)."""
        return scheme_files.from_data(self.grading_scheme)

    @property
    def achievement_decimals(self) -> int:
        """The achievement's decimals in the plan's scheme (a closed year's: decimals_of)."""
        return self.scheme.decimals

    def scheme_of(self, fiscal_year: int) -> grading.GradingScheme:
        """The scheme a fiscal year is graded and printed by: a closed year keeps the scheme it was closed
        with (EvaluationYear's snapshot), an open year (or one not opened) follows the plan's."""
        year = self.evaluation_years.filter(fiscal_year=fiscal_year).first()
        return year.scheme if year is not None else self.scheme

    def decimals_of(self, fiscal_year: int) -> int:
        """The achievement's printed decimals in a fiscal year: a closed year's are those it was closed
        with, whatever the plan's settings say since (one query)."""
        return self.scheme_of(fiscal_year).decimals

    def decimals_by_year(self) -> dict[int, int]:
        """decimals_of() of every year opened, in one query (a year not opened: the plan's decimals)."""
        decimals = {}
        for year in self.evaluation_years.all():
            year.plan = self
            decimals[year.fiscal_year] = year.scheme.decimals
        return decimals

    @property
    def fiscal_years(self) -> range:
        return range(self.first_fiscal_year, self.last_fiscal_year + 1)

    @property
    def period_display(self) -> str:
        return f"{display_fiscal_year(self.first_fiscal_year)}〜{display_fiscal_year(self.last_fiscal_year)}"


class Pillar(models.Model):
    """柱: the plan's top level, numbered １, ２."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="pillars", verbose_name=_("plan"))
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=300)

    class Meta:
        ordering = ["plan_id", "number"]
        verbose_name = _("pillar")
        verbose_name_plural = _("pillars")
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="pillar_unique_number")]

    def __str__(self):
        return f"{self.number} {self.title}"


class PolicyArea(models.Model):
    """推進施策: numbered within its pillar; the report prints one sheet per policy area."""

    pillar = models.ForeignKey(Pillar, on_delete=models.CASCADE, related_name="policy_areas", verbose_name=_("pillar"))
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=300)

    class Meta:
        ordering = ["pillar_id", "number"]
        verbose_name = _("policy area")
        verbose_name_plural = _("policy areas")
        constraints = [models.UniqueConstraint(fields=["pillar", "number"], name="policy_area_unique_number")]

    def __str__(self):
        return _("Policy area %(number)s %(title)s") % {"number": self.number, "title": self.title}


class Vision(models.Model):
    """めざす姿: a heading (may be empty), a statement, and the pages of the plan book."""

    policy_area = models.ForeignKey(
        PolicyArea, on_delete=models.CASCADE, related_name="visions", verbose_name=_("policy area")
    )
    number = models.PositiveSmallIntegerField(_("number"))
    heading = models.CharField(_("heading"), max_length=300, blank=True)
    statement = models.TextField(_("statement"), blank=True)
    plan_pages = models.CharField(_("plan book pages"), max_length=50, blank=True, help_text=_("e.g. 40-44"))

    class Meta:
        ordering = ["policy_area_id", "number"]
        verbose_name = _("vision")
        verbose_name_plural = _("visions")
        constraints = [models.UniqueConstraint(fields=["policy_area", "number"], name="vision_unique_number")]

    def __str__(self):
        return _("Vision %(number)s %(heading)s") % {"number": self.number, "heading": self.heading}


class Initiative(models.Model):
    """主な取組み. May have no indicator; may be re-listed (再掲) from another policy area."""

    vision = models.ForeignKey(Vision, on_delete=models.CASCADE, related_name="initiatives", verbose_name=_("vision"))
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    implementation_ref = models.CharField(
        _("implementation plan reference"), max_length=100, blank=True, help_text=_("e.g. 施策８－２")
    )
    is_relisted = models.BooleanField(_("re-listed"), default=False)

    class Meta:
        ordering = ["vision_id", "number"]
        verbose_name = _("initiative")
        verbose_name_plural = _("initiatives")
        constraints = [models.UniqueConstraint(fields=["vision", "number"], name="initiative_unique_number")]

    def __str__(self):
        return f"{self.number} {self.title}"


class Indicator(models.Model):
    """An activity volume (行動量) or an outcome indicator (成果指標) of an initiative."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("plan"))
    initiative = models.ForeignKey(
        Initiative, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("initiative")
    )
    code = models.CharField(_("indicator ID"), max_length=100, help_text=_("Stable ID of the indicator in the plan."))
    kind = models.CharField(_("kind"), max_length=20, choices=IndicatorKind.choices)
    label = models.CharField(_("number as printed"), max_length=20, blank=True, help_text=_("e.g. 1 or 2-1"))
    name = models.TextField(_("indicator name"))
    footnote = models.CharField(_("footnote marks"), max_length=20, blank=True, help_text=_("e.g. ※ or ※2"))
    unit = models.CharField(_("unit"), max_length=30, blank=True)
    direction = models.CharField(_("direction"), max_length=20, choices=Direction.choices, blank=True)
    survey = models.BooleanField(
        _("survey-based"),
        default=False,
        help_text=_("Measured by an opinion survey (意識調査): a scheme may treat a small change in points as none."),
    )
    baseline_text = models.TextField(_("baseline"), blank=True, help_text=_("As printed (現況値（策定時）)."))
    baseline_as_of = models.CharField(_("baseline as of"), max_length=100, blank=True)
    department = models.ForeignKey(
        "departments.Department",
        on_delete=models.PROTECT,
        related_name="indicators",
        verbose_name=_("responsible department"),
    )
    position = models.PositiveIntegerField(_("position"), default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["plan_id", "position"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="indicator_unique_code"),
            models.CheckConstraint(condition=Q(kind__in=IndicatorKind.values), name="indicator_kind_valid"),
            models.CheckConstraint(
                condition=Q(kind=IndicatorKind.ACTIVITY, direction="")
                | Q(kind=IndicatorKind.OUTCOME, direction__in=Direction.values),
                name="indicator_direction_valid",
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"

    @property
    def is_outcome(self) -> bool:
        return self.kind == IndicatorKind.OUTCOME

    @property
    def is_qualitative(self) -> bool:
        return self.direction == Direction.QUALITATIVE


class Measure(models.Model):
    """What an indicator counts. A simple indicator has one measure with a blank label; a compound
    one (「a)多摩川洪水浸水想定区域内 b)…以外」) has one per sub-item, each graded on its own."""

    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="measures", verbose_name=_("indicator")
    )
    label = models.CharField(_("sub-item"), max_length=10, blank=True, help_text=_("a, b … for a compound indicator"))
    name = models.CharField(_("sub-item name"), max_length=300, blank=True)
    baseline_value = models.DecimalField(
        _("baseline value"), **VALUE_DIGITS, null=True, blank=True, help_text=_("For the progress formula.")
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["indicator_id", "label"]
        verbose_name = _("measure")
        verbose_name_plural = _("measures")
        constraints = [models.UniqueConstraint(fields=["indicator", "label"], name="measure_unique_label")]

    def __str__(self):
        return f"{self.indicator.code} {self.label}".strip()


class Result(models.Model):
    """An indicator's evaluation in one fiscal year: the unit that is entered, submitted, reviewed and
    approved. Its values live in one ResultValue per measure."""

    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="results", verbose_name=_("indicator")
    )
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    # The department responsible for the indicator in this year (担当所管課): it enters and reads this
    # result. Set from the indicator's (current) department when the result is created; a move from a
    # named year (the plan import) changes it for that year and later ones, never for a closed year.
    department = models.ForeignKey(
        "departments.Department",
        on_delete=models.PROTECT,
        related_name="results",
        verbose_name=_("responsible department"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ResultStatus.choices, default=ResultStatus.NOT_ENTERED
    )
    judged_grade = models.CharField(
        _("judged grade"), max_length=GRADE_MAX_LENGTH, blank=True, help_text=_("Qualitative outcomes only.")
    )
    grade = models.CharField(_("grade"), max_length=GRADE_MAX_LENGTH, blank=True, editable=False)
    reason = models.TextField(_("reason for the grade"), blank=True)
    revision_reason = models.TextField(_("reason for revision"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("updated by"),
    )
    # Who last submitted it (the department's staff): with updated_by, who may not decide on it.
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
        editable=False,
    )
    # The version the planning section last approved, returned or reopened: a result whose version
    # has moved past it has changed since its last review. Bookkeeping of the review, kept out of
    # the history (the status change it accompanies is recorded there).
    reviewed_version = models.PositiveIntegerField(_("version last reviewed"), null=True, blank=True, editable=False)
    reviewed_at = models.DateTimeField(_("last reviewed at"), null=True, blank=True, editable=False)
    completed_late_at = models.DateTimeField(
        _("figure completed after closing"), null=True, blank=True, help_text=_("確定値の報告, approved.")
    )
    # The standing approval was given by the person who submitted or last changed the item, which the
    # plan allows for a one-person section (Plan.allows_own_review): the report flags it.
    approved_by_submitter = models.BooleanField(_("approved by its own submitter"), default=False, editable=False)

    history = HistoricalRecords(excluded_fields=["reviewed_version", "reviewed_at"])

    class Meta:
        ordering = ["indicator__position", "fiscal_year"]
        verbose_name = _("result")
        verbose_name_plural = _("results")
        constraints = [
            models.UniqueConstraint(fields=["indicator", "fiscal_year"], name="result_unique_year"),
            models.CheckConstraint(condition=Q(status__in=ResultStatus.values), name="result_status_valid"),
        ]

    def __str__(self):
        return f"{self.indicator.code} {display_fiscal_year(self.fiscal_year)}"

    def save(self, *args, **kwargs):
        if self.department_id is None and self.indicator_id is not None:
            self.department_id = Indicator.objects.values_list("department_id", flat=True).get(pk=self.indicator_id)
        super().save(*args, **kwargs)

    @property
    def scheme(self) -> grading.GradingScheme:
        """The grading scheme of the result's plan (an open year's: a closed year's is Plan.scheme_of)."""
        return self.indicator.plan.scheme

    @property
    def marks(self) -> str:
        """The footnote marks printed after the indicator's name in this result's year: its own, then
        those of the revisions made for this year or of its baseline (domain.footnotes). One query,
        unless queries.revisions.with_marks fetched them for a list."""
        if not hasattr(self, "_revision_marks"):
            self._revision_marks = list(
                Revision.objects.filter(indicator_id=self.indicator_id)
                .exclude(footnote="")
                .filter(Q(fiscal_year__isnull=True) | Q(fiscal_year=self.fiscal_year))
                .order_by("changed_at", "pk")
                .values_list("footnote", flat=True)
            )
        return year_marks(self.indicator.footnote, self._revision_marks)


# A measure's values in one year as the sheet prints them: plan values, target, actual, and what the
# service computed. The admin's inline and the item page's history show these, in this order.
RESULT_VALUE_FIELDS = (
    "original_plan_value",
    "original_plan_text",
    "revised_plan_value",
    "revised_plan_text",
    "target_value",
    "target_text",
    "actual_state",
    "actual_value",
    "actual_text",
    "achievement",
    "grade",
)


class ResultValue(models.Model):
    """One measure's values in one fiscal year: the plan values (当初計画, 修正計画 for activities;
    目標 for outcomes), the actual (実績), and the achievement and grade the service computed.

    Each value is a number or a text (a qualitative plan or actual such as 「課題整理」), never both."""

    result = models.ForeignKey(Result, on_delete=models.CASCADE, related_name="values", verbose_name=_("result"))
    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="values", verbose_name=_("measure"))
    original_plan_value = models.DecimalField(_("original plan"), **VALUE_DIGITS, null=True, blank=True)
    original_plan_text = models.TextField(_("original plan (text)"), blank=True)
    revised_plan_value = models.DecimalField(_("revised plan"), **VALUE_DIGITS, null=True, blank=True)
    revised_plan_text = models.TextField(_("revised plan (text)"), blank=True)
    target_value = models.DecimalField(_("target"), **VALUE_DIGITS, null=True, blank=True)
    target_text = models.TextField(_("target (text)"), blank=True)
    carried_from = models.PositiveSmallIntegerField(
        _("plan values carried from"),
        null=True,
        blank=True,
        help_text=_("The fiscal year whose plan value and target were carried forward when this year was opened."),
    )
    # empty, number, text, or a state of the plan's scheme instead of a figure (tallying = 集計中, …).
    actual_state = models.CharField(_("actual"), max_length=20, default=ActualState.EMPTY)
    actual_value = models.DecimalField(_("actual value"), **VALUE_DIGITS, null=True, blank=True)
    actual_text = models.TextField(_("actual (text)"), blank=True)
    achievement = models.DecimalField(
        _("achievement (%)"), **numbers.ACHIEVEMENT.field_options, null=True, blank=True, editable=False
    )
    grade = models.CharField(_("grade"), max_length=GRADE_MAX_LENGTH, blank=True, editable=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["result_id", "measure__label"]
        verbose_name = _("result value")
        verbose_name_plural = _("result values")
        constraints = [
            models.UniqueConstraint(fields=["result", "measure"], name="result_value_unique_measure"),
            models.CheckConstraint(
                condition=Q(actual_state=ActualState.NUMBER, actual_value__isnull=False)
                | (~Q(actual_state=ActualState.NUMBER) & Q(actual_value__isnull=True)),
                name="result_value_number_iff_value",
            ),
            models.CheckConstraint(
                condition=Q(actual_state=ActualState.TEXT) | Q(actual_text=""), name="result_value_text_iff_text"
            ),
        ]

    def __str__(self):
        return f"{self.result} {self.measure.label}".strip()

    @property
    def actual(self) -> Decimal | None:
        """The number to grade, or None (not entered, 集計中 or another state, or text)."""
        return self.actual_value if self.actual_state == ActualState.NUMBER else None

    @property
    def scheme_state(self) -> str:
        """The state of the plan's scheme entered instead of a figure (tallying = 集計中, …), or ''."""
        return "" if self.actual_state in NOT_A_STATE else self.actual_state


class EvaluationYear(models.Model):
    """A fiscal year's evaluation of a plan, opened and closed by the planning section."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="evaluation_years", verbose_name=_("plan"))
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    status = models.CharField(_("status"), max_length=20, choices=YearStatus.choices, default=YearStatus.OPEN)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    opened_at = models.DateTimeField(_("opened at"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    close_reason = models.TextField(_("reason for closing with open items"), blank=True)
    reopened_at = models.DateTimeField(_("reopened at"), null=True, blank=True)
    reopen_reason = models.TextField(_("reason for reopening"), blank=True)
    # The plan's grading scheme as it was when the year was closed (services.years.close_year): a closed
    # year keeps its grades and its printed ※1 when the plan's scheme changes later. Empty while open.
    rule_scheme = SchemeField(_("grading scheme when closed"), null=True, blank=True, encoder=DjangoJSONEncoder)

    history = HistoricalRecords()

    class Meta:
        ordering = ["plan_id", "-fiscal_year"]
        verbose_name = _("evaluation year")
        verbose_name_plural = _("evaluation years")
        constraints = [
            models.UniqueConstraint(fields=["plan", "fiscal_year"], name="evaluation_year_unique"),
            models.CheckConstraint(condition=Q(status__in=YearStatus.values), name="evaluation_year_status_valid"),
        ]

    def __str__(self):
        return f"{self.plan} {display_fiscal_year(self.fiscal_year)}"

    @property
    def has_rule_snapshot(self) -> bool:
        return bool(self.rule_scheme)

    @property
    def scheme(self) -> grading.GradingScheme:
        """The year's scheme: its snapshot once closed, the plan's while open."""
        if self.status != YearStatus.CLOSED or not self.has_rule_snapshot:
            return self.plan.scheme
        return scheme_files.from_data(self.rule_scheme)

    def snapshot_rule(self) -> list[str]:
        """Copy the plan's grading scheme onto the year (on closing); the fields it set."""
        self.rule_scheme = self.plan.grading_scheme
        return ["rule_scheme"]


class LateFigure(models.Model):
    """確定値の報告: after its year was closed, the figure of an approved item that was still 集計中,
    reported by the owning department and approved (or returned) by the planning section. Approving
    writes it into the closed year's result; nothing else of the closed year changes."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        APPROVED = "approved", _("Approved")
        RETURNED = "returned", _("Returned")

    result = models.ForeignKey(Result, on_delete=models.CASCADE, related_name="late_figures", verbose_name=_("result"))
    # {measure id: {"state": number|text, "value": "1816" or "", "text": ""}} as the department reported it.
    values = models.JSONField(_("reported values"))
    reason = models.TextField(_("reason for the grade"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("reported by")
    )
    reported_at = models.DateTimeField(_("reported at"), auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_comment = models.TextField(_("comment of the review"), blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["result_id", "reported_at", "pk"]
        verbose_name = _("late figure")
        verbose_name_plural = _("late figures")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["pending", "approved", "returned"]), name="late_figure_status"
            ),
            models.UniqueConstraint(
                fields=["result"], condition=Q(status="pending"), name="late_figure_one_pending_per_result"
            ),
        ]

    def __str__(self):
        return f"{self.result} ({self.get_status_display()})"


class ResultComment(models.Model):
    """The thread between a department and the planning section about one result; a return (差戻し)
    or a reopening carries its comment here. Never edited: a correction is a new comment."""

    result = models.ForeignKey(Result, on_delete=models.CASCADE, related_name="comments", verbose_name=_("result"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("author")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=CommentKind.choices, default=CommentKind.COMMENT)
    body = models.TextField(_("comment"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["result_id", "created_at"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=CommentKind.values), name="result_comment_kind_valid"),
        ]

    def __str__(self):
        return f"{self.result} {self.author} {self.created_at:%Y-%m-%d %H:%M}"


class ResultReading(models.Model):
    """When a person last read a result's page, where its comment thread is. The comments someone
    else posted after it are unread for them (the home page lists them). The reader's bookkeeping,
    not the result's record: no history."""

    result = models.ForeignKey(Result, on_delete=models.CASCADE, related_name="readings", verbose_name=_("result"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    read_at = models.DateTimeField(_("read at"))

    class Meta:
        verbose_name = _("reading")
        verbose_name_plural = _("readings")
        constraints = [models.UniqueConstraint(fields=["result", "user"], name="result_reading_unique_user")]

    def __str__(self):
        return f"{self.result} {self.user} {self.read_at:%Y-%m-%d %H:%M}"


class EntryUpload(models.Model):
    """A department's filled-in entry sheet, read and checked, waiting for the user to confirm.

    Kept in the database (not in a process or on one machine's disk) so that any app process behind
    the load balancer can show the preview and apply it. `rows` holds what each row will change."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    department = models.ForeignKey(
        "departments.Department", on_delete=models.CASCADE, related_name="+", verbose_name=_("department")
    )
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="+", verbose_name=_("plan"))
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    filename = models.CharField(_("file name"), max_length=255)
    rows = models.JSONField(_("rows"), default=list)
    errors = models.JSONField(_("errors"), default=list)
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("entry sheet upload")
        verbose_name_plural = _("entry sheet uploads")

    def __str__(self):
        return f"{self.filename} ({self.department}, {display_fiscal_year(self.fiscal_year)})"


class Revision(models.Model):
    """A correction of the plan by the planning section (修正, footnotes ※2 ※3): a baseline, a plan
    value or a target, with the old value, the new one, who, when and why. Never edited nor deleted:
    a later correction is a new revision."""

    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="revisions", verbose_name=_("indicator")
    )
    fiscal_year = models.PositiveSmallIntegerField(
        _("fiscal year"), null=True, blank=True, help_text=_("Empty for the baseline.")
    )
    measure = models.ForeignKey(
        Measure, on_delete=models.PROTECT, null=True, blank=True, related_name="revisions", verbose_name=_("sub-item")
    )
    field = models.CharField(_("revised item"), max_length=20, choices=RevisionField.choices)
    old_value = models.TextField(_("old value"), blank=True)
    new_value = models.TextField(_("new value"), blank=True)
    reason = models.TextField(_("reason for revision"))
    footnote = models.CharField(_("footnote mark"), max_length=10, blank=True, help_text=_("e.g. ※2"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("changed by")
    )
    changed_at = models.DateTimeField(_("changed at"), auto_now_add=True)

    class Meta:
        ordering = ["indicator_id", "changed_at", "pk"]
        verbose_name = _("revision")
        verbose_name_plural = _("revisions")
        constraints = [
            models.CheckConstraint(condition=Q(field__in=RevisionField.values), name="revision_field_valid"),
            models.CheckConstraint(
                condition=Q(field=RevisionField.BASELINE, fiscal_year__isnull=True)
                | (~Q(field=RevisionField.BASELINE) & Q(fiscal_year__isnull=False)),
                name="revision_year_iff_plan_value",
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="revision_reason_required"),
        ]

    def __str__(self):
        return f"{self.indicator.code} {self.get_field_display()} {self.old_value} → {self.new_value}"
