"""The request id: one short id per request, made here, written into every log line of that request
and into the response's X-Request-ID header, and shown on the error pages, so that the id a user
reads off a 500 page finds the traceback in the log.

- the id is made when the request starts (the request_started signal, sent by the WSGI handler
  before the middleware) and kept in a context variable until it finishes (request_finished, after
  Django has logged a 4xx or 5xx answer, which it does outside the middleware);
- RequestIdMiddleware, first in MIDDLEWARE, gives it to the request (`request.request_id`) and to the
  response's X-Request-ID header;
- RequestIdFilter, on the log handler, puts it on every record as `%(request_id)s` ("-" outside a
  request: commands, start-up);
- `{% request_id %}`, a template tag (a builtin library, see TEMPLATES in settings), prints it on
  the error pages, which are drawn without a request context (the 500, 400 and CSRF pages).

The id is always our own: an X-Request-ID sent by a client is not trusted into the log.
"""

from __future__ import annotations

import contextvars
import logging
import secrets

from django import template
from django.core.signals import request_finished, request_started

HEADER = "X-Request-ID"
NO_REQUEST = "-"

_current: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default=NO_REQUEST)


def new_request_id() -> str:
    """12 hexadecimal digits: short enough to read out over the phone, unique enough for a log."""
    return secrets.token_hex(6)


def current_request_id() -> str:
    return _current.get()


def _request_started(sender, **kwargs) -> None:
    _current.set(new_request_id())


def _request_finished(sender, **kwargs) -> None:
    _current.set(NO_REQUEST)


request_started.connect(_request_started, dispatch_uid="mezasu-request-id-started")
request_finished.connect(_request_finished, dispatch_uid="mezasu-request-id-finished")


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # A handler that sends no request_started (a RequestFactory request in a test) gets an id
        # for the time of the call.
        token = _current.set(new_request_id()) if _current.get() == NO_REQUEST else None
        request.request_id = _current.get()
        try:
            response = self.get_response(request)
        finally:
            if token is not None:
                _current.reset(token)
        response[HEADER] = request.request_id
        return response


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _current.get()
        return True


register = template.Library()


@register.simple_tag(name="request_id")
def request_id_tag() -> str:
    return current_request_id()
