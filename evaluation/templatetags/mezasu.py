"""Template helpers shared by every page: one filter per function of evaluation.display (values, grades,
people, dates in Japan time, fiscal years), the grade badge, the header's departments and navigation."""

from django import template
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from departments import permissions
from evaluation import display
from evaluation.queries.waiting import waiting_count

register = template.Library()

DEMO_USERNAMES = ("planning", "viewer")


@register.filter
def fiscal_year(year) -> str:
    """{{ 2024|fiscal_year }} → 「令和6年度（2024年度）」."""
    return display.fiscal_year(year)


@register.filter
def grade(value) -> str:
    """{{ result.grade|grade }} → A, B, C, D, or ー."""
    return display.grade(value)


@register.inclusion_tag("includes/grade_badge.html")
def grade_badge(value, scheme=None):
    """A badge that tells grades apart by label and shape, not by colour alone: {% grade_badge result.grade
    scheme %} (the plan's grading scheme; Setagaya's when left out): a label takes its look by its rank in
    the scheme, best first (display.grade_tones), a state's label a neutral one."""
    return {"letter": display.grade(value), "css": display.grade_tone(value, scheme)}


@register.simple_tag
def grade_meaning(value, scheme) -> str:
    """{% grade_meaning result.grade scheme %} → what the label means in the scheme (「目標値以上」), or ''."""
    return display.grade_meaning(value, scheme)


@register.filter
def status(value) -> str:
    """{{ result.status|status }} → 「提出済」."""
    return display.status(value)


@register.simple_tag
def status_bar(counts) -> str:
    """{% status_bar counts %}: a bar of the statuses (queries.progress.StatusCounts), each part with a
    tooltip. It repeats the counts printed beside it, so it is hidden from screen readers. Written here,
    not by a template, because the progress board draws one for each of hundreds of departments."""
    parts = format_html_join(
        "",
        '<rect class="status-bar__part status-bar__part--{}" x="{}" y="0" width="{}" height="10">'
        "<title>{} {}</title></rect>",
        ((part.status, part.offset, part.width, part.label, part.count) for part in counts.segments),
    ) or format_html(
        '<rect class="status-bar__part status-bar__part--empty" x="0" y="0" width="100" height="10"></rect>'
    )
    return format_html(
        '<svg class="status-bar" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true" focusable="false">'
        "{}</svg>",
        parts,
    )


@register.filter
def person(user) -> str:
    """{{ comment.author|person }} → the full name, else the user name."""
    return display.person(user)


@register.filter
def department(value) -> str:
    """{{ indicator.department|department }} → the department's name."""
    return display.department(value)


@register.filter
def moment(value, precision: str = "") -> str:
    """{{ result.updated_at|moment }} in Japan time; {{ entry.when|moment:"seconds" }} to the second."""
    return display.moment(value, seconds=precision == "seconds")


@register.filter
def day(value) -> str:
    """{{ year.deadline|day }} → the date in the language's format."""
    return display.day(value)


@register.filter
def indicator_number(label) -> str:
    """{{ indicator.label|indicator_number }} → 「１－①」 as the sheet prints it."""
    return display.indicator_number(label)


@register.filter
def achievement(value, plan) -> str:
    """{{ value.achievement|achievement:plan }} → 「100.0%」 with the plan's decimals."""
    return display.achievement(value, plan.achievement_decimals)


@register.filter
def actual(value, indicator) -> str:
    """{{ result_value|actual:indicator }} → 「1,816」「9.0」「集計中」「一部運用」 or 「—」."""
    return display.actual(value.actual_state, value.actual_value, value.actual_text, **display.figure_style(indicator))


@register.simple_tag
def field_value(model_field, value, indicator=None, style=None, scheme=None) -> str:
    """A history or audit line's value: {% field_value change.model_field change.old indicator scheme=scheme %}
    (a state of the plan's scheme, such as 中止, by its name), or with the unit, decimals and scheme already
    known, {% field_value change.model_field change.old style=entry.figure_style %}."""
    if indicator is not None:
        style = {**display.figure_style(indicator), "scheme": scheme}
    return display.field_value(model_field, value, **(style or {}))


@register.simple_tag
def user_departments(user) -> list[str]:
    """The names of the departments the user belongs to, for the header."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(user.memberships.order_by("department__name").values_list("department__name", flat=True).distinct())


@register.simple_tag
def demo_accounts_available() -> bool:
    """True on a development server whose database holds the load_demo accounts."""
    return settings.DEBUG and get_user_model().objects.filter(username__in=DEMO_USERNAMES).exists()


@register.inclusion_tag("includes/main_nav.html", takes_context=True)
def main_navigation(context):
    """The header's navigation: only the screens the user may open (departments.permissions decides).
    An item is current when the page's view name starts with one of its prefixes. Home carries the
    count of what waits for the user (queries.waiting), listed on the home page."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"items": []}
    candidates = [
        ("home", _("Home"), ("home",), True),
        ("entry", _("Enter results"), ("entry",), bool(permissions.own_department_ids(user))),
        ("review_queue", _("Review"), ("review", "revise"), permissions.can_view_review_queue(user)),
        ("progress_board", _("Progress"), ("progress",), permissions.can_view_progress(user)),
        ("report", _("Report"), ("report",), permissions.can_view_report(user)),
        ("years", _("Evaluation years"), ("year",), permissions.can_manage_years(user)),
        ("audit_trail", _("Change history"), ("audit",), permissions.can_view_audit(user)),
        ("admin:index", _("Administration"), ("admin:",), user.is_staff),
    ]
    view_name = getattr(getattr(request, "resolver_match", None), "view_name", "") or ""
    waiting = waiting_count(
        user,
        department_ids=permissions.entry_department_ids(user),
        reviews=permissions.can_review(user),
        head_department_ids=permissions.head_department_ids(user),
    )
    return {
        "items": [
            {
                "url_name": url_name,
                "label": label,
                "current": view_name.startswith(prefixes),
                "waiting": waiting if url_name == "home" else 0,
            }
            for url_name, label, prefixes, allowed in candidates
            if allowed
        ]
    }


@register.simple_tag
def scheme_summary(scheme) -> str:
    """{% scheme_summary scheme %} → a grading scheme in a sentence (the grade legend). The page passes the
    scheme of the year it shows (Plan.scheme_of: a closed year's is the one it was closed with), never
    the plan's current one."""
    return display.scheme_summary(scheme)
