"""Django settings for gonghui, read from the environment.

Every setting a deployment changes comes from an environment variable (see .env.example). The defaults
give a working demo on the embedded SQLite database with no server to install.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent  # src/gonghui
PROJECT_DIR = BASE_DIR.parent.parent  # the checkout
VAR_DIR = Path(os.environ.get("GONGHUI_VAR_DIR", PROJECT_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
TESTING = env_bool("GONGHUI_TESTING", False)


def _secret_key() -> str:
    """The secret key comes from SECRET_KEY; without it a demo key is generated once and kept under var/.

    Production (DEBUG off and not the demo) must set SECRET_KEY explicitly, so a key never silently changes
    between hosts of one deployment.
    """
    key = os.environ.get("SECRET_KEY", "")
    if key:
        return key
    if not (DEBUG or TESTING or env_bool("GONGHUI_DEMO")):
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off (see .env.example).")
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    "gonghui.core",
    "gonghui.accounts",
    "gonghui.orgs",
    "gonghui.members",
    "gonghui.rights",
    "gonghui.congress",
    "gonghui.proposals",
    "gonghui.suggestions",
    "gonghui.disclosure",
    "gonghui.contracts",
    "gonghui.aid",
    "gonghui.medical",
    "gonghui.recuperation",
    "gonghui.stations",
    "gonghui.benefits",
    "gonghui.portal",
    "gonghui.console",
    "gonghui.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "gonghui.core.security.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "gonghui.core.security.IdleTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "gonghui.core.middleware.RequestContextMiddleware",
    "gonghui.core.middleware.ServiceErrorMiddleware",
]

ROOT_URLCONF = "gonghui.urls"
WSGI_APPLICATION = "gonghui.wsgi.application"

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
    },
]

# --- database -------------------------------------------------------------------------------------------
# The embedded default is a SQLite file under var/ in WAL mode with IMMEDIATE transactions, so writers
# queue on the busy timeout instead of failing with "database is locked" halfway through a transaction.
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=0, conn_health_checks=True)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool("GONGHUI_DB_POOL"):
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = True
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(VAR_DIR / "gonghui.sqlite3"),
        }
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA busy_timeout=20000;"
            "PRAGMA foreign_keys=ON;PRAGMA cache_size=-65536;"
        ),
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- cache ----------------------------------------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- background tasks -----------------------------------------------------------------------------------
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
if env_bool("GONGHUI_TASKS_IMMEDIATE"):
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

# --- accounts -------------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["gonghui.accounts.backends.MobileBackend"]
# The login name (User.mobile) is stored encrypted with a fresh nonce per value, so the database cannot
# compare it: uniqueness lives on its blind index, User.mobile_index (unique=True). Django's check only looks
# at USERNAME_FIELD itself and warns that it is not unique; MobileBackend finds accounts through the index.
SILENCED_SYSTEM_CHECKS = ["auth.W004"]
LOGIN_URL = "portal:login"
PASSWORD_HASHERS = [
    "gonghui.accounts.passwords.GonghuiArgon2PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:
    # Hashing cost is measured in bench/; tests only need correct, not slow, hashes.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
# "mlps" (GB/T 22239 level 3: complexity, history, 90-day rotation for cadres) or "asvs" (OWASP ASVS: length,
# breached-password list, no forced rotation). See accounts/passwords.py.
GONGHUI_PASSWORD_PROFILE = os.environ.get("GONGHUI_PASSWORD_PROFILE", "mlps")


def _password_validators(profile: str) -> list[dict[str, object]]:
    from gonghui.accounts.passwords import PROFILES, validators_for

    if profile not in PROFILES:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(f"GONGHUI_PASSWORD_PROFILE must be one of {sorted(PROFILES)}.")
    return validators_for(profile)


AUTH_PASSWORD_VALIDATORS = _password_validators(GONGHUI_PASSWORD_PROFILE)

# Login failures: this many in a row lock the account for this long; an administrator can unlock earlier.
GONGHUI_LOCKOUT_ATTEMPTS = int(os.environ.get("GONGHUI_LOCKOUT_ATTEMPTS", "5"))
GONGHUI_LOCKOUT_MINUTES = int(os.environ.get("GONGHUI_LOCKOUT_MINUTES", "30"))
# Failed logins from one IP address within the window before further attempts from it are refused.
GONGHUI_IP_FAILURE_LIMIT = int(os.environ.get("GONGHUI_IP_FAILURE_LIMIT", "30"))
GONGHUI_IP_WINDOW_MINUTES = int(os.environ.get("GONGHUI_IP_WINDOW_MINUTES", "15"))
# SMS codes per phone number and per IP address per day.
GONGHUI_SMS_PER_PHONE_PER_DAY = int(os.environ.get("GONGHUI_SMS_PER_PHONE_PER_DAY", "10"))
GONGHUI_SMS_PER_IP_PER_DAY = int(os.environ.get("GONGHUI_SMS_PER_IP_PER_DAY", "50"))
# Workers' requests from people who are not signed in: per IP address and per mobile number per day; and
# wrong follow-up codes per IP address per hour (a code is the only key to an anonymous request).
GONGHUI_RIGHTS_REQUESTS_PER_IP_PER_DAY = int(os.environ.get("GONGHUI_RIGHTS_REQUESTS_PER_IP_PER_DAY", "20"))
GONGHUI_RIGHTS_REQUESTS_PER_PHONE_PER_DAY = int(
    os.environ.get("GONGHUI_RIGHTS_REQUESTS_PER_PHONE_PER_DAY", "5")
)
GONGHUI_RIGHTS_CODE_FAILURES_PER_HOUR = int(os.environ.get("GONGHUI_RIGHTS_CODE_FAILURES_PER_HOUR", "20"))

# The SMS sender is pluggable: a dotted path to a class with send(mobile, text). Empty means not configured,
# and SMS login then answers with a clear error instead of pretending to send.
GONGHUI_SMS_SENDER = os.environ.get("GONGHUI_SMS_SENDER", "")
GONGHUI_SMS_CODE_TTL_SECONDS = int(os.environ.get("GONGHUI_SMS_CODE_TTL_SECONDS", "300"))
GONGHUI_DEMO_PASSWORD = os.environ.get("GONGHUI_DEMO_PASSWORD", "Gonghui@2026")
# The demo's cadre accounts need TOTP like real ones; with this on (make demo sets it), the verification page
# shows the current code, since visitors have no authenticator app enrolled for them. Never in production.
GONGHUI_DEMO_SHOW_TOTP = env_bool("GONGHUI_DEMO_SHOW_TOTP")
OTP_TOTP_ISSUER = os.environ.get("GONGHUI_TOTP_ISSUER", "gonghui")
GONGHUI_API_TOKEN_DAYS = int(os.environ.get("GONGHUI_API_TOKEN_DAYS", "30"))

# --- personal data at rest (docs/crypto.md) -------------------------------------------------------------
# SM4-GCM data keys ("kid:base64,kid:base64"), the current one, and the HMAC-SM3 blind-index key; or a JSON
# key file with all three. Demo and test runs generate a key file under var/; production must set them.
GONGHUI_DEMO = env_bool("GONGHUI_DEMO")
GONGHUI_DATA_KEYS = os.environ.get("GONGHUI_DATA_KEYS", "")
GONGHUI_DATA_KEY_CURRENT = os.environ.get("GONGHUI_DATA_KEY_CURRENT", "")
GONGHUI_DATA_KEY_FILE = os.environ.get("GONGHUI_DATA_KEY_FILE", "")
GONGHUI_INDEX_KEY = os.environ.get("GONGHUI_INDEX_KEY", "")

# --- sessions and security headers ----------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True  # htmx sends the token from the page (hx-headers), never from the cookie
LOGIN_URL_PATH = "/login/"
# Members stay logged in on their own phone for two weeks; cadre sessions end after 30 idle minutes
# (core.security.IdleTimeoutMiddleware) and sensitive actions ask for the password again.
SESSION_COOKIE_AGE = int(os.environ.get("GONGHUI_SESSION_DAYS", "14")) * 24 * 3600
GONGHUI_CADRE_IDLE_MINUTES = int(os.environ.get("GONGHUI_CADRE_IDLE_MINUTES", "30"))
GONGHUI_REAUTH_MINUTES = int(os.environ.get("GONGHUI_REAUTH_MINUTES", "10"))
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0"))
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG and not TESTING and not env_bool("GONGHUI_DEMO"))
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY") else None
# Trust X-Real-IP for the client address only when a reverse proxy that sets it is in front.
BEHIND_PROXY = env_bool("BEHIND_PROXY", env_bool("BEHIND_TLS_PROXY"))
GONGHUI_TASK_STALE_MINUTES = int(os.environ.get("GONGHUI_TASK_STALE_MINUTES", "60"))
# Audit records are kept at least this many days before `gonghui audit archive` may export and prune them;
# the Cybersecurity Law asks for six months, so values below 184 are ignored (docs/audit.md).
GONGHUI_AUDIT_RETENTION_DAYS = max(184, int(os.environ.get("GONGHUI_AUDIT_RETENTION_DAYS", "184")))

# --- language and time ----------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [PROJECT_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- static files ---------------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise warns about a missing directory before the first collectstatic
STATICFILES_DIRS = [PROJECT_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = VAR_DIR / "media"  # uploads: never served directly, only through scope-checked views
GONGHUI_UPLOAD_MAX_MB = int(os.environ.get("GONGHUI_UPLOAD_MAX_MB", "10"))
GONGHUI_UPLOAD_ZIP_MAX_MB = int(os.environ.get("GONGHUI_UPLOAD_ZIP_MAX_MB", "100"))
# Member, payroll and payment spreadsheets: a city's roster of a million rows is about 100 MB of CSV.
GONGHUI_IMPORT_MAX_MB = int(os.environ.get("GONGHUI_IMPORT_MAX_MB", "200"))
# Database connections a large member import writes its batches on at once (PostgreSQL only; valid-rows mode).
GONGHUI_IMPORT_CONNECTIONS = int(
    os.environ.get("GONGHUI_IMPORT_CONNECTIONS", str(min(os.cpu_count() or 1, 4)))
)
GONGHUI_EXPORT_HOURS = int(os.environ.get("GONGHUI_EXPORT_HOURS", "24"))
# Map tiles for the risk map, e.g. https://{s}.tile.example.org/{z}/{x}/{y}.png; empty: markers on a plain background.
GONGHUI_MAP_TILE_URL = os.environ.get("GONGHUI_MAP_TILE_URL", "")
GONGHUI_MAP_ATTRIBUTION = os.environ.get("GONGHUI_MAP_ATTRIBUTION", "")  # the tile provider's credit line

NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_LIMIT = 500

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"redact": {"()": "gonghui.core.logsafety.RedactingFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
