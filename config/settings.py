"""Mezasu settings: one file, read from the environment.

DJANGO_SECRET_KEY, DJANGO_DEBUG (off unless set), DJANGO_ALLOWED_HOSTS (comma separated),
DATABASE_URL (SQLite in the project folder when unset) and MEZASU_BASE_URL (the address in the
links of every e-mail; the request's own address when unset).
"""

import os
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_flag("DJANGO_DEBUG")
# pytest runs the production settings over plain HTTP (test client, live server for the browser
# tests) and without collectstatic: no HTTPS redirect and no static manifest there.
TESTING = bool(os.environ.get("PYTEST_VERSION"))
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
# Serving without a secret key of our own is refused (config/wsgi.py); commands that serve nothing
# (migrate, makemigrations --check, check) run with a development key that check --deploy flags.
SECRET_KEY_FROM_ENVIRONMENT = bool(SECRET_KEY)
if not SECRET_KEY:
    SECRET_KEY = "django-insecure-development-only-key-do-not-use-in-production"

ALLOWED_HOSTS = [
    host.strip()
    for host in os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "").split(",")
    if host.strip()
]
CSRF_TRUSTED_ORIGINS = [
    origin.strip() for origin in os.environ.get("DJANGO_CSRF_TRUSTED_ORIGINS", "").split(",") if origin.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "csp",
    "django_htmx",
    "django_tables2",
    "django_filters",
    "import_export",
    "simple_history",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "departments",
    "accounts",
    "evaluation",
    "jobs",
]

MIDDLEWARE = [
    # First: the id is in every log line of the request, the 500's included (config/request_id.py).
    "config.request_id.RequestIdMiddleware",
    # Before the HTTPS redirect and the host check: the load balancer probes by address over HTTP.
    "config.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After WhiteNoise: what the app draws is never cached; static files keep their long cache.
    "config.middleware.NoStoreMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The idle timeout: the session saved again once a minute at most, not on every request.
    "accounts.activity.SessionActivityMiddleware",
    # Before any view: no control character in the query string or the admin's forms, no endless value.
    "config.input_limits.InputLimitsMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a locked sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "accounts.context_processors.session_timeout",
            ],
            # {% request_id %} on every template, the error pages' included (drawn without a context).
            "builtins": ["config.request_id"],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

# SQLite in the project folder for a newcomer; PostgreSQL in production through DATABASE_URL.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
# Behind PgBouncer in transaction pooling (docs/scaling.md): no server-side cursor outlives a transaction.
if os.environ.get("DJANGO_DB_TRANSACTION_POOLING") == "1":
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# django-axes checks every sign-in first (a locked one is refused before its password is checked).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Sign-in throttling (django-axes, attempts kept in the database): after AXES_FAILURE_LIMIT wrong
# passwords in a row for one user name from one address, that pair is locked for the cool-off; a
# success clears the count. Locking the pair (not the user name alone) keeps a mistyping colleague or
# an attacker from locking someone else out; every attempt is in the audit trail either way
# (accounts.receivers). During a lockout an attempt is refused unchecked and does not prolong it.
AXES_FAILURE_LIMIT = int(os.environ.get("MEZASU_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("MEZASU_LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"
AXES_CLIENT_IP_CALLABLE = "accounts.client.client_ip"
# The sign-in events (accounts.AccountEvent) are the record of successes; axes keeps only the attempts.
AXES_DISABLE_ACCESS_LOG = True
# Reverse proxies in front of the app that append to X-Forwarded-For (accounts.client): 0 reads REMOTE_ADDR.
MEZASU_TRUSTED_PROXIES = int(os.environ.get("MEZASU_TRUSTED_PROXIES", "0"))

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Japanese first, English second.
LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", _("Japanese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG and not TESTING
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# No state in an app process: sessions live in the database, each row with its account
# (accounts.sessions, Django's database engine extended) so that one can log out one's other sessions.
SESSION_ENGINE = "accounts.sessions"
# A session ends after this idle time (every request starts it again); the pages warn
# MEZASU_SESSION_WARNING_SECONDS before and offer to extend it (static/js/session-timeout.js).
SESSION_COOKIE_AGE = int(os.environ.get("MEZASU_SESSION_IDLE_MINUTES", "30")) * 60
# Not on every request (a write each): accounts.activity renews a signed-in person's session when its
# last renewal is this many seconds old, so a burst of requests costs one write.
SESSION_SAVE_EVERY_REQUEST = False
MEZASU_SESSION_RENEW_SECONDS = 60
MEZASU_SESSION_WARNING_SECONDS = int(os.environ.get("MEZASU_SESSION_WARNING_SECONDS", "300"))
# A page of 250 indicators with several fields each must fit in one POST.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000
# Uploads are parsed in memory up to this size, never written to a process-local temp file path we rely on.
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# Uploaded and imported files: every cap (size, rows, columns, zip parts…) is in evaluation/workbook/limits.py,
# explained in docs/uploads.md. A kind's caps can be raised here; its size also from the environment
# (MEZASU_ENTRY_SHEET_MAX_MB, default 5; MEZASU_PLAN_WORKBOOK_MAX_MB, default 5).
MEZASU_FILE_LIMITS = {
    kind: {"max_bytes": int(Decimal(os.environ[variable]) * 1024 * 1024)} if os.environ.get(variable) else {}
    for kind, variable in (
        ("entry_sheet", "MEZASU_ENTRY_SHEET_MAX_MB"),
        ("plan_workbook", "MEZASU_PLAN_WORKBOOK_MAX_MB"),
    )
}
# The first handler stores no file past the largest of those sizes (the rest is read and dropped).
FILE_UPLOAD_HANDLERS = [
    "evaluation.uploads.UploadSizeCap",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# django-import-export: imports run inside one transaction and are all-or-nothing.
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "add"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = True
# Keep uploads in progress in the database-backed cache-free way: django-import-export's MediaStorage
# would tie a preview to one machine's disk, so the admin stores the file in the database instead.
IMPORT_EXPORT_TMP_STORAGE_CLASS = "import_export.tmp_storages.CacheStorage"

# Background jobs (the jobs app: the report's PDF and book, the results export): a queue kept in the
# database (django-tasks with django-tasks-db) that `manage.py db_worker` runs, on PostgreSQL. On SQLite
# (the demo, `make run`) a job runs at once in the request that asks for it, so no worker is needed.
# MEZASU_JOBS_IN_PROCESS=1 or 0 overrides the choice. The job's state, progress and file are rows of
# the database either way (jobs.models): any process of any machine sees them.
MEZASU_JOBS_IN_PROCESS = env_flag("MEZASU_JOBS_IN_PROCESS", DATABASES["default"]["ENGINE"].endswith("sqlite3"))
TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend"
        if MEZASU_JOBS_IN_PROCESS
        else "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}
# A finished job's file is kept this many hours (then the job is dropped: the worker and prune_jobs);
# a running job that reports no progress for this many minutes has lost its worker and is failed.
MEZASU_JOB_RESULT_HOURS = int(os.environ.get("MEZASU_JOB_RESULT_HOURS", "24"))
MEZASU_JOB_STALLED_MINUTES = int(os.environ.get("MEZASU_JOB_STALLED_MINUTES", "15"))
# The audit trail's CSV of more rows than this is made by a job (the page's button); fewer stream at once.
MEZASU_AUDIT_CSV_JOB_ROWS = int(os.environ.get("MEZASU_AUDIT_CSV_JOB_ROWS", "5000"))

# The cache is the database too, so several app processes share it.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "mezasu_cache",
    }
}

# Production hardening (manage.py check --deploy passes with DJANGO_DEBUG off).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
if not DEBUG:
    SECURE_SSL_REDIRECT = env_flag("DJANGO_SECURE_SSL_REDIRECT", not TESTING)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_flag("DJANGO_HSTS_PRELOAD", False)
    # __Host-: the browser takes the cookie only over HTTPS, for the whole host (Path=/) and never
    # from a subdomain (no Domain), so a neighbouring site of the municipality cannot set or shadow it.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    LANGUAGE_COOKIE_SECURE = True
# HSTS preload (W021) is for sites on the public internet and binds every subdomain of the domain
# for months; a municipality's LGWAN deployment must not opt its whole domain in from this app.
SILENCED_SYSTEM_CHECKS = ["security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# The load balancer's probe is answered before the redirect (config/health.py), this keeps it so if
# the middleware order changes.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# Content-Security-Policy (django-csp 4): everything from the app itself, no inline script or style
# (no style="" attribute, no on*= handler, no <script> without src) anywhere, the admin included.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "object-src": [NONE],
    },
}
# Permissions-Policy (django-permissions-policy): no page of the app uses a device or a sensor.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "picture-in-picture",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}

EMAIL_BACKEND = os.environ.get("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "mezasu@localhost")
# The address of the app's root as people open it from their mail (reminders and notices link to
# their pages), e.g. https://mezasu.example.lg.jp/ or a reverse proxy's sub-path. When unset, a link
# is built from the request that sends the mail (evaluation.mailing.base_url).
MEZASU_BASE_URL = os.environ.get("MEZASU_BASE_URL", "").strip()

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Every line carries the request's id (the one on the 500 page and in X-Request-ID), "-" outside one.
    "filters": {"request_id": {"()": "config.request_id.RequestIdFilter"}},
    "formatters": {
        "with_request_id": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["request_id"], "formatter": "with_request_id"},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
    # WeasyPrint warns of every CSS property it does not print (the report's stylesheet also serves
    # browsers: print-color-adjust, overflow-x); its errors still show.
    # Sign-ins, failures (with the user name tried) and lockouts: accounts.services, also in the audit trail.
    # WeasyPrint's progress (a line per page laid out) feeds a job's progress bar (evaluation.report.pdf),
    # not the log: kept at INFO, printed nowhere. A job's unexpected failure is logged by `jobs`.
    "loggers": {
        "weasyprint": {"level": "ERROR"},
        "weasyprint.progress": {"level": "INFO", "handlers": [], "propagate": False},
        "accounts": {"level": "INFO"},
        "jobs": {"level": "INFO"},
    },
}
