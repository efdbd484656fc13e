"""The only settings module: everything that varies comes from COMPTOIR_* environment variables.

Defaults are the embedded mode: an SQLite file in ./data, outgoing mail captured in the database,
tasks stored in the same database and run by an in-process worker (``comptoir run``).
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("COMPTOIR_DATA_DIR", Path.cwd() / "data")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = _env_bool("COMPTOIR_DEBUG", False)
TESTING = _env_bool("COMPTOIR_TESTING", False)

SECRET_KEY = os.environ.get("COMPTOIR_SECRET_KEY", "")
if not SECRET_KEY:
    # Embedded mode: a per-installation key kept beside the database, never a shared constant.
    _key_file = DATA_DIR / "secret_key"
    if not _key_file.exists():
        import secrets

        _key_file.write_text(secrets.token_urlsafe(50))
        _key_file.chmod(0o600)
    SECRET_KEY = _key_file.read_text().strip()

BASE_URL = os.environ.get("COMPTOIR_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get(
        "COMPTOIR_ALLOWED_HOSTS", f"127.0.0.1,localhost,testserver,{urlsplit(BASE_URL).hostname}"
    ).split(",")
    if h.strip()
]
CSRF_TRUSTED_ORIGINS = [f"{urlsplit(BASE_URL).scheme}://{urlsplit(BASE_URL).netloc}"]
CSRF_FAILURE_VIEW = "comptoir.common.views.csrf_failure"  # the site's own page, in the visitor's language

INSTALLED_APPS = [
    "comptoir.accounts.admin_config.ComptoirAdminConfig",  # django.contrib.admin, superusers only
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # django-ninja's templates and static files: /api/v1/docs serves Swagger UI from here, not a CDN.
    "ninja",
    "django_htmx",
    "template_partials",
    "django_tasks",
    "django_tasks_db",
    "comptoir.common",
    "comptoir.accounts",
    "comptoir.routing",
    "comptoir.sla",
    "comptoir.customers",
    "comptoir.tickets",
    "comptoir.outbox",
    "comptoir.triage",
    "comptoir.assignment",
    "comptoir.notifications",
    "comptoir.macros",
    "comptoir.worklists",
    "comptoir.knowledge",
    "comptoir.search",
    "comptoir.voice",
    "comptoir.surveys",
    "comptoir.incidents",
    "comptoir.insights",
    "comptoir.intake",
    "comptoir.channels",
    "comptoir.desk",
    "comptoir.portal",
    "comptoir.api",
    "comptoir.console",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # Inside LocaleMiddleware (errors in the request's language), around everything else.
    "comptoir.common.middleware.ApiJsonErrorsMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "comptoir.common.middleware.SecurityHeadersMiddleware",
    # Innermost: the 405 page it renders gets the headers above and the CSRF cookie.
    "comptoir.common.middleware.MethodNotAllowedPageMiddleware",
]

ROOT_URLCONF = "comptoir.urls"
WSGI_APPLICATION = "comptoir.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
# Every login path (desk, admin) is throttled by this backend (issue 8).
AUTHENTICATION_BACKENDS = ["comptoir.accounts.throttle.ThrottledModelBackend"]
LOGIN_URL = "desk:login"
LOGIN_REDIRECT_URL = "desk:queue"
LOGOUT_REDIRECT_URL = "desk:login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    }
]

# --- Database -----------------------------------------------------------------------------------
DATABASE_URL = os.environ.get("COMPTOIR_DATABASE_URL", "")
if DATABASE_URL:
    _db = dj_database_url.parse(DATABASE_URL, conn_max_age=60)
else:
    _db = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(DATA_DIR / "comptoir.sqlite3")}
if _db["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside the single writer; IMMEDIATE transactions take the write lock
    # up front so two writers queue on the busy timeout instead of failing with "locked".
    _db["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
            "PRAGMA busy_timeout=20000; PRAGMA cache_size=-65536; PRAGMA temp_store=MEMORY;"
        ),
    }
    _db.pop("CONN_MAX_AGE", None)
    # Tests use a file too (not shared-cache memory), so locking behaves as in production.
    _db["TEST"] = {"NAME": str(DATA_DIR / "test_comptoir.sqlite3")}
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (rate limits) ------------------------------------------------------------------------
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "comptoir",
    }
}
RATELIMIT_USE_CACHE = "default"
# COMPTOIR_RATELIMIT=0 turns every rate limit off: for load benchmarks only (bench/peer_http.py), where
# one address posts hundreds of forms a minute. Never in production: the limits are the defence.
RATELIMIT_ENABLE = _env_bool("COMPTOIR_RATELIMIT", True)
# Rates, as "<count>/<period>" (django-ratelimit syntax).
COMPTOIR_PORTAL_RATE = os.environ.get("COMPTOIR_PORTAL_RATE", "10/m")
COMPTOIR_LOGIN_RATE = os.environ.get("COMPTOIR_LOGIN_RATE", "10/m")
# Client addresses of reverse proxies whose X-Forwarded-For we believe; empty: trust none.
COMPTOIR_TRUSTED_PROXIES = [
    p.strip() for p in os.environ.get("COMPTOIR_TRUSTED_PROXIES", "").split(",") if p.strip()
]

# --- Tasks --------------------------------------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": os.environ.get("COMPTOIR_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# --- Triage and assignment (issue 4) ------------------------------------------------------------
# Below this classifier confidence a new ticket goes to the triage queue instead of a category.
COMPTOIR_TRIAGE_MIN_CONFIDENCE = float(os.environ.get("COMPTOIR_TRIAGE_MIN_CONFIDENCE", "0.5"))
# The organisation's own model, written by `comptoir triage train`; the shipped starter model
# is used until it exists.
COMPTOIR_TRIAGE_MODEL = Path(os.environ.get("COMPTOIR_TRIAGE_MODEL", DATA_DIR / "triage-model"))
# So many outage reports within an hour make the next one P1 (an outage affecting many).
COMPTOIR_TRIAGE_OUTAGE_TICKETS = int(os.environ.get("COMPTOIR_TRIAGE_OUTAGE_TICKETS", "10"))
# Dotted path of a function (text, language) -> priority or None: the sentiment hook (issue 12:
# the voice app's, which returns COMPTOIR_SENTIMENT_PRIORITY for an angry or distressed message).
COMPTOIR_SENTIMENT_HOOK = os.environ.get(
    "COMPTOIR_SENTIMENT_HOOK", "comptoir.voice.services.sentiment_priority"
)
# Issue 12, voice of the customer: a negative message with a support cue (anger words, repeated
# contact, capitals, "!!!"), or whose p(negative) reaches this without one, or that carries one of
# the strong cues (whatever the probability, unless positive), marks the ticket unhappy and alerts
# its assignee and team supervisors once. Calm complaints ("my bill is wrong") score 0.8-0.9.
COMPTOIR_SENTIMENT_ALERT_NEGATIVE = float(os.environ.get("COMPTOIR_SENTIMENT_ALERT_NEGATIVE", "0.95"))
COMPTOIR_SENTIMENT_STRONG_CUES = tuple(
    c.strip()
    for c in os.environ.get("COMPTOIR_SENTIMENT_STRONG_CUES", "churn threat").split(",")
    if c.strip()
)
# The priority such a message raises its ticket to (never lowers it); empty: no raise.
COMPTOIR_SENTIMENT_PRIORITY = os.environ.get("COMPTOIR_SENTIMENT_PRIORITY", "P2")
# A ticket whose customer-effort score (voice.effort) reaches this is flagged high effort.
COMPTOIR_EFFORT_HIGH = int(os.environ.get("COMPTOIR_EFFORT_HIGH", "6"))
# Issue 12, surveys: seconds after the resolution before the survey leaves (0: at once).
COMPTOIR_SURVEY_DELAY = int(os.environ.get("COMPTOIR_SURVEY_DELAY", "3600"))
# Quality figures (issue 12): the categories whose tickets count as complaints (slugs).
_complaints = os.environ.get("COMPTOIR_COMPLAINT_CATEGORIES", "complaint")
COMPTOIR_COMPLAINT_CATEGORIES = tuple(slug.strip() for slug in _complaints.split(",") if slug.strip())
# A junior's public reply on a P1/P2 ticket waits for their senior's approval.
COMPTOIR_PAIRING_APPROVAL = _env_bool("COMPTOIR_PAIRING_APPROVAL", True)

# --- Email --------------------------------------------------------------------------------------
EMAIL_URL = os.environ.get("COMPTOIR_EMAIL_URL", "")
DEFAULT_FROM_EMAIL = os.environ.get("COMPTOIR_FROM_EMAIL", "support@comptoir.localhost")
# The address customers write to; replies go to support+t<ticket>-<mac>@ its domain.
COMPTOIR_SUPPORT_ADDRESS = os.environ.get("COMPTOIR_SUPPORT_ADDRESS", DEFAULT_FROM_EMAIL).lower()
# Inbound email: the shared secret of the provider webhook, the SMTP receiver's accepted
# recipients (empty: every recipient), the IMAP mailbox polled by `comptoir fetchmail`.
COMPTOIR_INBOUND_SECRET = os.environ.get("COMPTOIR_INBOUND_SECRET", "")
COMPTOIR_SMTPD_RECIPIENTS = [
    a.strip().lower() for a in os.environ.get("COMPTOIR_SMTPD_RECIPIENTS", "").split(",") if a.strip()
]
COMPTOIR_IMAP_URL = os.environ.get("COMPTOIR_IMAP_URL", "")
# RFC 8601 authserv-ids of the receiving servers whose Authentication-Results headers are
# believed (the MTA or mailbox provider in front of Comptoir); any other's are ignored.
COMPTOIR_AUTHSERV_ID = [
    a.strip().lower() for a in os.environ.get("COMPTOIR_AUTHSERV_ID", "").split(",") if a.strip()
]
# SMS: the gateway's auth token signs its webhooks (Twilio scheme); outgoing texts go through
# COMPTOIR_SMS_BACKEND (default: kept in the database and shown to staff, like captured mail).
COMPTOIR_SMS_AUTH_TOKEN = os.environ.get("COMPTOIR_SMS_AUTH_TOKEN", "")
COMPTOIR_SMS_BACKEND = os.environ.get("COMPTOIR_SMS_BACKEND", "comptoir.outbox.sms.DatabaseSmsBackend")
COMPTOIR_SMS_FROM = os.environ.get("COMPTOIR_SMS_FROM", "")
COMPTOIR_MAX_EMAIL_BYTES = int(os.environ.get("COMPTOIR_MAX_EMAIL_BYTES", 40 * 1024**2))
if EMAIL_URL:
    _mail = urlsplit(EMAIL_URL)
    _q = parse_qs(_mail.query)
    if _mail.scheme not in {"smtp", "smtps", "smtp+tls"}:
        raise ImproperlyConfigured(
            "COMPTOIR_EMAIL_URL must be smtp://, smtp+tls:// or smtps:// (got another scheme)"
        )
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _mail.hostname or "127.0.0.1"
    EMAIL_PORT = _mail.port or (465 if _mail.scheme == "smtps" else 25)
    EMAIL_HOST_USER = unquote(_mail.username or "")
    EMAIL_HOST_PASSWORD = unquote(_mail.password or "")
    EMAIL_USE_SSL = _mail.scheme == "smtps"
    EMAIL_USE_TLS = _mail.scheme == "smtp+tls"
    EMAIL_TIMEOUT = int(_q.get("timeout", ["15"])[0])
else:
    EMAIL_BACKEND = "comptoir.outbox.mail_capture.CaptureBackend"
# Outbox retry: delays in seconds between attempts; after the last one a delivery is failed.
COMPTOIR_OUTBOX_BACKOFF = [30, 120, 600, 1800, 7200]
# A sender holds a delivery for this many seconds; if it dies, the sweep resends it (same
# Message-ID) once the lease has expired. Keep it well above the SMTP timeout.
COMPTOIR_OUTBOX_LEASE = int(os.environ.get("COMPTOIR_OUTBOX_LEASE", "60"))
# Worker safety nets: how often the sweeps run, when a task row still RUNNING is deemed lost
# with its worker, and how long finished task rows are kept.
COMPTOIR_SWEEP_EVERY = float(os.environ.get("COMPTOIR_SWEEP_EVERY", "15"))
# How often the worker polls the outbox for due deliveries, and the tickets for due SLA instants.
COMPTOIR_OUTBOX_POLL = float(os.environ.get("COMPTOIR_OUTBOX_POLL", "0.5"))
COMPTOIR_SLA_POLL = float(os.environ.get("COMPTOIR_SLA_POLL", "2"))
COMPTOIR_TASK_LOST_AFTER = int(os.environ.get("COMPTOIR_TASK_LOST_AFTER", "600"))
COMPTOIR_TASK_RETENTION_DAYS = int(os.environ.get("COMPTOIR_TASK_RETENTION_DAYS", "7"))

# --- Files --------------------------------------------------------------------------------------
MEDIA_ROOT = Path(os.environ.get("COMPTOIR_MEDIA_ROOT", DATA_DIR / "attachments"))
# Attachments are only ever served through permission-checking views. MEDIA_URL names a host
# that does not exist so that nothing (Django's test server included) serves MEDIA_ROOT directly.
MEDIA_URL = "https://media.invalid/"
COMPTOIR_MAX_ATTACHMENT_BYTES = int(os.environ.get("COMPTOIR_MAX_ATTACHMENT_BYTES", 10 * 1024**2))
COMPTOIR_ALLOWED_ATTACHMENT_TYPES = [
    "application/pdf",
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "text/plain",
    "text/csv",
    "application/zip",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/msword",
    "application/vnd.ms-excel",
    "application/vnd.oasis.opendocument.text",
]
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024**2
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024**2

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# --- i18n ---------------------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = os.environ.get("COMPTOIR_TIME_ZONE", "America/Toronto")
USE_TZ = True

# --- Security -----------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
_https = BASE_URL.startswith("https://")
SESSION_COOKIE_SECURE = _https
CSRF_COOKIE_SECURE = _https
SECURE_SSL_REDIRECT = _https and _env_bool("COMPTOIR_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = 31536000 if _https else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = _https
SECURE_HSTS_PRELOAD = False
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_AGE = 60 * 60 * 12
# W008: no SSL redirect when the base URL is plain http (embedded mode on localhost).
# W021: HSTS preload commits the whole domain irreversibly; operators opt in themselves.
SILENCED_SYSTEM_CHECKS = ["security.W021"] + (["security.W008"] if not _https else [])
if _https and _env_bool("COMPTOIR_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

PASSWORD_HASHERS = (
    ["django.contrib.auth.hashers.MD5PasswordHasher"]
    if TESTING
    else [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.ScryptPasswordHasher",
    ]
)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "filters": {"refusals": {"()": "comptoir.common.log_filters.RefusalWithoutTraceback"}},
    "loggers": {
        # A 403 is an expected outcome: one line, no traceback (issue 10).
        "django.request": {"filters": ["refusals"]},
        "comptoir": {"handlers": ["console"], "level": os.environ.get("COMPTOIR_LOG", "INFO")},
        "django_tasks_db": {"handlers": ["console"], "level": "WARNING"},
    },
}
