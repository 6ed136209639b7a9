"""The WSGI application (gunicorn config.wsgi). It refuses to serve, with DJANGO_DEBUG off, unless
DJANGO_SECRET_KEY is set: sessions and CSRF tokens must not be signed with a published key."""

import os

from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

application = get_wsgi_application()

from django.conf import settings  # noqa: E402  (after the application has set Django up)

if not settings.DEBUG and not settings.SECRET_KEY_FROM_ENVIRONMENT:
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off.")
