"""Choices of the evaluation app: stored values in English, labels translated (Japanese first)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class IndicatorKind(models.TextChoices):
    ACTIVITY = "activity", _("Activity volume")  # 取組みの行動量
    OUTCOME = "outcome", _("Outcome indicator")  # 取組みの成果指標


class Direction(models.TextChoices):
    """How an outcome is graded. Activities have none (blank)."""

    HIGHER = "higher", _("Higher is better")  # 高いほど良い
    LOWER = "lower", _("Lower is better")  # 低いほど良い
    QUALITATIVE = "qualitative", _("Qualitative")  # 定性


class Grade(models.TextChoices):
    """The grade of an outcome; blank means not graded (printed ー)."""

    A = "A", "A"
    B = "B", "B"
    C = "C", "C"
    D = "D", "D"


class ActualState(models.TextChoices):
    """What the actual (実績) of a measure holds."""

    EMPTY = "empty", _("Not entered")
    NUMBER = "number", _("Number")
    TALLYING = "tallying", _("Being tallied")  # 集計中
    TEXT = "text", _("Text")  # a qualitative actual such as 「課題整理」


class ResultStatus(models.TextChoices):
    NOT_ENTERED = "not_entered", _("Not entered")  # 未入力
    DRAFT = "draft", _("In progress")  # 入力中
    AWAITING_HEAD = "awaiting_head", _("Awaiting the head's check")  # 所属長確認待ち (when the plan asks)
    SUBMITTED = "submitted", _("Submitted")  # 提出済
    RETURNED = "returned", _("Returned")  # 差戻し
    APPROVED = "approved", _("Approved")  # 承認済


class GradingFormula(models.TextChoices):
    RATIO = "ratio", _("Actual against target")  # 実績 ÷ 目標 (目標 ÷ 実績 where lower is better)
    PROGRESS = "progress", _("Progress from the baseline")  # (実績 − 現況値) ÷ (目標 − 現況値)


class Rounding(models.TextChoices):
    HALF_UP = "half_up", _("Round half up")  # 四捨五入
    DOWN = "down", _("Truncate")  # 切り捨て


class YearStatus(models.TextChoices):
    OPEN = "open", _("Open")  # 受付中
    CLOSED = "closed", _("Closed")  # 締切済


class CommentKind(models.TextChoices):
    COMMENT = "comment", _("Comment")
    RETURN = "return", _("Returned")  # 差戻し
    HEAD_RETURN = "head_return", _("Returned by the head")  # 所属長差戻し
    REOPEN = "reopen", _("Reopened")  # 承認取消し


class RevisionField(models.TextChoices):
    """What a revision (修正, ※2 ※3) of the plan changes."""

    BASELINE = "baseline", _("Baseline")  # 現況値（策定時）
    ORIGINAL_PLAN = "original_plan", _("Original plan")  # 当初計画
    REVISED_PLAN = "revised_plan", _("Revised plan")  # 修正計画
    TARGET = "target", _("Target")  # 目標
