"""CPMS settings, read from the environment.

Without DATABASE_URL, CPMS runs as the *embedded default*: SQLite, local files, e-mail and
SMS kept in an outbox shown at /outbox/. Anything else is a production set-up: secrets
required, secure cookies, SMTP and an SMS gateway. DEBUG is off in both unless DEBUG=1: its
error pages would show local variables, and soon patient data.
"""

import hmac
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from cryptography.fernet import Fernet

from cpms.identity.pkce import pkce_required
from cpms.lib.env import env_bool, env_int, env_list, env_str, secret
from cpms.lib.keys import signing_keys
from cpms.lib.languages import EU_LANGUAGES

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("CPMS_VAR_DIR", str(BASE_DIR / "var")))

DATABASE_URL = env_str("DATABASE_URL")
EMBEDDED = env_bool("CPMS_EMBEDDED", default=not DATABASE_URL)
DEBUG = env_bool("DEBUG")

SECRET_KEY = secret("SECRET_KEY", generate_into=VAR_DIR / "secret_key" if EMBEDDED else None)


def key_or_derived(name: str, purpose: bytes) -> str:
    """A key kept outside the database: NAME (or NAME_FILE), generated into VAR_DIR in the embedded
    default; without one, production derives it from SECRET_KEY for this purpose alone."""
    if EMBEDDED or env_str(name) or env_str(f"{name}_FILE"):
        return secret(name, generate_into=VAR_DIR / name.lower())
    return hmac.new(SECRET_KEY.encode(), purpose, "sha256").hexdigest()


# Fernet keys for field-level encryption, newest first; older keys still decrypt (rotation).
FIELD_ENCRYPTION_KEYS = secret(
    "CPMS_FIELD_KEYS",
    generate_into=VAR_DIR / "field_keys" if EMBEDDED else None,
    generator=lambda: Fernet.generate_key().decode(),
).split(",")
# The key of the blind indexes: keyed hashes (HMAC-SHA256) that let a centre find a patient by an exact
# hospital number, or notice a second enrolment, without the identifier ever stored in clear.
# Changing it needs `manage.py rotate_patient_keys`, which recomputes every index.
BLIND_INDEX_KEY = secret(
    "CPMS_BLIND_INDEX_KEY", generate_into=VAR_DIR / "blind_index_key" if EMBEDDED else None
)

# The audit trail (cpms.audit): events are sealed into the hash chain after each commit, or by a
# regular job when AUDIT_SEAL_ON_COMMIT=0. Checkpoints of the chain are signed with a key the
# database never sees and appended to a file in AUDIT_CHECKPOINT_DIR (and to the log); without an
# explicit key, production derives one from SECRET_KEY.
AUDIT_SEAL_ON_COMMIT = env_bool("AUDIT_SEAL_ON_COMMIT", default=True)
# …by a thread of each process, in blocks (requests never wait for it), or in the request's thread.
AUDIT_SEAL_IN_BACKGROUND = env_bool("AUDIT_SEAL_IN_BACKGROUND", default=True)
AUDIT_CHECKPOINT_KEY = key_or_derived("AUDIT_CHECKPOINT_KEY", b"cpms.audit.checkpoint")
AUDIT_CHECKPOINT_DIR = Path(env_str("AUDIT_CHECKPOINT_DIR", str(VAR_DIR / "audit-checkpoints")))
# Seconds between the checkpoints written in-process after sealing (0: only the regular job's).
AUDIT_CHECKPOINT_INTERVAL = env_int("AUDIT_CHECKPOINT_INTERVAL", 300 if EMBEDDED else 0)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]" if EMBEDDED else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "daphne",  # meetings: first, so that `manage.py runserver` serves ASGI (HTTP and the room's WebSocket)
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "cpms.audit",
    "cpms.outbox",
    "cpms.identity",
    "oauth2_provider",
    "cpms.access",
    "cpms.clinical",
    "cpms.coding",
    "cpms.patients",
    "cpms.panels",
    "cpms.meetings",
    "cpms.imaging",
    "cpms.reports",
    "cpms.research",
    "cpms.api",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI and Redoc served from our static files, no CDN
    "cpms.styleguide",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "cpms.lib.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "cpms.audit.middleware.AuditContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "cpms.identity.middleware.SessionLifetimeMiddleware",
    "cpms.lib.middleware.NoStoreWhenSignedInMiddleware",
    "cpms.lib.middleware.UserTimeZoneMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

# Static files are served by WhiteNoise: collected and compressed in production, straight from the
# source folders in the embedded default (no collectstatic needed for `make run`).
WHITENOISE_USE_FINDERS = EMBEDDED or DEBUG
WHITENOISE_AUTOREFRESH = EMBEDDED or DEBUG

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
# Meetings: the room's signalling over WebSocket (Channels, config/asgi.py). One process: the
# in-memory channel layer (the embedded default); several ASGI servers share Redis (channels-redis).
ASGI_APPLICATION = "config.asgi.application"
CHANNELS_REDIS_URL = env_str("CHANNELS_REDIS_URL") or env_str("REDIS_URL")
CHANNEL_LAYERS = {
    "default": (
        {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": [CHANNELS_REDIS_URL]}}
        if CHANNELS_REDIS_URL
        else {"BACKEND": "channels.layers.InMemoryChannelLayer"}
    )
}
# TURN (coturn with use-auth-secret, deploy/meetings/): CPMS mints short-lived HMAC credentials
# (cpms/meetings/turn.py). Without TURN_URLS the room uses STUN_URLS (if any) and host candidates.
TURN_URLS = env_list("TURN_URLS")
TURN_SECRET = env_str("TURN_SECRET")
TURN_CREDENTIAL_SECONDS = env_int("TURN_CREDENTIAL_SECONDS", 4 * 3600)  # a meeting's length, not a day
STUN_URLS = env_list("STUN_URLS")

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
                "cpms.lib.context_processors.site",
                "cpms.clinical.navigation.cpms_navigation",
                "cpms.panels.context_processors.notifications",
            ],
        },
    },
]

# Connections are kept between requests: opening one costs more than a whole signed-in page.
# On PostgreSQL a pool per process (psycopg_pool; DATABASE_POOL=0 for plain persistent connections,
# e.g. behind PgBouncer); Django's pool and CONN_MAX_AGE exclude each other.
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("CONN_MAX_AGE", 600))}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool("DATABASE_POOL", True):
        DATABASES["default"]["CONN_MAX_AGE"] = 0
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": env_int("DATABASE_POOL_MIN", 1),
            "max_size": env_int("DATABASE_POOL_MAX", 8),
            "timeout": 10,
        }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "cpms.sqlite3",
            "CONN_MAX_AGE": env_int("CONN_MAX_AGE", 600),
            # WAL: readers do not wait for the writer; IMMEDIATE: a writing transaction takes the
            # lock at its start, so two writers queue (busy timeout) instead of failing mid-way.
            # synchronous=NORMAL, SQLite's advice for WAL: no fsync per commit (the database stays
            # consistent; a power cut may lose the last commits, not the file). Production is PostgreSQL.
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "timeout": 10,
            },
        }
    }
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "identity.User"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
LOGIN_URL = "identity:login"
LOGIN_REDIRECT_URL = "identity:my-account"
PASSWORD_HASHERS = [
    "cpms.identity.passwords.OwaspArgon2PasswordHasher",  # Argon2id, m = 19 MiB, t = 2, p = 1
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("username", "first_name", "last_name", "email")},
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "cpms.identity.passwords.MaximumLengthValidator", "OPTIONS": {"max_length": 128}},
]

# Sessions: server-side, idle timeout 30 minutes and absolute lifetime 12 hours
# (enforced by cpms.identity.middleware.SessionLifetimeMiddleware).
SESSION_ENGINE = "cpms.identity.session_store"  # Django's database sessions, fewer statements
SESSION_IDLE_TIMEOUT = 30 * 60
SESSION_ABSOLUTE_TIMEOUT = 12 * 60 * 60
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_TIMEOUT
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = not EMBEDDED
CSRF_COOKIE_SECURE = not EMBEDDED
CSRF_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not EMBEDDED)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY") else None
# How many reverse proxies append to X-Forwarded-For in front of the app servers: the client's
# address for the audit trail and the per-IP throttles (cpms.audit.middleware.client_ip).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
# A request's body, files aside, beyond this gets the 413 page (cpms.lib.errors); far above any of
# our forms or JSON bodies. File uploads get their own limit in the views that take them.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 1024 * 1024)
SECURE_HSTS_SECONDS = 0 if EMBEDDED else env_int("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not EMBEDDED
SECURE_HSTS_PRELOAD = not EMBEDDED
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "cpms.lib.errors.csrf_failure"  # in the site's layout, with what to do next

# OpenID Connect provider (django-oauth-toolkit): other services sign their users in with CPMS Login.
# The issuer is the site itself: discovery at SITE_URL/.well-known/openid-configuration (and under /o/).
OIDC_KEY_DIR = VAR_DIR / "oidc"  # the embedded default's signing keys; see cpms.lib.keys
OIDC_SIGNING_KEYS = signing_keys(key_dir=OIDC_KEY_DIR if EMBEDDED else None)
# DOT's models, named so that migrations referring to them are stable (DOT's own default values).
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
OAUTH2_PROVIDER_ACCESS_TOKEN_MODEL = "oauth2_provider.AccessToken"
OAUTH2_PROVIDER_REFRESH_TOKEN_MODEL = "oauth2_provider.RefreshToken"
OAUTH2_PROVIDER_ID_TOKEN_MODEL = "oauth2_provider.IDToken"
OAUTH2_PROVIDER_GRANT_MODEL = "oauth2_provider.Grant"
OAUTH2_PROVIDER = {
    "OIDC_ENABLED": True,
    "OIDC_ISS_ENDPOINT": SITE_URL,
    "OIDC_RSA_PRIVATE_KEY": OIDC_SIGNING_KEYS.active,
    "OIDC_RSA_PRIVATE_KEYS_INACTIVE": OIDC_SIGNING_KEYS.inactive,  # still in the JWKS
    "OIDC_RESPONSE_TYPES_SUPPORTED": ["code"],
    "OIDC_TOKEN_ENDPOINT_AUTH_METHODS_SUPPORTED": ["client_secret_basic", "client_secret_post", "none"],
    "OIDC_RP_INITIATED_LOGOUT_ENABLED": True,
    "OIDC_RP_INITIATED_LOGOUT_ALWAYS_PROMPT": False,  # asked only without a matching id_token_hint
    "OIDC_RP_INITIATED_LOGOUT_DELETE_TOKENS": False,  # we revoke the tokens of the ended session only
    "OAUTH2_VALIDATOR_CLASS": "cpms.identity.oidc.CpmsOAuth2Validator",
    "SCOPES_BACKEND_CLASS": "cpms.identity.oidc.ServiceScopes",
    # Descriptions shown on the consent page come from ServiceScopes (translated).
    "SCOPES": {"openid": "openid", "profile": "profile", "email": "email", "cpms": "cpms"},
    "DEFAULT_SCOPES": ["openid"],
    "PKCE_REQUIRED": pkce_required,  # public clients must use PKCE (S256)
    "REQUEST_APPROVAL_PROMPT": "force",  # consent is remembered per service by our view (ServiceConsent)
    "AUTHORIZATION_CODE_EXPIRE_SECONDS": 60,
    "ACCESS_TOKEN_EXPIRE_SECONDS": 15 * 60,
    "ID_TOKEN_EXPIRE_SECONDS": 60 * 60,
    "REFRESH_TOKEN_EXPIRE_SECONDS": SESSION_ABSOLUTE_TIMEOUT,  # after the access token it refreshes expired
    "ROTATE_REFRESH_TOKEN": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,  # a replayed refresh token revokes its whole family
    "ALLOWED_REDIRECT_URI_SCHEMES": ["http", "https"] if EMBEDDED else ["https"],
    # RFC 9700 (OAuth 2.0 Security Best Current Practice): the compliant behaviour everywhere.
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "COMPLIANT_BCP_RFC9700_REFRESH_TOKEN": True,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_SCHEME": not EMBEDDED,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_MATCHING": True,
    "COMPLIANT_BCP_RFC9700_PKCE_REQUIRED": True,
}

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("fr", "Français")]
EMAIL_LANGUAGES = EU_LANGUAGES
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Europe/Brussels"  # the default of each account's own time zone (User.time_zone)
USE_TZ = True
# "1 December 2026, 20:46" and "1 décembre 2026 à 20:46": a 24-hour clock in every language.
FORMAT_MODULE_PATH = ["cpms.lib.formats"]

STATIC_URL = "static/"
STATIC_ROOT = None if EMBEDDED else BASE_DIR / "staticfiles"  # collectstatic's target in production
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", BASE_DIR / "node_modules/bootstrap/dist"),
    ("vendor/htmx", BASE_DIR / "node_modules/htmx.org/dist"),
    ("vendor/simplewebauthn", BASE_DIR / "node_modules/@simplewebauthn/browser/dist/bundle"),
]
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": VAR_DIR / "media"},
    },
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if EMBEDDED or DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
    # De-identified DICOM files (cpms/imaging/stores.py): a private folder, never served as media.
    "imaging": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": VAR_DIR / "imaging"},
    },
}
# Images: "storage" (the `imaging` storage above) or "orthanc" (DICOMweb); see cpms/imaging/stores.py.
IMAGING_STORE = env_str("IMAGING_STORE", "storage")
# -- img-stores: the images in S3-compatible object storage when a bucket is named, or in a site's
# Orthanc (IMAGING_STORE=orthanc); deploy/README.md "Images" says how to set up either.
if env_str("IMAGING_S3_BUCKET"):
    from botocore.config import Config as BotocoreConfig

    STORAGES["imaging"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_str("IMAGING_S3_BUCKET"),
            "location": env_str("IMAGING_S3_PREFIX"),  # a folder of the bucket, e.g. "cpms/images"
            "endpoint_url": env_str("IMAGING_S3_ENDPOINT_URL") or None,  # none: AWS
            "region_name": env_str("IMAGING_S3_REGION") or None,
            # Give up within seconds when S3 is down: a request reading an image must not hang.
            "client_config": BotocoreConfig(
                connect_timeout=5,
                read_timeout=30,
                retries={"mode": "standard", "max_attempts": 3},
                s3={"addressing_style": env_str("IMAGING_S3_ADDRESSING_STYLE") or None},  # "path" for some
            ),
            # Without keys, boto3's own chain (AWS_* variables, an instance or pod role).
            "access_key": env_str("IMAGING_S3_ACCESS_KEY_ID") or None,
            "secret_key": (
                secret("IMAGING_S3_SECRET_ACCESS_KEY") if env_str("IMAGING_S3_ACCESS_KEY_ID") else None
            ),
            "file_overwrite": False,  # as the local folder: a stored file is never replaced
        },
    }
ORTHANC_URL = env_str("ORTHANC_URL", "http://127.0.0.1:8042")
ORTHANC_USER = env_str("ORTHANC_USER", "cpms")
ORTHANC_PASSWORD = secret("ORTHANC_PASSWORD") if IMAGING_STORE == "orthanc" else env_str("ORTHANC_PASSWORD")

# -- imaging intake (img-intake): the key of the UID pseudonyms and date shifts (outside the database;
# without one, production derives it from SECRET_KEY), where raw uploads wait encrypted, the limits.
IMAGING_UID_KEY = key_or_derived("IMAGING_UID_KEY", b"cpms.imaging.uid")
IMAGING_INTAKE_DIR = Path(env_str("IMAGING_INTAKE_DIR", str(VAR_DIR / "imaging-intake")))
IMAGING_MAX_FILE_BYTES = env_int("IMAGING_MAX_FILE_BYTES", 1024**3)  # one file (or one ZIP entry)
IMAGING_MAX_UPLOAD_FILES = env_int("IMAGING_MAX_UPLOAD_FILES", 5000)  # files (ZIP entries included)
IMAGING_MAX_ZIP_TOTAL_BYTES = env_int("IMAGING_MAX_ZIP_TOTAL_BYTES", 4 * 1024**3)  # unpacked
IMAGING_MAX_ZIP_RATIO = env_int("IMAGING_MAX_ZIP_RATIO", 100)  # unpacked / packed, per entry
IMAGING_CHUNK_BYTES = env_int("IMAGING_CHUNK_BYTES", 1024**2)  # the browser's PUT size
# An upload untouched this long is abandoned: its raw bytes and unconfirmed studies are deleted
# (cpms/imaging/abandoned.py, the beat entry "imaging-sweep-abandoned-uploads").
IMAGING_ABANDONED_AFTER_HOURS = env_int("IMAGING_ABANDONED_AFTER_HOURS", 48)
# An instance's bytes are kept by the browser and revalidated on each use (ETag, 304): the one
# response the no-store of signed-in pages spares (cpms/imaging/middleware.py), so placed outside it.
MIDDLEWARE.insert(
    MIDDLEWARE.index("cpms.lib.middleware.NoStoreWhenSignedInMiddleware"),
    "cpms.imaging.middleware.RevalidatedImageMiddleware",
)

# -- reports (cpms/reports): KPIs and the activity report

# -- research (cpms/research): the anonymised store and its queries
# Counts under this are suppressed in researchers' results, and rare countries / birth decades are
# generalised in the store (cpms/research/suppression.py, anonymise.py).
RESEARCH_SUPPRESSION_THRESHOLD = max(2, env_int("RESEARCH_SUPPRESSION_THRESHOLD", 5))
# The key of the store's way back to a patient (an HMAC of the patient id), outside the database;
# without one, production derives it from SECRET_KEY.
RESEARCH_LINK_KEY = key_or_derived("RESEARCH_LINK_KEY", b"cpms.research.link")

# -- api (cpms/api): Django REST framework and the OpenAPI document
# Bearer tokens from CPMS Login only (cpms.api.authentication): no session, no basic auth. Throttled
# per user and per anonymous IP through the cache (Redis in production, see CACHES).
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["cpms.api.authentication.CpmsTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["cpms.api.permissions.CpmsGate"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_str("API_THROTTLE_ANON", "60/min"),
        "user": env_str("API_THROTTLE_USER", "600/min"),
    },
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "cpms.api.errors.problem_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "DEFAULT_METADATA_CLASS": None,  # OPTIONS is 405: the OpenAPI document describes every route
}
SPECTACULAR_SETTINGS = {
    "TITLE": "CPMS API",
    "DESCRIPTION": "Patients, cases, panels, contributions, outcomes and meetings of the Clinical Patient "
    "Management System, with the same permissions as its pages. Authenticate with an access token "
    "from CPMS Login (OpenID Connect, scope `cpms`, two factors).",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # Two fields named `status` (a panel's, a consent recorded): one enum name each.
    "ENUM_NAME_OVERRIDES": {
        "ConsentStatusEnum": "cpms.patients.models.patient.ConsentStatus",
        "PanelStatusEnum": "cpms.panels.models.PanelStatus",
    },
}

# E-mail: the outbox in the embedded default, SMTP otherwise.
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "CPMS Login <no-reply@cpms.localhost>")
if EMBEDDED:
    EMAIL_BACKEND = "cpms.outbox.backends.OutboxEmailBackend"
else:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
    EMAIL_PORT = env_int("EMAIL_PORT", 25)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
    EMAIL_TIMEOUT = 10

# SMS: the outbox in the embedded default, an HTTP gateway otherwise.
SMS_BACKEND = env_str(
    "SMS_BACKEND",
    "cpms.outbox.backends.OutboxSmsBackend" if EMBEDDED else "cpms.lib.sms.HttpGatewaySmsBackend",
)
SMS_GATEWAY_URL = env_str("SMS_GATEWAY_URL")
SMS_GATEWAY_TOKEN = env_str("SMS_GATEWAY_TOKEN")
SMS_SENDER = env_str("SMS_SENDER", "CPMS")

# Background work (Celery, config/celery.py). With a broker (Redis), e-mails, SMS and the regular
# jobs are queued after commit and run by `celery -A config worker`; beat sends the regular jobs.
# Without one (the embedded default), tasks run in the process that asks for them, after commit.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL") or env_str("REDIS_URL")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True  # tasks report through the database and the audit trail
CELERY_TASK_ACKS_LATE = True  # a message is acknowledged when its task has run, not when received...
CELERY_TASK_REJECT_ON_WORKER_LOST = True  # ...and goes back to the queue if the worker dies mid-task
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A message taken by a worker that vanished is delivered again after this many seconds; it must
# outlast the longest task and the longest retry delay (cpms.lib.tasks.RETRY_BACKOFF_MAX).
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600)}
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    # Not worth running late: the next one, five minutes on, does the same.
    "sweep-sessions": {"task": "identity.sweep_sessions", "schedule": 5 * 60, "options": {"expires": 4 * 60}},
    "clear-sessions": {"task": "identity.clear_sessions", "schedule": crontab(hour=3, minute=10)},
    "clear-tokens": {"task": "identity.clear_tokens", "schedule": crontab(hour=3, minute=20)},
    "notify-expiring-guest-grants": {
        "task": "access.notify_expiring_guest_grants",
        "schedule": crontab(hour=7, minute=0),
    },
    "audit-checkpoint": {
        "task": "audit.write_checkpoint",
        "schedule": 5 * 60,
        "options": {"expires": 4 * 60},
    },
    # Panels: the daily digest of notifications, and the reminders (cpms/panels/reminders.py).
    "panels-email-digests": {"task": "panels.email_digests", "schedule": crontab(hour=6, minute=30)},
    "panels-send-reminders": {"task": "panels.send_reminders", "schedule": crontab(hour=6, minute=0)},
    # Meetings: the reminders a day and 15 minutes before (cpms/meetings/reminders.py); a late one is
    # not worth running, the next sweep does the same.
    "meetings-send-reminders": {
        "task": "meetings.send_reminders",
        "schedule": 5 * 60,
        "options": {"expires": 4 * 60},
    },
    # Images: uploads left untouched are swept hourly (cpms/imaging/abandoned.py); a late one is not
    # worth running, the next does the same.
    "imaging-sweep-abandoned-uploads": {
        "task": "imaging.sweep_abandoned_uploads",
        "schedule": crontab(minute=25),
        "options": {"expires": 50 * 60},
    },
    # Research: the store follows the consents (a withdrawal leaves it within the hour).
    "research-sweep": {"task": "research.sweep", "schedule": 60 * 60, "options": {"expires": 50 * 60}},
    # The KPI roll-up of the months over (cpms/reports/rollup.py); the page computes any month missing.
    "reports-roll-up-kpis": {"task": "reports.roll_up_kpis", "schedule": crontab(hour=2, minute=30)},
}
# Panels: remind the lead and silent members this many days before the wished answer date.
PANELS_REMINDER_DAYS_BEFORE = env_int("PANELS_REMINDER_DAYS_BEFORE", 3)

# The privacy statement (/privacy/): who is responsible for the personal data, and whom to ask.
# Every production set-up names its own; the embedded default says it is a demonstration.
PRIVACY = {
    "controller": env_str("PRIVACY_CONTROLLER", "The organisation that runs this CPMS installation"),
    "controller_address": env_str("PRIVACY_CONTROLLER_ADDRESS", ""),
    "controller_email": env_str("PRIVACY_CONTROLLER_EMAIL", "privacy@cpms.localhost"),
    "dpo_name": env_str("PRIVACY_DPO_NAME", ""),
    "dpo_email": env_str("PRIVACY_DPO_EMAIL", "dpo@cpms.localhost"),
    "audit_retention_years": env_int("PRIVACY_AUDIT_RETENTION_YEARS", 10),
}

# WebAuthn relying party: the host name users see in their browser.
WEBAUTHN_RP_ID = env_str("WEBAUTHN_RP_ID", "localhost" if EMBEDDED else "")
WEBAUTHN_RP_NAME = "CPMS Login"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # Without a broker every e-mail runs as a task in the web process: no "Task … succeeded" lines.
    "loggers": {"celery.app.trace": {"level": "WARNING"}} if CELERY_TASK_ALWAYS_EAGER else {},
}
