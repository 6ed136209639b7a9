"""What the app reads of a request before any view: the address's query string, and the admin's forms.

- Every parameter of the query string (?plan=1&q=…), on every URL: a name or value holding a control
  character, or a value longer than MAX_QUERY_VALUE characters, is answered 400 with a page naming the
  parameter, and no view runs. The app's own links never write such a value; the admin's filters and
  search would pass it to the database as it is (PostgreSQL refuses a NUL; SQLite a search pattern
  that long).
- Every field the admin's forms post (Django's and ours alike): a control character other than a tab
  or a line break is answered the same way, nothing saved (the admin's model forms refuse only a NUL).
  The app's own pages refuse it at the field instead (config.text_input.TextChecks).

Each value is then parsed strictly by the view itself (evaluation.views.params for ids).
"""

from __future__ import annotations

import re

from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from config.text_input import control_characters, describe_control_characters

MAX_QUERY_VALUE = 1000
# The admin's date drill-down (?…__year=2024&…__month=4): Django makes a date of it, and a year of 15
# digits overflows there instead of being refused.
_DATE_PART = re.compile(r".+__(year|month|day)")
_DATE_VALUE = re.compile(r"[0-9]{1,4}")


class InputLimitsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        problem = _query_problem(request)
        if problem is None and _is_admin_form(request):
            problem = _posted_problem(request)
        if problem is not None:
            return render(request, "errors/input_refused.html", {"problem": problem}, status=400)
        return self.get_response(request)


def _query_problem(request) -> str | None:
    for name, values in request.GET.lists():
        for value in (name, *values):
            if found := control_characters(value, multiline=False):
                return describe_control_characters(_("The parameter 「%(name)s」") % {"name": _shown(name)}, found)
            if len(value) > MAX_QUERY_VALUE:
                return _("The parameter 「%(name)s」 is longer than %(limit)d characters.") % {
                    "name": _shown(name),
                    "limit": MAX_QUERY_VALUE,
                }
        if _DATE_PART.fullmatch(name) and not all(_DATE_VALUE.fullmatch(value) for value in values):
            return _("The parameter 「%(name)s」 is not a year, month or day.") % {"name": _shown(name)}
    return None


def _is_admin_form(request) -> bool:
    """A form the admin posts. Reading its body here changes nothing: the CSRF check reads it anyway."""
    return request.method == "POST" and request.path.startswith(reverse("admin:index"))


# The counts of an inline's management form: what a page wrote, or the formset takes saved rows for
# new ones (a unique key then fails in the database).
_MANAGEMENT_FIELDS = ("-TOTAL_FORMS", "-INITIAL_FORMS", "-MIN_NUM_FORMS", "-MAX_NUM_FORMS")
_COUNT = re.compile(r"[0-9]{1,4}")


def _posted_problem(request) -> str | None:
    for name, values in request.POST.lists():
        for value in values:
            if found := control_characters(value):
                return describe_control_characters(_("The field 「%(name)s」") % {"name": _shown(name)}, found)
            if name.endswith(_MANAGEMENT_FIELDS) and not _COUNT.fullmatch(value):
                return _("The field 「%(name)s」 is not a count the page wrote.") % {"name": _shown(name)}
    return None


def _shown(name: str) -> str:
    """A parameter's name as a message can show it: without its control characters, and not too long."""
    printable = "".join(char for char in name if not control_characters(char))
    return printable if len(printable) <= 40 else f"{printable[:40]}…"
