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


def with_marks(results: list) -> list:
    """The results, each with the revision marks of its year fetched (Result.marks), in one query."""
    if not results:
        return results
    wanted = {(result.indicator_id, result.fiscal_year) for result in results}
    found: dict[tuple[int, int | None], list[str]] = {}
    revisions = (
        Revision.objects.filter(indicator_id__in={indicator_id for indicator_id, _year in wanted})
        .exclude(footnote="")
        .order_by("changed_at", "pk")
        .values_list("indicator_id", "fiscal_year", "footnote")
    )
    for indicator_id, fiscal_year, footnote in revisions:
        found.setdefault((indicator_id, fiscal_year), []).append(footnote)
    for result in results:
        # the baseline's (no year) and the year's, each oldest first; year_marks drops a repeated mark
        result._revision_marks = [
            *found.get((result.indicator_id, None), []),
            *found.get((result.indicator_id, result.fiscal_year), []),
        ]
    return results


def revision_marks(indicator_ids, fiscal_year: int) -> dict[int, list[str]]:
    """{indicator id: the footnote marks of its revisions made for `fiscal_year`, and of its baseline's
    (no year), oldest first} in one query (domain.footnotes.year_marks prints them after its own)."""
    revisions = (
        Revision.objects.filter(indicator_id__in=list(indicator_ids))
        .exclude(footnote="")
        .filter(Q(fiscal_year__isnull=True) | Q(fiscal_year=fiscal_year))
        .order_by("changed_at", "pk")
        .values_list("indicator_id", "footnote")
    )
    marks: dict[int, list[str]] = {}
    for indicator_id, footnote in revisions:
        marks.setdefault(indicator_id, []).append(footnote)
    return marks
