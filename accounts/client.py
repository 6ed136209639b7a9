"""The address a request comes from, for the lockout (django-axes: AXES_CLIENT_IP_CALLABLE) and the
sign-in events alike. Behind MEZASU_TRUSTED_PROXIES reverse proxies (a setting, 0 by default), the
address is read from X-Forwarded-For, counting that many proxies from its right end; a client cannot
forge it beyond what the proxies append. Without a proxy, REMOTE_ADDR."""

from __future__ import annotations

from ipaddress import ip_address

from django.conf import settings


def _valid(value: str) -> str | None:
    try:
        return str(ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request) -> str | None:
    proxies = getattr(settings, "MEZASU_TRUSTED_PROXIES", 0)
    if proxies:
        forwarded = [part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            return _valid(forwarded[-proxies])
    return _valid(request.META.get("REMOTE_ADDR", ""))
