"""What every page of a signed-in person needs to warn before the idle session ends (static/js/session-timeout.js)."""

from django.conf import settings

from accounts import activity


def session_timeout(request) -> dict:
    if not getattr(getattr(request, "user", None), "is_authenticated", False):
        return {}
    # The session was renewed at most a minute ago (accounts.activity): the time it has from this answer.
    return {
        "session_timeout": {
            "expires_in": activity.expires_in(request.session),
            "warn_before": settings.MEZASU_SESSION_WARNING_SECONDS,
            "idle_minutes": max(1, settings.SESSION_COOKIE_AGE // 60),  # whole minutes: MEZASU_SESSION_IDLE_MINUTES
        }
    }
