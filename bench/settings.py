"""The settings the benchmark runs under: the project's production settings (DJANGO_DEBUG off, so no
query log and the cached template loader, as gunicorn serves them) with what a run on one machine
through the test client needs instead: plain HTTP, the host `testserver`, static files from the
finders (no collectstatic manifest), mail kept in memory, a database of its own next to
DATABASE_URL's (`<name>_bench`, created and dropped by the runner), and bench/templates (the entry
page's floor) among the template folders."""

import os
import warnings
from pathlib import Path

os.environ.pop("DJANGO_DEBUG", None)
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-" + os.urandom(24).hex())

from config.settings import *  # noqa: F403
from config.settings import DATABASES, STORAGES, TEMPLATES

BENCH_TEMPLATES = Path(__file__).resolve().parent / "templates"  # the entry page's floor (bench/floor.py)

DEBUG = False
SECURE_SSL_REDIRECT = False
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
ROOT_URLCONF = "bench.urls"
TEMPLATES = [{**TEMPLATES[0], "DIRS": [*TEMPLATES[0]["DIRS"], BENCH_TEMPLATES]}]
DATABASES["default"]["TEST"] = {"NAME": f"{DATABASES['default']['NAME']}_bench"}
# WhiteNoise looks for STATIC_ROOT, which only collectstatic makes; the finders serve the files here.
warnings.filterwarnings("ignore", "No directory at", UserWarning)
