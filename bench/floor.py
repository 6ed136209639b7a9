"""The floor of the entry page (`entry_floor`): the big department's rows, read by the page's own
queries, written out by one plain template (bench/templates/bench/entry_floor.html): one loop, the
inputs written by hand, no form, no widget renderer, no include, no formatting beyond the template's
own. What the entry page costs above it is what its forms, view-models and templates add."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render

from departments.permissions import can_view_department
from evaluation.queries.entry import department_evaluation_year, entry_page_results, previous_year_values


def entry_floor(request, department_id: int, fiscal_year: int):
    if not can_view_department(request.user, department_id):
        raise Http404("not a department of this user")
    year = department_evaluation_year(department_id, fiscal_year)
    if year is None:
        raise Http404("no evaluation of this fiscal year")
    results = entry_page_results(year.plan, department_id, fiscal_year)
    previous = previous_year_values(year.plan, department_id, fiscal_year)
    rows = []
    for result in results:
        last_year = previous.get(result.indicator_id, {})
        rows.append((result, [(value, last_year.get(value.measure_id)) for value in result.values.all()]))
    return render(request, "bench/entry_floor.html", {"plan": year.plan, "fiscal_year": fiscal_year, "rows": rows})
