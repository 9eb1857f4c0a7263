"""Styrbord settings. Every deploy-time value comes from the environment.

The default (no variables set) is the embedded mode: SQLite in ./var, in-process
background work, console e-mail. ``STYRBORD_ENV=production`` refuses to start
without a secret key, allowed hosts and a database URL.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url

from styrbord.lib.env import (
    ConfigurationError,
    envbool,
    envchoice,
    envhttps,
    envint,
    envlist,
    envrate,
    envsecret,
    envstr,
)

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(envstr("STYRBORD_DATA_DIR", str(Path.cwd() / "var")) or "var")

ENVIRONMENT = envchoice("STYRBORD_ENV", "development", ("development", "production", "test"))
PRODUCTION = ENVIRONMENT == "production"

# Off unless a developer turns it on: the embedded mode (the demo, a small municipality's own
# install) shows the Danish error pages, never Django's technical ones with paths and settings.
DEBUG = envbool("STYRBORD_DEBUG", False)
if PRODUCTION and DEBUG:
    raise ConfigurationError("STYRBORD_DEBUG must be false in production")

SECRET_KEY = envsecret(
    "STYRBORD_SECRET_KEY", required=PRODUCTION, dev_default="insecure-development-key-do-not-use-in-production"
)
# Keyed hash for turning a CPR number into a pseudonymous person key. Never reuse SECRET_KEY
# for it: rotating the session key must not change every person's identity.
PERSON_KEY_SECRET = envsecret(
    "STYRBORD_PERSON_KEY_SECRET", required=PRODUCTION, dev_default="insecure-person-key-secret-for-development"
)
# What the HR import does with a CPR column: "pseudonymise" (keyed hash) or "reject".
CPR_POLICY = envchoice("STYRBORD_CPR_POLICY", "pseudonymise", ("pseudonymise", "reject"))

ALLOWED_HOSTS = envlist(
    "STYRBORD_ALLOWED_HOSTS", [] if PRODUCTION else ["localhost", "127.0.0.1", "[::1]", "testserver"]
)
if PRODUCTION and not ALLOWED_HOSTS:
    raise ConfigurationError("STYRBORD_ALLOWED_HOSTS must list the host names in production")
CSRF_TRUSTED_ORIGINS = envlist("STYRBORD_CSRF_TRUSTED_ORIGINS", [])

_database_url = envstr("DATABASE_URL")
if PRODUCTION and not _database_url:
    raise ConfigurationError("DATABASE_URL must point at PostgreSQL in production")
if _database_url:
    DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=envint("STYRBORD_DB_CONN_MAX_AGE", 60))}
else:
    DATABASE_PATH = Path(envstr("STYRBORD_SQLITE_PATH", str(DATA_DIR / "styrbord.sqlite3")) or "")
    DATABASE_PATH.parent.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATABASE_PATH),
            # Kept open between requests, as on PostgreSQL: closing the last connection to a
            # WAL database checkpoints the log into the file on every request that wrote.
            "CONN_MAX_AGE": envint("STYRBORD_DB_CONN_MAX_AGE", 60),
            "OPTIONS": {
                # WAL lets the in-process worker write while pages read; IMMEDIATE avoids
                # "database is locked" on write upgrades inside transactions.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                # A 64 MB page cache and memory-mapped reads: bulk imports and large pages keep
                # their indexes in memory instead of re-reading pages from the file.
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA cache_size=-65536; PRAGMA mmap_size=268435456; PRAGMA temp_store=MEMORY;"
                ),
            },
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tasks",
    "django_tasks_db",
    "styrbord.web",
    "styrbord.organisations",
    "styrbord.staff",
    "styrbord.accounts",
    "styrbord.competences",
    "styrbord.requirements",
    "styrbord.workforce",
    "styrbord.training",
    "styrbord.funding",
    "styrbord.planning",
    "styrbord.reports",
    "styrbord.audit",
    "ninja",  # its Swagger UI from our own static files (the CDN page is blocked by the CSP)
    "styrbord.api",
    "styrbord.demo",
    "styrbord.bench",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "styrbord.web.language.DanishFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "styrbord.urls"
WSGI_APPLICATION = "styrbord.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "styrbord.web.context_processors.navigation",
                "styrbord.web.context_processors.site",
            ],
            "builtins": ["styrbord.web.templatetags.styrbord"],
        },
    }
]

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "accounts:login"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "da"
LANGUAGES = [("da", "Dansk"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
FORMAT_MODULE_PATH = ["styrbord.formats"]  # dates typed as 18-12-2024 in the administration too
USE_I18N = True
TIME_ZONE = "Europe/Copenhagen"
USE_TZ = True  # stored in UTC, shown in Europe/Copenhagen

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Outside production the static files are served from the apps' folders as they are (no
# collectstatic step), also with DEBUG off.
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = not PRODUCTION
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "/media/"

# Uploads: the largest file a person may upload, and the most an archive may unpack to.
DATA_UPLOAD_MAX_MEMORY_SIZE = envint("STYRBORD_UPLOAD_MAX_BYTES", 50 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
UPLOAD_MAX_BYTES = envint("STYRBORD_UPLOAD_MAX_BYTES", 50 * 1024 * 1024)
UPLOAD_MAX_UNPACKED_BYTES = envint("STYRBORD_UPLOAD_MAX_UNPACKED_BYTES", 500 * 1024 * 1024)

# Background work. Embedded: the database backend; `styrbord demo` starts a db_worker child process.
# Production: `styrbord db_worker` on as many machines as needed, or RQ over Redis (STYRBORD_TASK_BACKEND=redis and REDIS_URL).
TASK_BACKEND = envchoice("STYRBORD_TASK_BACKEND", "database", ("database", "redis", "immediate"))
REDIS_URL = envstr("REDIS_URL", "redis://127.0.0.1:6379/0")
if TASK_BACKEND == "database":
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "planning", "reports"]}}
elif TASK_BACKEND == "redis":
    # Workers: `styrbord rqworker --job-class django_tasks_rq.Job default planning reports`.
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    RQ_QUEUES = {name: {"URL": REDIS_URL} for name in ("default", "planning", "reports")}
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default", "planning", "reports"]}}
else:
    TASKS = {
        "default": {
            "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
            "QUEUES": ["default", "planning", "reports"],
        }
    }

EMAIL_BACKEND = envstr(
    "STYRBORD_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if PRODUCTION else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = envstr("STYRBORD_EMAIL_HOST", "localhost")
EMAIL_PORT = envint("STYRBORD_EMAIL_PORT", 25)
EMAIL_HOST_USER = envstr("STYRBORD_EMAIL_USER", "") or ""
EMAIL_HOST_PASSWORD = envstr("STYRBORD_EMAIL_PASSWORD", "") or ""
EMAIL_USE_TLS = envbool("STYRBORD_EMAIL_TLS", False)
DEFAULT_FROM_EMAIL = envstr("STYRBORD_EMAIL_FROM", "styrbord@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Security. In production behind TLS: secure cookies and HSTS.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = envint("STYRBORD_SESSION_SECONDS", 8 * 3600)
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_SSL_REDIRECT = envbool("STYRBORD_SSL_REDIRECT", PRODUCTION)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if envbool("STYRBORD_BEHIND_PROXY", PRODUCTION) else None
SECURE_HSTS_SECONDS = envint("STYRBORD_HSTS_SECONDS", 31536000 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_HSTS_PRELOAD = PRODUCTION
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# --- Security hardening, API, login throttling and municipal SSO (owned by accounts) ---------
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE  # noqa: E402

from styrbord.accounts import oidc_config  # noqa: E402

INSTALLED_APPS += [
    "csp",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
]
MIDDLEWARE.insert(MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1, "csp.middleware.CSPMiddleware")
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "styrbord.accounts.middleware.RoutePolicyMiddleware",
)
MIDDLEWARE += [
    "styrbord.accounts.middleware.SecurityHeadersMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "styrbord.audit.tracking.AdminChangeLogMiddleware",
    "styrbord.audit.refusals.RefusalLogMiddleware",
    "styrbord.api.idempotency.IdempotencyMiddleware",
    "styrbord.api.middleware.JsonMethodNotAllowedMiddleware",
]
AUTHENTICATION_BACKENDS = [
    # ModelBackend, but a closed login with the right password is told it is closed (see there).
    "styrbord.accounts.backends.LoginBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
CSRF_COOKIE_HTTPONLY = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# CSP: scripts only from our own origin or inline with the per-request nonce
# (templates: <script nonce="{{ request.csp_nonce }}">). Styles allow inline because progress
# bars use style="width: ..%" attributes and htmx/vega-embed inject their own small styles.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        # The municipal login form redirects to the identity provider, which form-action covers.
        "form-action": [SELF, *oidc_config.provider_origins(), *envlist("STYRBORD_CSP_FORM_ACTION", [])],
        "frame-ancestors": [NONE],
    }
}
# The cache holds login-throttle counters: use Redis when several processes serve requests.
if envstr("STYRBORD_CACHE") == "redis":
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "styrbord"}}
LOGIN_MAX_FAILURES = envint("STYRBORD_LOGIN_MAX_FAILURES", 5)
LOGIN_LOCK_MINUTES = envint("STYRBORD_LOGIN_LOCK_MINUTES", 15)
LOGIN_MAX_FAILURES_PER_IP = envint("STYRBORD_LOGIN_MAX_FAILURES_PER_IP", 50)
# Behind a reverse proxy the client's address is the last X-Forwarded-For entry (set by our proxy).
LOGIN_TRUST_FORWARDED_FOR = envbool("STYRBORD_BEHIND_PROXY", PRODUCTION)
# Uploads larger than UPLOAD_MAX_BYTES are refused while they stream in (400), not after.
FILE_UPLOAD_HANDLERS = [
    "styrbord.accounts.uploads.LimitedMemoryFileUploadHandler",
    "styrbord.accounts.uploads.LimitedTemporaryFileUploadHandler",
]
# REST API (Django Ninja): page size and token lifetime.
API_MAX_PAGE_SIZE = 100
API_TOKEN_MAX_AGE_DAYS = envint("STYRBORD_API_TOKEN_MAX_AGE_DAYS", 365)
# Requests one user may make to the API (all their tokens together); over it: 429 with Retry-After.
# Off by default in the test settings, where the schema fuzzing makes thousands of requests.
API_RATE_LIMIT = envrate("STYRBORD_API_RATE_LIMIT", "off" if ENVIRONMENT == "test" else "600/min")
# django-allauth: only the municipal OpenID Connect login; no self sign-up with local accounts.
ACCOUNT_ADAPTER = "styrbord.accounts.sso.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "styrbord.accounts.sso.SocialAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "email"]
ACCOUNT_EMAIL_VERIFICATION = "none"
SOCIALACCOUNT_ONLY = False
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_PROVIDERS = oidc_config.socialaccount_providers()
OIDC_ALLOW_SIGNUP = oidc_config.allow_signup()
# Personal data: employees whose employments ended this many years ago are anonymised by
# `styrbord apply_retention` unless a RetentionRule says otherwise or a hold applies.
RETENTION_DEFAULT_YEARS = envint("STYRBORD_RETENTION_YEARS", 5)
# The log of views, exports and logins (not the change trail, which is kept) is itself personal
# data: `styrbord apply_retention` deletes entries older than this many months. The former
# security order for public authorities kept such logs 6 months, up to 5 years with cause.
AUDIT_ACCESS_RETENTION_MONTHS = envint("STYRBORD_AUDIT_ACCESS_MONTHS", 60)
if AUDIT_ACCESS_RETENTION_MONTHS < 6:
    raise ConfigurationError("STYRBORD_AUDIT_ACCESS_MONTHS must be at least 6 (months)")
# The organisation's accessibility statement (on was.digst.dk), linked from every page's footer.
ACCESSIBILITY_STATEMENT_URL = envhttps("STYRBORD_ACCESSIBILITY_STATEMENT_URL")
# WhiteNoise warns (an error under pytest) when STATIC_ROOT is missing before collectstatic has run.
if not PRODUCTION:
    Path(STATIC_ROOT).mkdir(parents=True, exist_ok=True)
# --- end of the accounts block ----------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": envstr("STYRBORD_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

if ENVIRONMENT == "test":
    # Tests: a fast hasher and tasks run at once in the calling thread.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    if TASK_BACKEND == "database":
        TASKS = {
            "default": {
                "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
                "QUEUES": ["default", "planning", "reports"],
            }
        }
    STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
