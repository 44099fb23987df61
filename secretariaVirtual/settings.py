"""Settings for Virtual Secretary, read from the environment.

With nothing set the project runs on its embedded defaults: SQLite, locmem
cache, in-memory channel layer, Celery eager, console email, a WhatsApp
backend that records instead of sending, Google sync off. Each URL variable
switches its service to the real one. `config.env` documents every name.
"""

import os
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from kombu import Exchange, Queue

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# Variables already in the environment win over the file's.
ENV_FILE = Path(os.environ.get("DJANGO_ENV_FILE", BASE_DIR / ".env"))
if ENV_FILE.is_file():
    env.read_env(ENV_FILE)

INSECURE_DEV_KEY = "django-insecure-virtual-secretary-development-only"

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default=INSECURE_DEV_KEY)
if not DEBUG and (SECRET_KEY == INSECURE_DEV_KEY or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY must be set to a random value of at least 50 "
        "characters when DEBUG is off."
    )

ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"]
)
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
ENVIRONMENT = env.str("ENVIRONMENT", default="development")

INSTALLED_APPS = [
    "daphne",
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "phonenumber_field",
    "channels",
    "waffle",
    "health_check",
    "apps.core",
    "apps.accounts",
    "apps.companies",
    "apps.appointments",
    "apps.payments",
    "apps.notifications",
    "apps.google_calendar",
    "apps.feature_flags",
    "apps.dashboard",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "apps.core.middleware.RequestLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "waffle.middleware.WaffleMiddleware",
]

ROOT_URLCONF = "secretariaVirtual.urls"
WSGI_APPLICATION = "secretariaVirtual.wsgi.application"
ASGI_APPLICATION = "secretariaVirtual.asgi.application"

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

# Database: SQLite unless DATABASE_URL names another.
DATABASES = {
    "default": env.db_url(
        "DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
    )
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DB_CONN_MAX_AGE", default=0))
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several threads (the development server, the live-server tests) write
    # to one file: wait for the lock instead of failing at once.
    # IMMEDIATE transactions take the write lock when they begin, so two
    # bookings can never both read a free slot and then both write it.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation."
        "UserAttributeSimilarityValidator"
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Redis, when configured, backs the cache and the channel layer.
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"CLIENT_CLASS": "django_redis.client.DefaultClient"},
        }
    }
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            # No client-side read timeout: the layer's receive is a blocking
            # pop that waits for a message, and redis-py 8's default of 5 s
            # cut it off, closing every idle socket with 1011.
            "CONFIG": {"hosts": [{"address": REDIS_URL, "socket_timeout": None}]},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "virtual-secretary",
        }
    }
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# Languages: Brazilian Portuguese first.
LANGUAGE_CODE = "pt-br"
LANGUAGES = [("pt-br", _("Portuguese (Brazil)")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
MODELTRANSLATION_DEFAULT_LANGUAGE = "pt-br"
MODELTRANSLATION_LANGUAGES = ("pt-br", "en")
MODELTRANSLATION_FALLBACK_LANGUAGES = ("pt-br", "en")
USE_I18N = True
TIME_ZONE = "America/Sao_Paulo"
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
# WhiteNoise looks here at start-up; with DEBUG it serves from the apps.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
LOGIN_URL = "/admin/login/"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [
        "apps.core.parsers.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "apps.core.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "apps.core.schema.AutoSchema",
    "EXCEPTION_HANDLER": "apps.core.exceptions.exception_handler",
    # How many proxies in front of the server append to X-Forwarded-For.
    # With 0 the client address is the connection's, so no client can pick
    # its own throttle or idempotency scope by sending the header.
    "NUM_PROXIES": env.int("NUM_PROXIES", default=0),
    "DEFAULT_THROTTLE_RATES": {
        "login_address": env.str("LOGIN_THROTTLE_ADDRESS", default="20/min"),
        "login_email": env.str("LOGIN_THROTTLE_EMAIL", default="5/min"),
        "register": env.str("REGISTER_THROTTLE", default="20/hour"),
    },
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Virtual Secretary API",
    "DESCRIPTION": "Appointments and back office for service companies.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "AppointmentStatusEnum": "apps.appointments.models.AppointmentStatus",
    },
}

# Celery: eager (in process) unless a broker is configured.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_BROKER_URL = CELERY_BROKER_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_DEFAULT_QUEUE = "low"
CELERY_TASK_QUEUES = (
    Queue("high", Exchange("high"), routing_key="high"),
    Queue("low", Exchange("low"), routing_key="low"),
)
CELERY_TASK_ROUTES = {
    "apps.notifications.tasks.send_whatsapp_task": {"queue": "high"},
    "apps.notifications.tasks.send_email_task": {"queue": "low"},
    "apps.notifications.tasks.scan_reminders_task": {"queue": "low"},
    "apps.notifications.tasks.send_reminders_task": {"queue": "low"},
    "apps.notifications.tasks.redispatch_stuck_notifications_task": {"queue": "low"},
    "apps.notifications.tasks.reject_expired_requests_task": {"queue": "low"},
    "apps.notifications.tasks.cleanup_notifications_task": {"queue": "low"},
}
# A publish while the broker is down gives up quickly: the outbox row stays
# queued and the redispatch task hands it over later, so a request never
# waits long on RabbitMQ.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
CELERY_BROKER_CONNECTION_TIMEOUT = env.float(
    "CELERY_BROKER_CONNECTION_TIMEOUT", default=2.0
)
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_BEAT_SCHEDULE = {
    "scan-reminders": {
        "task": "apps.notifications.tasks.scan_reminders_task",
        "schedule": 60.0,
    },
    "reject-expired-requests": {
        "task": "apps.notifications.tasks.reject_expired_requests_task",
        "schedule": 60.0,
    },
    "redispatch-stuck-notifications": {
        "task": "apps.notifications.tasks.redispatch_stuck_notifications_task",
        "schedule": 180.0,
    },
    "cleanup-notifications": {
        "task": "apps.notifications.tasks.cleanup_notifications_task",
        "schedule": 3600.0,
    },
}
CELERY_TIMEZONE = "UTC"

# Email: the console unless EMAIL_URL names a server.
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default="Virtual Secretary <no-reply@localhost>"
)

# Encryption of tokens at rest (Google credentials).
FIELD_ENCRYPTION_KEY = env.str("FIELD_ENCRYPTION_KEY", default="")

# Twilio (WhatsApp): with no credentials, messages are recorded, not sent.
TWILIO_ACCOUNT_SID = env.str("TWILIO_ACCOUNT_SID", default="")
TWILIO_AUTH_TOKEN = env.str("TWILIO_AUTH_TOKEN", default="")
TWILIO_PHONE_NUMBER = env.str("TWILIO_PHONE_NUMBER", default="")
TWILIO_API_URL = env.str("TWILIO_API_URL", default="")
TWILIO_WEBHOOK_BASE_URL = env.str("TWILIO_WEBHOOK_BASE_URL", default="")
TWILIO_TIMEOUT_SECONDS = env.float("TWILIO_TIMEOUT_SECONDS", default=10.0)

# Notifications: the outbox's timing rules.
NOTIFICATIONS_RETENTION_DAYS = env.int("NOTIFICATIONS_RETENTION_DAYS", default=90)
NOTIFICATIONS_STUCK_AFTER_MINUTES = env.int(
    "NOTIFICATIONS_STUCK_AFTER_MINUTES", default=5
)
NOTIFICATIONS_SEND_LEASE_SECONDS = env.int(
    "NOTIFICATIONS_SEND_LEASE_SECONDS", default=120
)
NOTIFICATIONS_MAX_ATTEMPTS = env.int("NOTIFICATIONS_MAX_ATTEMPTS", default=6)
NOTIFICATIONS_RETRY_BASE_SECONDS = env.float(
    "NOTIFICATIONS_RETRY_BASE_SECONDS", default=15.0
)

# Google Calendar: sync is off without OAuth credentials.
GOOGLE_OAUTH_CLIENT_ID = env.str("GOOGLE_OAUTH_CLIENT_ID", default="")
GOOGLE_OAUTH_CLIENT_SECRET = env.str("GOOGLE_OAUTH_CLIENT_SECRET", default="")
GOOGLE_OAUTH_REDIRECT_URI = env.str(
    "GOOGLE_OAUTH_REDIRECT_URI",
    default="http://127.0.0.1:8000/google-calendar/callback/",
)

# Logging: console, and a rotating file under LOG_DIR.
LOG_DIR = Path(env.str("LOG_DIR", default=str(BASE_DIR / "logs")))
LOG_DIR.mkdir(parents=True, exist_ok=True)
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
        "file": {
            "class": "logging.handlers.RotatingFileHandler",
            "filename": str(LOG_DIR / "django.log"),
            "maxBytes": 10 * 1024 * 1024,
            "backupCount": 5,
            "formatter": "plain",
            "delay": True,
        },
    },
    "root": {"handlers": ["console", "file"], "level": LOG_LEVEL},
    "loggers": {
        # Replaces Django's own console handler, which would print each of
        # its records a second time through the root logger.
        "django": {
            "handlers": ["console", "file"],
            "level": LOG_LEVEL,
            "propagate": False,
        },
        "django.db.backends": {"level": "WARNING"},
    },
}

# Security settings that `check --deploy` asks for outside development.
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True

# Product rules.
IDEMPOTENCY_KEY_TTL_HOURS = 24
AVAILABILITY_MAX_RANGE_DAYS = 62

# --- Feature flags (apps.feature_flags) -------------------------------------
# Waffle's models are swapped for the project's, which add company targeting,
# sticky A/B buckets and translated labels; set before any waffle migration.
WAFFLE_FLAG_MODEL = "feature_flags.Flag"
WAFFLE_SWITCH_MODEL = "feature_flags.Switch"
WAFFLE_SAMPLE_MODEL = "feature_flags.Sample"
# Waffle's own migrations create its default tables even when the models are
# swapped, and their user and group foreign keys make PostgreSQL refuse the
# plain TRUNCATE that test flushes run. Every waffle model is swapped, so the
# app has nothing to migrate.
MIGRATION_MODULES = {"waffle": None}
# The project's admin registers the three models itself.
WAFFLE_ENABLE_ADMIN_PAGES = False
# A missing flag is decided by the registry (apps/feature_flags/registry.py),
# never created on the fly.
WAFFLE_CREATE_MISSING_FLAGS = False
WAFFLE_FLAG_DEFAULT = False
WAFFLE_SWITCH_DEFAULT = False
WAFFLE_SAMPLE_DEFAULT = False
# No `?<flag>=1` overrides from the query string in any environment.
WAFFLE_OVERRIDE = False
# A/B cookies of visitors who are not signed in: HTTPS-only outside DEBUG.
WAFFLE_SECURE = not DEBUG
# --- end of feature flags ----------------------------------------------------
