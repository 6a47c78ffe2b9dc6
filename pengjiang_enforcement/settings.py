"""Settings of the Pengjiang enforcement portal.

All deployment-specific values come from environment variables (see the README's
configuration table), read through the typed helpers in ``pengjiang_enforcement.env``.
Production (``DEBUG`` off) has no secret defaults: it refuses to start without a strong
``SECRET_KEY`` (and ``AUDIT_KEY``, when set apart) and an explicit ``ALLOWED_HOSTS`` without ``*``.
"""

from __future__ import annotations

import datetime
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from .env import env_addresses, env_bool, env_float, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", default=False)

# A key used only where DEBUG is on (development and the test suite). Production must set
# its own: see check_secret_key below.
_DEVELOPMENT_SECRET_KEY = "development-only-key-never-used-in-production-pengjiang-enforcement"


def check_secret_key(secret_key: str | None, *, debug: bool, name: str = "SECRET_KEY") -> str:
    """Return the secret key to use, refusing weak or missing keys in production, naming why."""
    if debug:
        return secret_key or _DEVELOPMENT_SECRET_KEY
    if not secret_key:
        raise ImproperlyConfigured(f"{name} is not set: production refuses to start without one.")
    reason = (
        "it is the development key"
        if secret_key == _DEVELOPMENT_SECRET_KEY
        else "it starts with 'django-insecure'"
        if secret_key.startswith("django-insecure")
        else f"it has {len(secret_key)} characters, fewer than 50"
        if len(secret_key) < 50
        else "it repeats fewer than 5 different characters"
        if len(set(secret_key)) < 5
        else None
    )
    if reason:
        raise ImproperlyConfigured(
            f"{name} is too weak for production ({reason}): use at least 50 random characters "
            '(python -c "import secrets; print(secrets.token_urlsafe(50))").'
        )
    return secret_key


def check_allowed_hosts(hosts: list[str], *, debug: bool) -> list[str]:
    """Return the host names to answer to; production needs a list of them, without ``*``
    (which would answer any Host header, and so build links and password-reset mails with it)."""
    if debug:
        return hosts
    if not hosts:
        raise ImproperlyConfigured("ALLOWED_HOSTS is not set: list the host names the portal answers to.")
    if any("*" in host for host in hosts):
        raise ImproperlyConfigured(
            "ALLOWED_HOSTS holds '*': production answers only to the host names it lists (e.g. zf.example.gov.cn)."
        )
    return hosts


SECRET_KEY = check_secret_key(env_str("SECRET_KEY"), debug=DEBUG)

# The audit trail is sealed with an HMAC; rotating this key makes old rows fail verification,
# so it is kept apart from SECRET_KEY where a deployment wants to rotate that one.
# verify_audit warns when audit rows have waited longer than this (seconds) for a checkpoint.
AUDIT_CHECKPOINT_MAX_AGE = env_int("AUDIT_CHECKPOINT_MAX_AGE", 3600)
AUDIT_KEY = check_secret_key(env_str("AUDIT_KEY", SECRET_KEY), debug=DEBUG, name="AUDIT_KEY")

ALLOWED_HOSTS = check_allowed_hosts(
    env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else []), debug=DEBUG
)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "guardian",
    "axes",
    "django_htmx",
    "pengjiang_enforcement.apps.CoreConfig",
    "powers",
    "cases",
    "supervision",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "pengjiang_enforcement.middleware.RequestIDMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "pengjiang_enforcement.middleware.NoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: it turns a refused sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
    # After every other middleware's process_view (the CSRF check first): a form sent twice
    # does its work once (pengjiang_enforcement/submissions.py).
    "pengjiang_enforcement.submissions.SubmitOnceMiddleware",
]

ROOT_URLCONF = "pengjiang_enforcement.urls"
WSGI_APPLICATION = "pengjiang_enforcement.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "pengjiang_enforcement.context_processors.portal",
            ],
            # The 12345 hotline is a package inside the cases app, not an app of its own, so its
            # template tags are registered here rather than found in an app's templatetags/.
            "libraries": {"hotline_tags": "cases.hotline.templatetags"},
            # {% csrf_token %} also renders the form's submission token (submissions.py).
            "builtins": ["pengjiang_enforcement.templatetags.submission"],
        },
    },
]

# --- database: PostgreSQL only -----------------------------------------------------------------
_database_url = env_str("DATABASE_URL")
if not _database_url:
    raise ImproperlyConfigured(
        "DATABASE_URL is not set. `make run` and `make test` start an embedded PostgreSQL when it is "
        "unset; otherwise point it at a server, e.g. postgres://postgres@127.0.0.1:5432/pengjiang."
    )
_database = dj_database_url.parse(
    _database_url,
    conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
    conn_health_checks=True,
)
if _database["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured(
        "DATABASE_URL must point at PostgreSQL (postgres://...): no other database is supported."
    )
# The planner's default cost of a random page read (4) describes spinning disks; with the working
# set in memory or on SSD it prefers walking the primary key backwards and discarding other
# townships' rows over the township indexes the queues are built on. Set per connection (an empty
# value leaves the server's setting, e.g. behind a pooler that refuses startup options).
_planner_options = env_str("DATABASE_PLANNER_OPTIONS", "-c random_page_cost=1.1")
if _planner_options:
    _database.setdefault("OPTIONS", {})["options"] = _planner_options
DATABASES = {"default": _database}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis and Celery ----------------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
if not REDIS_URL:
    raise ImproperlyConfigured(
        "REDIS_URL is not set. `make run` and `make test` start an embedded Redis when it is unset; "
        "otherwise point it at a server, e.g. redis://127.0.0.1:6379/0."
    )

CELERY_BROKER_URL = REDIS_URL
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# Jobs users care about have their own database rows; Celery results are not kept.
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A task that runs away is stopped: first asked (soft limit: the job is marked failed with a
# message), then killed. The largest 12345 export takes a few minutes; the limits leave room.
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 30 * 60)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 35 * 60)
# What an import accepts of a row: dates between IMPORT_DATE_MIN and a year (by default) ahead,
# cells of at most IMPORT_MAX_CELL_CHARS characters (Excel's own limit); anything else is an error of
# that row, named with its row number, and the other rows import.
IMPORT_DATE_MIN = datetime.date.fromisoformat(env_str("IMPORT_DATE_MIN", "2000-01-01") or "2000-01-01")
IMPORT_DATE_MAX_DAYS_AHEAD = env_int("IMPORT_DATE_MAX_DAYS_AHEAD", 366)
IMPORT_MAX_CELL_CHARS = env_int("IMPORT_MAX_CELL_CHARS", 32767)
# How long a sent form's token is remembered (a repeat within it shows the first result).
SUBMISSION_KEEP_HOURS = env_int("SUBMISSION_KEEP_HOURS", 48)
# What any spreadsheet reader accepts of a file as a whole (pengjiang_enforcement.tabular_limits):
# past one of these the file is refused with the reason, and the worker's memory stays bounded.
TABLE_MAX_UNZIPPED_BYTES = env_int("TABLE_MAX_UNZIPPED_BYTES", 1024 * 1024 * 1024)
TABLE_MAX_RATIO = env_int("TABLE_MAX_RATIO", 100)
TABLE_MAX_ROWS = env_int("TABLE_MAX_ROWS", 500_000)
TABLE_MAX_COLUMNS = env_int("TABLE_MAX_COLUMNS", 1000)
TABLE_MAX_CELL_CHARS = env_int("TABLE_MAX_CELL_CHARS", 4_000_000)
TABLE_MAX_SHARED_STRINGS = env_int("TABLE_MAX_SHARED_STRINGS", 1_000_000)
TABLE_MAX_SHARED_STRING_CHARS = env_int("TABLE_MAX_SHARED_STRING_CHARS", 50_000_000)
TABLE_MAX_FILE_CHARS = env_int("TABLE_MAX_FILE_CHARS", 100_000_000)
# The catalogue's preview keeps the rows of its file in memory: a tighter bound on its text.
CATALOGUE_IMPORT_MAX_CHARS = env_int("CATALOGUE_IMPORT_MAX_CHARS", 20_000_000)
# A running job whose worker has not reported for this long (seconds) counts as stalled.
JOB_STALE_AFTER = env_int("JOB_STALE_AFTER", 300)
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULE_FILENAME = env_str("CELERY_BEAT_SCHEDULE_FILENAME", str(BASE_DIR / "var" / "celerybeat-schedule"))
CELERY_BEAT_SCHEDULE = {
    "audit-checkpoint": {
        "task": "core.audit_checkpoint",
        "schedule": 600.0,
    },
    # Jobs whose worker was killed, whose task was lost, or whose task the broker refused while
    # it was down are queued again without anyone pressing Resume.
    "core-sweep-jobs": {
        "task": "core.sweep_jobs",
        "schedule": 60.0,
    },
    "core-forget-submissions": {
        "task": "core.forget_submissions",
        "schedule": 3600.0,
    },
    # Adjustments take effect on their date: shortly after midnight, and every quarter hour
    # after that in case the beat was down at midnight (applying twice changes nothing).
    "powers-apply-due-adjustments": {
        "task": "powers.apply_due_adjustments",
        "schedule": crontab(minute="1,15,30,45"),
    },
    # The maintained figures are appended to by every write; folding them keeps each figure a
    # handful of rows (cases.models.figures).
    "cases-compact-figures": {
        "task": "cases.compact_figures",
        "schedule": 60.0,
    },
    # Deadlines due soon or overdue become notifications; hourly, so a deadline moved by an
    # extension or a new case is picked up the same day. Running twice notifies nobody twice.
    "cases-deadline-notifications": {
        "task": "cases.scan_deadlines",
        "schedule": 3600.0,
    },
}

# --- authentication and permissions ----------------------------------------------------------
AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out user name + address before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
# No guardian "AnonymousUser" row: the public pages need no object permissions.
ANONYMOUS_USER_NAME = None
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)
# Sessions are read from the shared Redis cache on every request and written through to the
# database, so a restarted Redis signs nobody out; a page costs no session query.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# --- failed sign-ins: throttling and lockout (django-axes) -----------------------------------
# An office signs in from behind one NAT address, so locking an address would lock the whole
# office out because of one person's typos (or one attacker). The lock is on the pair
# user name + address: guessing one account's password stops after AXES_FAILURE_LIMIT tries,
# colleagues at the same address and the same person elsewhere can still sign in.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_MINUTES = env_int("AXES_COOLOFF_MINUTES", 15)
if AXES_FAILURE_LIMIT < 1 or AXES_COOLOFF_MINUTES < 1:
    raise ImproperlyConfigured("AXES_FAILURE_LIMIT and AXES_COOLOFF_MINUTES must be at least 1.")
AXES_COOLOFF_TIME = datetime.timedelta(minutes=AXES_COOLOFF_MINUTES)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# Rotating addresses against one user name, or user names from one address, fills no pair: those
# failures are also counted per user name and per address, each against a higher limit, over the
# same cool-off (pengjiang_enforcement/lockout.py). The address limit stays well above what an
# office of people mistyping behind one address reaches in AXES_COOLOFF_MINUTES.
AXES_HANDLER = "pengjiang_enforcement.lockout.PortalLockoutHandler"
AXES_USERNAME_FAILURE_LIMIT = env_int("AXES_USERNAME_FAILURE_LIMIT", 20)
AXES_ADDRESS_FAILURE_LIMIT = env_int("AXES_ADDRESS_FAILURE_LIMIT", 50)
if min(AXES_USERNAME_FAILURE_LIMIT, AXES_ADDRESS_FAILURE_LIMIT) < AXES_FAILURE_LIMIT:
    raise ImproperlyConfigured(
        "AXES_USERNAME_FAILURE_LIMIT and AXES_ADDRESS_FAILURE_LIMIT must be at least AXES_FAILURE_LIMIT."
    )
# The lock lasts AXES_COOLOFF_MINUTES from the failure that set it, whatever is tried in the
# meantime, so the minutes the page announces are true.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# A successful sign-in forgets the earlier typos of that user name + address.
AXES_RESET_ON_SUCCESS = True
# Sign-ins are already in the audit trail; axes' own log of every success would only grow.
AXES_DISABLE_ACCESS_LOG = True
AXES_HTTP_RESPONSE_CODE = 429
# Failures are still logged (WARNING, user name and address masked); no banner at every start.
AXES_VERBOSE = False
# The sign-in page in the portal's layout says how long the lock lasts (not axes' bare text).
AXES_LOCKOUT_CALLABLE = "pengjiang_enforcement.views.account.locked_out"

# --- language and time -----------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "pengjiang_enforcement" / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True

# --- static assets and uploaded files --------------------------------------------------------
STATIC_URL = "/static/"
# In development the files are served from STATICFILES_DIRS; collectstatic fills STATIC_ROOT.
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "var" / "static")))
if DEBUG:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns about a missing folder
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
# Where `manage.py backup` (`make backup`) writes its archives unless told otherwise.
BACKUP_DIR = Path(env_str("BACKUP_DIR", str(BASE_DIR / "var" / "backups")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# --- security behind HTTPS -------------------------------------------------------------------
HTTPS = env_bool("HTTPS", default=False)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and env_bool("SECURE_SSL_REDIRECT", default=True)
# The container's health check asks over plain HTTP from inside; a redirect would fail it.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 365 * 24 * 3600)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=True)
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Content-Security-Policy (django-csp): everything from the portal itself, no inline script or
# style (templates keep them in static/js and static/css), no frames, no plugins. Bootstrap draws
# some icons (the select arrow, the close cross) as data: images.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- caches and logging ----------------------------------------------------------------------
# One cache shared by every web process and worker (the calendar's override generation lives
# there, so a day changed anywhere counts everywhere at once). Keys are namespaced by the
# database name (see pengjiang_enforcement/cache.py): two portals on one Redis, or parallel test
# runs, never read each other's keys. The Celery broker shares the Redis database, so never call
# cache.clear() (Redis' FLUSHDB would empty the task queue too); delete the keys you own.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "pengjiang",
        "KEY_FUNCTION": "pengjiang_enforcement.cache.make_key",
        # A Redis that stops answering slows a page by this much, not forever.
        "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
    }
}

# --- e-mail: errors reach the administrators --------------------------------------------------
# ADMINS="Chen Li <chen@example.gov.cn>, ops@example.gov.cn" receive every ERROR log record
# (a failed request, a failed task, an import that stopped) with its traceback.
ADMINS = env_addresses("ADMINS")
SERVER_EMAIL = env_str("SERVER_EMAIL", "pengjiang-portal@localhost")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", SERVER_EMAIL)
EMAIL_SUBJECT_PREFIX = env_str("EMAIL_SUBJECT_PREFIX", "[Pengjiang portal] ")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", default=False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("Set EMAIL_USE_TLS (STARTTLS, port 587) or EMAIL_USE_SSL (port 465), not both.")
EMAIL_PORT = env_int("EMAIL_PORT", 465 if EMAIL_USE_SSL else 587 if EMAIL_USE_TLS else 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
# Error mail is sent from the failing request or task itself: a mail server that does not
# answer must not hold it for long.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)

# --- error tracking (optional): Sentry or a compatible server ---------------------------------
SENTRY_DSN = env_str("SENTRY_DSN")
if SENTRY_DSN:
    from .monitoring import init_sentry

    init_sentry(
        dsn=SENTRY_DSN,
        environment=env_str("SENTRY_ENVIRONMENT", "production"),
        traces_sample_rate=env_float("SENTRY_TRACES_SAMPLE_RATE", 0.0),
    )

LOG_LEVEL = env_str("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "filters": {
        "request_id": {"()": "pengjiang_enforcement.middleware.RequestIDLogFilter"},
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["request_id"]},
        # Sends nothing while ADMINS is empty (Django's handler returns at once), so it can
        # always be in place; in development (DEBUG) the traceback is on the screen instead.
        "mail_admins": {
            "level": "ERROR",
            "class": "django.utils.log.AdminEmailHandler",
            "filters": ["require_debug_false", "request_id"],
            "formatter": "plain",
        },
    },
    # On the root logger: django.request, Celery (celery.app.trace logs a failed task) and the
    # portal's own modules all propagate here.
    "root": {"handlers": ["console", "mail_admins"], "level": LOG_LEVEL},
    "loggers": {
        # Named so Django's default handlers on it (its own console and mail_admins) are
        # replaced: otherwise a failed request would be mailed twice.
        "django": {"handlers": [], "level": LOG_LEVEL, "propagate": True},
        "django.db.backends": {"level": "INFO"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# --- the portal's own settings ---------------------------------------------------------------
# Data migrations that load reference data (each defines an idempotent ``forwards(apps, schema_editor)``).
# Transactional tests re-run them after a flush; later apps append their own.
REFERENCE_DATA_MIGRATIONS = [
    ("core", ["0003_roles", "0004_organisation"]),
    ("powers", ["0002_roles"]),
    ("powers", ["0006_catalogue_adjustment_approval_opinion"]),
    ("cases", ["0002_roles", "0003_reference_data"]),
    ("cases", ["0101_hotline_roles", "0102_hotline_gazetteer"]),
    ("cases", ["0109_party_contact_permission"]),
    ("cases", ["0113_home_figures"]),
    ("cases", ["0117_simple_procedure"]),
]
# The dynamic evaluation of the catalogue flags an item whose (late + overturned) / closed
# cases reach this rate, once at least POWERS_EVALUATION_MIN_CLOSED of its cases closed in the
# period. An evaluator may choose other thresholds for one run.
POWERS_EVALUATION_ERROR_RATE = env_str("POWERS_EVALUATION_ERROR_RATE", "0.2")
POWERS_EVALUATION_MIN_CLOSED = env_int("POWERS_EVALUATION_MIN_CLOSED", 5)
# A catalogue change dated further ahead than this many days is saved with a warning (a typed year).
POWERS_FAR_AHEAD_DAYS = env_int("POWERS_FAR_AHEAD_DAYS", 365)
PORTAL_NAME = _("Pengjiang Township Enforcement Portal")
# How long /healthz waits for a Celery worker to answer a ping, in seconds.
HEALTHZ_WORKER_TIMEOUT = float(env_str("HEALTHZ_WORKER_TIMEOUT", "1.0"))
# Largest evidence file accepted, in bytes (photos, scans, short videos, recordings).
CASES_UPLOAD_MAX_BYTES = env_int("CASES_UPLOAD_MAX_BYTES", 50 * 1024 * 1024)
# Most rows one XLSX export of a case list holds (narrow the filters for more).
CASES_EXPORT_MAX_ROWS = env_int("CASES_EXPORT_MAX_ROWS", 50000)
# Password printed by `make run` and set on the demo users by `load_demo`.
DEMO_PASSWORD = env_str("DEMO_PASSWORD", "pengjiang-demo-2026")
