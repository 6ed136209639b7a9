"""Response headers the app sets on everything it draws (the CSP and the Permissions-Policy come from
django-csp and django-permissions-policy, see settings)."""

from __future__ import annotations


class NoStoreMiddleware:
    """`Cache-Control: no-store` on every page and download the app draws: they hold a department's
    figures or a person's name, and must not stay in a shared computer's browser cache or a proxy's
    (the back button then asks the server again). Static files are answered by WhiteNoise, which
    stands before this middleware, and keep their long cache.

    A response that already says no-store keeps its own header (Django's never_cache adds more)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "no-store" not in response.get("Cache-Control", ""):
            response["Cache-Control"] = "no-store"
        return response
