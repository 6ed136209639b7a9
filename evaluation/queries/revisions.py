"""Read side of the revisions (修正) of baselines, plan values and targets."""

from __future__ import annotations

from django.db.models import (
    Q,
)

from evaluation.models import (
    Plan,
    Revision,
)


def indicator_revisions(indicator_id: int) -> list[Revision]:
    """Every revision of an indicator (baseline and every year's plan values and targets), oldest first."""
    return list(
        Revision.objects.filter(indicator_id=indicator_id)
        .select_related("measure", "changed_by")
        .order_by("changed_at", "pk")
    )


def revisions_by_indicator(plan: Plan, fiscal_year: int) -> dict[int, list[Revision]]:
    """{indicator id: its revisions that concern `fiscal_year`'s sheet} (baselines and that year's plan
    values and targets), oldest first, in one query: the report marks these items with their footnote."""
    revisions = (
        Revision.objects.filter(indicator__plan=plan)
        .filter(Q(fiscal_year__isnull=True) | Q(fiscal_year=fiscal_year))
        .select_related("measure", "changed_by")
        .order_by("changed_at", "pk")
    )
    grouped: dict[int, list[Revision]] = {}
    for revision in revisions:
        grouped.setdefault(revision.indicator_id, []).append(revision)
    return grouped
