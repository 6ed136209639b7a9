"""The load balancer's health check: GET /healthz answers 200 "ok" when the database answers a
query, 503 otherwise. No login, no session, no cookie.

HealthCheckMiddleware answers it before SecurityMiddleware and CommonMiddleware, so that a probe
sent over plain HTTP to the server's address (a Host that is not in ALLOWED_HOSTS) gets the answer
instead of a redirect to HTTPS or a 400; the URL pattern names the same view, so that it is in the
URL table (and the permission matrix) like every other page.
"""

from __future__ import annotations

import logging

from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

PATH = "/healthz"

logger = logging.getLogger(__name__)


@login_not_required
@require_safe
def health_check(request: HttpRequest) -> HttpResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        # A warning without the traceback: the balancer asks every few seconds while it lasts.
        logger.warning("Health check: the database does not answer: %s", error)
        return _plain("database unavailable\n", status=503)
    return _plain("ok\n", status=200)


def _plain(body: str, *, status: int) -> HttpResponse:
    response = HttpResponse(body, status=status, content_type="text/plain; charset=utf-8")
    response["Cache-Control"] = "no-store"
    return response


class HealthCheckMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info == PATH:
            return health_check(request)
        return self.get_response(request)
