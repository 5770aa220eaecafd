"""The one settings module of qms, driven by environment variables (see README, "Production")."""

import datetime
import os
import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from qms.env import (
    env_bool,
    env_int,
    env_list,
    env_str,
    env_url,
    filesystem_broker_options,
    secret_key_file,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("QMS_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)
TESTING = env_bool("QMS_TESTING", False) or "pytest" in sys.modules
# Nothing set: a random key generated once into var/secret_key (mode 0600), never in the repository.
SECRET_KEY = env_str("SECRET_KEY", "") or secret_key_file(VAR_DIR / "secret_key")
# Earlier keys still accepted while sessions, reset links and API tokens move to the new one: API
# tokens are signed with SECRET_KEY, so a key is retired only through this list (README "API").
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS", [])
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "qms",
    "documents",
    "audits",
    "indicators",
    # Only for its API token admin (tokens of service accounts); its routes are not mounted.
    "wagtail.api.v3",
    # django-ninja's templates and static files: the API docs page (indicators/api/) loads Swagger
    # UI from this server, not from a CDN.
    "ninja",
    "wagtail.contrib.settings",
    "wagtail.contrib.routable_page",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "simple_history",
    "django_celery_beat",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
]

if TESTING:
    # A test-only app that plugs into the core's extension points (tests/extension).
    INSTALLED_APPS.append("tests.extension")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "qms.middleware.VietnameseFirstMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "qms.middleware.NFCInputMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "qms.middleware.DailyRightsMiddleware",
    "qms.middleware.PermissionCacheMiddleware",
    "qms.middleware.ProtectedDeleteMiddleware",
    # Last, as django-axes asks: turns a locked-out login into the lock-out page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "qms.urls"
WSGI_APPLICATION = "qms.wsgi.application"

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
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

# Database: SQLite (WAL, IMMEDIATE transactions so web, worker and beat write side by side) unless
# DATABASE_URL names another one.
DATABASE_URL = env_url(
    "DATABASE_URL",
    f"sqlite:///{VAR_DIR / 'qms.sqlite3'}",
    schemes={"sqlite", "postgres", "postgresql", "pgsql"},
)
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 0, minimum=0)
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # A file (not memory) so that worker processes started by tests see the same data; one per
    # test process so parallel runs do not share it.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Language, time: Vietnamese first, English one click away.
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
# locale/ holds qms's own strings; locale_overrides/ completes Wagtail's and Django's Vietnamese.
# locale/ stays first: `makemessages` writes every project file's strings into the first entry, so
# the completions are never touched (nor marked obsolete) by it. They do not overlap (en / vi).
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale_overrides"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
# Django's vi locale defines no input formats, so 03/04/2025 would be read as 4 March.
FORMAT_MODULE_PATH = ["qms.formats"]
WAGTAIL_DATE_FORMAT = "%d/%m/%Y"
WAGTAIL_DATETIME_FORMAT = "%d/%m/%Y %H:%M"
WAGTAIL_TIME_FORMAT = "%H:%M"
# Every office works on Vietnamese time and due times are computed on it, so the account page
# offers no time zone (the host's zone list also holds pseudo-zones such as "localtime", which
# browsers refuse: "RangeError: Invalid time zone specified").
WAGTAIL_USER_TIME_ZONES = [TIME_ZONE]

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not (DEBUG or TESTING)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000
# Largest CSV/XLSX file an import reads (qms.tabular), refused with its size named.
QMS_IMPORT_MAX_BYTES = env_int("QMS_IMPORT_MAX_MB", 10, minimum=1) * 1024 * 1024

# E-mail (outbox table, sent by a Celery task).
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    # qms.mail.EmailBackend is Django's SMTP backend telling the outbox whether a failure came
    # before the message data (retried) or after (uncertain, never resent automatically).
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "qms.mail.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("EMAIL_USE_TLS and EMAIL_USE_SSL cannot both be on.")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "qms@localhost")
# Seconds each SMTP socket operation may wait (Django waits forever by default).
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30, minimum=1)
# Failures before the message data are retried this many times in all, waiting EMAIL_RETRY_DELAY
# seconds after the first failure and twice as long after each next one.
EMAIL_MAX_ATTEMPTS = env_int("EMAIL_MAX_ATTEMPTS", 5, minimum=1)
EMAIL_RETRY_DELAY = env_int("EMAIL_RETRY_DELAY", 300, minimum=1)
# A claim older than this without a result is marked uncertain (checked by qms.checks to exceed
# the task time limit plus EMAIL_TIMEOUT, so a live sending task is never swept).
EMAIL_CLAIM_TIMEOUT = env_int("EMAIL_CLAIM_TIMEOUT", 900, minimum=60)
# Used by django.core.mail.backends.filebased.EmailBackend (one file per message; dev and tests).
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Celery: Redis in production; an embedded filesystem broker when nothing is set.
BROKER_DIR = Path(env_str("QMS_BROKER_DIR", str(VAR_DIR / "broker")))
CELERY_BROKER_URL = env_url(
    "CELERY_BROKER_URL",
    "filesystem://",
    schemes={"filesystem", "redis", "rediss", "amqp", "memory"},
)
# Unit tests run tasks in-process; the worker tests start real workers on real brokers.
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", TESTING)
# An unacknowledged task is redelivered after this window (acks_late): every task must finish well
# inside it (qms.checks holds the task time limit to that), so only a dead worker's task is re-run.
CELERY_VISIBILITY_TIMEOUT = env_int("CELERY_VISIBILITY_TIMEOUT", 3600, minimum=60)
# A task is warned (SoftTimeLimitExceeded) then killed; qms.checks requires the hard limit plus
# EMAIL_TIMEOUT to stay below the visibility timeout, or Redis would hand a live task to a second
# worker.
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 600, minimum=10)
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 540, minimum=5)
if CELERY_TASK_SOFT_TIME_LIMIT >= CELERY_TASK_TIME_LIMIT:
    raise ImproperlyConfigured(
        f"CELERY_TASK_SOFT_TIME_LIMIT={CELERY_TASK_SOFT_TIME_LIMIT} must be below "
        f"CELERY_TASK_TIME_LIMIT={CELERY_TASK_TIME_LIMIT}."
    )
if CELERY_BROKER_URL.startswith("filesystem"):
    CELERY_BROKER_TRANSPORT_OPTIONS = filesystem_broker_options(BROKER_DIR)
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_VISIBILITY_TIMEOUT}
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

# Wagtail
WAGTAIL_SITE_NAME = "qms"
# The admin points to qms's own user guide, not to Wagtail's release notes.
WAGTAIL_ENABLE_WHATS_NEW_BANNER = False
WAGTAILADMIN_BASE_URL = env_str("WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000")
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "xlsx", "txt", "zip"]
# Files are private: documents are served by Wagtail's view after the policy's check (the
# before_serve_document hook), images by qms.views.media; MEDIA_ROOT is never served directly.
WAGTAILDOCS_SERVE_METHOD = "serve_view"
WAGTAILDOCS_DOCUMENT_FORM_BASE = "qms.uploads.DocumentForm"
QMS_UPLOAD_MAX_BYTES = env_int("QMS_UPLOAD_MAX_MB", 20, minimum=1) * 1024 * 1024
WAGTAILIMAGES_IMAGE_FORM_BASE = "qms.uploads.ImageForm"
WAGTAILIMAGES_MAX_UPLOAD_SIZE = QMS_UPLOAD_MAX_BYTES
WAGTAILIMAGES_EXTENSIONS = ["gif", "jpg", "jpeg", "png", "webp"]
WAGTAIL_I18N_ENABLED = False
WAGTAILADMIN_LOGIN_URL = "wagtailadmin_login"
# Intranet deployments: no avatar requests to an outside service, no release check from the
# dashboard (a failed fetch of releases.wagtail.org on every visit).
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_ENABLE_UPDATE_CHECK = False
# Approval (documents.workflow): an edit during review restarts it, so what is approved is what
# goes live; the finish action alone publishes a procedure (nobody holds that right by hand).
WAGTAIL_WORKFLOW_REQUIRE_REAPPROVAL_ON_EDIT = True
WAGTAIL_FINISH_WORKFLOW_ACTION = "documents.workflow.publish_approved"
LOGIN_URL = "wagtailadmin_login"

# HTTPS: on by default in production (DEBUG=0); off in development and tests. A plain-HTTP
# intranet sets QMS_HTTPS=0 (README, "Security"); each switch can also be set on its own.
QMS_HTTPS = env_bool("QMS_HTTPS", not DEBUG and not TESTING)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", QMS_HTTPS)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000 if QMS_HTTPS else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", QMS_HTTPS)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", QMS_HTTPS)
# Trust the reverse proxy's X-Forwarded-Proto: https (it must set or strip that header).
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("SECURE_PROXY_SSL_HEADER", QMS_HTTPS) else None
)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", QMS_HTTPS)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", SESSION_COOKIE_SECURE)
# A working day of office use; Wagtail's "remember me" unticked ends the session with the browser.
SESSION_COOKIE_AGE = env_int("SESSION_AGE_HOURS", 8, minimum=1) * 3600

# Login throttling (django-axes): failures counted per username and address together, since the
# offices of one agency share one address; the lock-out page is Wagtail's login with a message.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 10, minimum=1)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 30, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "qms.security.lockout_response"
AXES_HTTP_RESPONSE_CODE = 429
# Password-reset e-mails asked for from one address (qms.security.ThrottledPasswordResetView),
# counted in Django's cache: per process unless CACHE_URL names a Redis shared by all of them.
PASSWORD_RESET_LIMIT = env_int("PASSWORD_RESET_LIMIT", 5, minimum=1)
PASSWORD_RESET_WINDOW = env_int("PASSWORD_RESET_WINDOW_MINUTES", 60, minimum=1) * 60
CACHE_URL = env_url("CACHE_URL", "", schemes={"redis", "rediss"})
if CACHE_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
    }

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # Wagtail's reference-index tasks (django-tasks, run immediately) log every run at INFO.
    "loggers": {"django_tasks": {"level": "WARNING"}},
}
