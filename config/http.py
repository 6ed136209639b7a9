"""What the views share about HTTP methods.

`post_only(page)` is require_POST for a URL that only takes a form's POST, except that a GET (or a
HEAD) is sent on to the page the form is on instead of answering 405. A browser asks a POST-only URL
by GET in two ordinary ways: after the login page, when the session had ended before the form was
sent (the login sends the user on to `next`, the URL that was posted to); and from the language
switcher of a page that a POST rendered (it sends the user back to that page's URL). Neither must end
on an error page: the user lands on the page, where the entry page puts back what was typed.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect
from django.urls import reverse

SAFE_METHODS = ("GET", "HEAD")


def post_only(page: Callable[..., str]):
    """The view takes POST; GET and HEAD redirect to `page(request, **url_kwargs)`, the URL of the
    page that holds the form (its own permission check then applies); any other method is 405."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method in SAFE_METHODS:
                return redirect(page(request, *args, **kwargs))
            if request.method != "POST":
                return HttpResponseNotAllowed(["POST"])
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def page(name: str, *params: str) -> Callable[..., str]:
    """post_only's `page`: the URL named `name`, with the posted URL's kwargs `params`."""

    def url(request, *args, **kwargs) -> str:
        return reverse(name, kwargs={param: kwargs[param] for param in params})

    return url
