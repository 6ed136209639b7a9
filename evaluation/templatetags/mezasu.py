"""Template helpers shared by every page: fiscal years, grades, the header's departments."""

from django import template
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from departments import permissions
from evaluation.domain.fiscal_year import display_fiscal_year

register = template.Library()

NOT_GRADED = "ー"
DEMO_USERNAMES = ("planning", "viewer")


@register.filter
def fiscal_year(year) -> str:
    """2024 → 「令和6年度（2024年度）」; empty for no year."""
    if year in (None, ""):
        return ""
    return display_fiscal_year(int(year))


@register.filter
def grade(value) -> str:
    """A grade as printed on the sheet: A, B, C, D, or ー when not graded."""
    return value or NOT_GRADED


@register.inclusion_tag("includes/grade_badge.html")
def grade_badge(value):
    """A badge that tells grades apart by letter and shape, not by colour alone."""
    letter = value or NOT_GRADED
    return {"letter": letter, "css": (value or "none").lower()}


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
    An item is current when the page's view name starts with one of its prefixes."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"items": []}
    candidates = [
        ("home", _("Home"), ("home",), True),
        ("entry", _("Enter results"), ("entry",), bool(permissions.entry_department_ids(user))),
        ("review_queue", _("Review"), ("review", "revise"), permissions.can_view_review_queue(user)),
        ("progress_board", _("Progress"), ("progress",), permissions.can_view_progress(user)),
        ("years", _("Evaluation years"), ("year",), permissions.can_manage_years(user)),
        ("audit_trail", _("Change history"), ("audit",), permissions.can_view_audit(user)),
        ("admin:index", _("Administration"), ("admin:",), user.is_staff),
    ]
    view_name = getattr(getattr(request, "resolver_match", None), "view_name", "") or ""
    return {
        "items": [
            {"url_name": url_name, "label": label, "current": view_name.startswith(prefixes)}
            for url_name, label, prefixes, allowed in candidates
            if allowed
        ]
    }
