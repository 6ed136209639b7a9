"""What every page of a signed-in person needs to warn before the idle session ends (static/js/session-timeout.js)."""

from django.conf import settings


def session_timeout(request) -> dict:
    if not getattr(getattr(request, "user", None), "is_authenticated", False):
        return {}
    # Every request saves the session (SESSION_SAVE_EVERY_REQUEST): this page's answer starts a full idle period.
    return {
        "session_timeout": {
            "expires_in": settings.SESSION_COOKIE_AGE,
            "warn_before": settings.MEZASU_SESSION_WARNING_SECONDS,
            "idle_minutes": max(1, settings.SESSION_COOKIE_AGE // 60),  # whole minutes: MEZASU_SESSION_IDLE_MINUTES
        }
    }
