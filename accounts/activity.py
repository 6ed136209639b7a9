"""The idle timeout without a database write on every request.

A session ends SESSION_COOKIE_AGE seconds after its last save, and Django saves it again on each request
only with SESSION_SAVE_EVERY_REQUEST, a write (three queries) per request, the page's and each htmx
call's. Here the session keeps the time it was last renewed (SEEN_KEY, seconds since the epoch) and is
saved again only once that is MEZASU_SESSION_RENEW_SECONDS old (a minute): a person who works is never
signed out, and a burst of requests costs one write. Since the session may now end up to that long
before a full idle period after the last request, the time it really has is told to the page
(`expires_in`, for the context processor) and to htmx (the X-Session-Expires-In header), so the
idle warning counts from the true end."""

from __future__ import annotations

import time

from django.conf import settings

SEEN_KEY = "_renewed_at"
HEADER = "X-Session-Expires-In"


def renew(session, now: int | None = None) -> None:
    """Start a full idle period now (a sign-in, the warning's "stay signed in")."""
    session[SEEN_KEY] = int(time.time()) if now is None else now


def expires_in(session, now: int | None = None) -> int:
    """Seconds the session has left, counted from its last renewal."""
    now = int(time.time()) if now is None else now
    seen = session.get(SEEN_KEY)
    if not isinstance(seen, int) or seen > now:
        return settings.SESSION_COOKIE_AGE
    return max(0, settings.SESSION_COOKIE_AGE - (now - seen))


class SessionActivityMiddleware:
    """After AuthenticationMiddleware: a signed-in person's request renews the session when its last
    renewal is MEZASU_SESSION_RENEW_SECONDS old or more (SessionMiddleware then saves it and sends the
    cookie again); every answer to a signed-in person says how long the session has."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        signed_in = bool(getattr(user, "is_authenticated", False))
        if signed_in:
            now = int(time.time())
            if settings.SESSION_COOKIE_AGE - expires_in(request.session, now) >= settings.MEZASU_SESSION_RENEW_SECONDS:
                renew(request.session, now)
        response = self.get_response(request)
        if signed_in and getattr(request, "session", None) is not None and SEEN_KEY in request.session:
            response[HEADER] = str(expires_in(request.session))
        return response
