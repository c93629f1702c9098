"""Settings shared by every environment. Everything that differs between machines comes from the
environment (see the "Configuration" table in the README and .env.example)."""

from datetime import timedelta
from pathlib import Path

import environ
from kombu import Queue

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
# A local .env is a convenience for development; real deployments set variables directly. `make
# install` writes this checkout's own SECRET_KEY there (scripts/ensure_secret_key.py).
environ.Env.read_env(env.str("ENV_FILE", default=str(BASE_DIR / ".env")), overwrite=False)

SECRET_KEY = env("SECRET_KEY", default="django-insecure-dev-only-key-change-me-in-production")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1"])
# Render gives each service a host name of its own (its health checks use it).
if _render_host := env("RENDER_EXTERNAL_HOSTNAME", default=""):
    ALLOWED_HOSTS.append(_render_host)

INSTALLED_APPS = [
    "reports.admin_config.LMSAdminConfig",  # django.contrib.admin with the staff dashboard as its index
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework_simplejwt",
    "rest_framework_simplejwt.token_blacklist",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "corsheaders",
    "csp",
    "accounts",
    "courses",
    "quizzes",
    "forum",
    "payments",
    "certificates",
    "reviews",
    "notifications",
    "activity",
    "reports",
    "media",
    "assignments",
    "gradebook",
    "schedules",
    "privacy",
    "webhooks",
    "sso",
    "lms",  # project-wide management commands (makemessages)
]

# The Browser* middlewares are Django's session, CSRF, session-user and message middlewares for the
# admin and the docs; API requests (/api/v1/, bearer tokens only) skip them (lms.middleware).
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "csp.middleware.CSPMiddleware",
    "lms.middleware.BrowserSessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "lms.middleware.BrowserCsrfViewMiddleware",
    "lms.middleware.BrowserAuthenticationMiddleware",
    "lms.middleware.BrowserUserLanguageMiddleware",
    "lms.request_context.RequestContextMiddleware",
    "lms.http_cache.ApiHttpCacheMiddleware",
    "lms.middleware.BrowserMessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

# Django's CSRF deploy check looks for its middleware by name; lms.checks checks the Browser one instead.
SILENCED_SYSTEM_CHECKS = ["security.W003"]

ROOT_URLCONF = "lms.urls"
WSGI_APPLICATION = "lms.wsgi.application"

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
            ],
        },
    },
]

# --- Data stores -------------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# A persistent connection is health-checked before reuse only after this long idle (lms.db.postgresql).
DB_HEALTH_CHECK_IDLE_SECONDS = env.float("DB_HEALTH_CHECK_IDLE_SECONDS", default=5)
# PostgreSQL's JIT compiles a query whose estimated cost is high: the instructor dashboard's (a
# subquery per figure) paid 130 ms of compiling for 3 ms of work on every request (bench/README.md).
# Off for the app's own connections; POSTGRES_JIT=true turns it back on.
POSTGRES_JIT = env.bool("POSTGRES_JIT", default=False)


def _postgresql(database: dict) -> None:
    if database["ENGINE"] == "django.db.backends.postgresql":
        database["ENGINE"] = "lms.db.postgresql"
    if database["ENGINE"] == "lms.db.postgresql" and not POSTGRES_JIT:
        options = database.setdefault("OPTIONS", {})
        options["options"] = (options.get("options", "") + " -c jit=off").strip()


_postgresql(DATABASES["default"])
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the dev server, a shell and inline jobs share the file.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}
    )
# A read replica (PostgreSQL streaming replication): safe requests (GET, HEAD, OPTIONS) read from it;
# every write, every unsafe request and all background jobs use the primary. Unset: one database.
DATABASE_REPLICA_URL = env("DATABASE_REPLICA_URL", default="")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = env.db_url_config(DATABASE_REPLICA_URL)
    _postgresql(DATABASES["replica"])
    DATABASES["replica"]["CONN_MAX_AGE"] = DATABASES["default"]["CONN_MAX_AGE"]
    DATABASES["replica"]["CONN_HEALTH_CHECKS"] = True
    # Tests (and migrations) treat it as the primary it mirrors.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["lms.db_router.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "lms.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="lms"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Background jobs ---------------------------------------------------------------------------
_BROKER = env("CELERY_BROKER_URL", default=REDIS_URL)
# Without a broker, jobs run inline in the request so the embedded default needs no services.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not _BROKER)
CELERY_BROKER_URL = _BROKER or "memory://"
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=REDIS_URL) or None
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_EXPIRES = 3600
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "UTC"
# Five queues, so a flood of e-mails never delays certificates, a long video never delays either, a
# slow webhook receiver never delays anything but other webhooks, and none of them delays the rest. They are
# declared here (Celery's task_queues), so a plain `celery -A lms worker` consumes all of them and
# `-Q` selects a subset for scaling each on its own (README, "Scaling out"). A route to a queue that
# is not declared fails when the job is queued, instead of creating a queue no worker reads; `doctor`
# and `/ready/?detail=1` name any routed queue that no live worker consumes.
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_QUEUES = tuple(
    Queue(name, routing_key=name) for name in ("default", "emails", "certificates", "media", "webhooks")
)
CELERY_TASK_CREATE_MISSING_QUEUES = False
CELERY_TASK_ROUTES = {
    "accounts.tasks.password_reset_email_send_task": {"queue": "emails"},
    "accounts.tasks.signin_lockout_*": {"queue": "emails"},
    "notifications.tasks.*": {"queue": "emails"},
    "certificates.tasks.*": {"queue": "certificates"},
    "media.tasks.*": {"queue": "media"},
    # Zipping every submission of an assignment is file work, like the media's.
    "assignments.tasks.archive*": {"queue": "media"},
    # So is zipping everything about a person (their files included).
    "privacy.tasks.data_export_build_task": {"queue": "media"},
    # Other systems' receivers answer slowly or not at all: their deliveries wait only for each other.
    "webhooks.tasks.*": {"queue": "webhooks"},
    # ... but the e-mail to an endpoint's owner is an e-mail like the others (an exact name wins).
    "webhooks.tasks.endpoint_disabled_email_send_task": {"queue": "emails"},
}
# No job may run away: soft limit (the task can clean up), then the hard kill. PDFs get more time.
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=120)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=180)
CELERY_TASK_ANNOTATIONS = {
    "certificates.tasks.*": {"soft_time_limit": 240, "time_limit": 300},
    # A 2 GB video is copied from the bucket to read its poster frame.
    "media.tasks.*": {"soft_time_limit": 600, "time_limit": 660},
    # The zip copies every submitted file.
    "assignments.tasks.archive_build_task": {"soft_time_limit": 600, "time_limit": 660},
    "privacy.tasks.data_export_build_task": {"soft_time_limit": 600, "time_limit": 660},
    "privacy.tasks.erasure_run_task": {"soft_time_limit": 600, "time_limit": 660},
}
# Recycle worker processes now and then, so a slow leak in a library never grows without bound.
CELERY_WORKER_MAX_TASKS_PER_CHILD = env.int("CELERY_WORKER_MAX_TASKS_PER_CHILD", default=1000)
CELERY_WORKER_SEND_TASK_EVENTS = False
# Workers log through LOGGING below (JSON in production, with the id of the request that queued the job).
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Every periodic job, in one place. Run exactly one beat process (`celery -A lms beat`).
ACTIVITY_RETENTION_DAYS = env.int("ACTIVITY_RETENTION_DAYS", default=365)
CELERY_BEAT_SCHEDULE = {
    "close-expired-quiz-attempts": {"task": "quizzes.tasks.attempts_close_expired_task", "schedule": 60.0},
    "reconcile-pending-payments": {"task": "payments.tasks.payments_reconcile_task", "schedule": 600.0},
    "prune-activity": {"task": "activity.tasks.activity_prune_task", "schedule": 24 * 3600.0},
    # Work that could not be queued while the broker was down is picked up by these sweeps.
    "issue-missing-certificates": {"task": "certificates.tasks.certificates_issue_missing_task", "schedule": 600.0},
    "send-unsent-announcements": {"task": "notifications.tasks.announcements_send_unsent_task", "schedule": 600.0},
    "send-pending-signin-lockout-emails": {
        "task": "accounts.tasks.signin_lockout_emails_send_pending_task",
        "schedule": 600.0,
    },
    "prune-signin-lockouts": {"task": "accounts.tasks.signin_lockouts_prune_task", "schedule": 24 * 3600.0},
    "derive-missing-media": {"task": "media.tasks.uploads_derive_missing_task", "schedule": 600.0},
    "sweep-submission-archives": {"task": "assignments.tasks.archives_sweep_task", "schedule": 600.0},
    "privacy-sweep": {"task": "privacy.tasks.privacy_sweep_task", "schedule": 600.0},
    "webhooks-sweep": {"task": "webhooks.tasks.webhooks_sweep_task", "schedule": 60.0},
    # Expired single sign-on state (pending sign-ins, one-time codes): minutes-long rows, pruned hourly.
    "prune-sso": {"task": "sso.tasks.sso_prune_task", "schedule": 3600.0},
    "delete-unattached-uploads": {"task": "media.tasks.uploads_delete_unattached_task", "schedule": 3600.0},
    "expire-cohort-seat-offers": {"task": "schedules.tasks.cohort_offers_expire_task", "schedule": 300.0},
    "remind-live-sessions": {"task": "schedules.tasks.live_session_reminders_task", "schedule": 300.0},
    "remind-cohorts-and-due-dates": {"task": "schedules.tasks.schedule_reminders_task", "schedule": 900.0},
    "digest-released-content": {"task": "schedules.tasks.content_released_task", "schedule": 3600.0},
}
# A job whose worker died is handed out again after the visibility timeout (acks late); it must
# exceed the longest retry countdown (600 s), or delayed jobs would be delivered twice. The socket
# timeouts bound how long publishing to an unresponsive broker can block a request.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600, "socket_connect_timeout": 2, "socket_timeout": 5}

# --- Auth --------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=60 * 60 * 3)
# Where the SPA shows its "choose a new password" page; {uid} and {token} are filled in.
PASSWORD_RESET_URL = env("PASSWORD_RESET_URL", default="http://localhost:3000/reset-password?uid={uid}&token={token}")
# Sign-in limits (accounts.signin_limits; README, "Sign-in limits"): FAILED password checks are counted
# per account and per client address; successes only by the per-address rate THROTTLE_AUTH below.
SIGNIN_ACCOUNT_MAX_FAILURES = env.int("SIGNIN_ACCOUNT_MAX_FAILURES", default=10)
SIGNIN_ACCOUNT_WINDOW_MINUTES = env.int("SIGNIN_ACCOUNT_WINDOW_MINUTES", default=15)
SIGNIN_ADDRESS_MAX_FAILURES = env.int("SIGNIN_ADDRESS_MAX_FAILURES", default=100)
SIGNIN_ADDRESS_WINDOW_MINUTES = env.int("SIGNIN_ADDRESS_WINDOW_MINUTES", default=15)
# The owner of a locked account is e-mailed at most once in this many hours (0: at every lockout).
SIGNIN_LOCKOUT_EMAIL_INTERVAL_HOURS = env.int("SIGNIN_LOCKOUT_EMAIL_INTERVAL_HOURS", default=24)
# Reset e-mails per account (e-mail address) per hour; more requests still answer 204, silently.
PASSWORD_RESET_EMAILS_PER_HOUR = env.int("PASSWORD_RESET_EMAILS_PER_HOUR", default=5)
# A limit of 0 would lock every account at its first typo (or never send a reset e-mail): refuse.
for _name in (
    "SIGNIN_ACCOUNT_MAX_FAILURES",
    "SIGNIN_ACCOUNT_WINDOW_MINUTES",
    "SIGNIN_ADDRESS_MAX_FAILURES",
    "SIGNIN_ADDRESS_WINDOW_MINUTES",
    "PASSWORD_RESET_EMAILS_PER_HOUR",
):
    if vars()[_name] < 1:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(f"{_name} must be at least 1, not {vars()[_name]}.")

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("JWT_ACCESS_MINUTES", default=15)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("JWT_REFRESH_DAYS", default=7)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": True,
    # A password change invalidates every token issued before it.
    "CHECK_REVOKE_TOKEN": True,
    "AUTH_HEADER_TYPES": ("Bearer",),
    "SIGNING_KEY": env("JWT_SIGNING_KEY", default=SECRET_KEY),
}

# --- API ---------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "lms.api.authentication.JWTAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "lms.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "lms.api.exceptions.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "lms.api.throttling.AnonThrottle",
        "lms.api.throttling.UserThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env("THROTTLE_ANON", default="300/min"),
        "user": env("THROTTLE_USER", default="1200/min"),
        # Sign-in, sign-up and password reset, every request per client address: enough for a school
        # behind one address (failed password checks have their own limits, SIGNIN_* above).
        "auth": env("THROTTLE_AUTH", default="120/min"),
    },
    # Trusted proxies in front of the app; 0 means X-Forwarded-For is never believed.
    "NUM_PROXIES": env.int("NUM_PROXIES", default=0),
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
if DEBUG:
    REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"].append("rest_framework.renderers.BrowsableAPIRenderer")

SPECTACULAR_SETTINGS = {
    "TITLE": "LMS API",
    "DESCRIPTION": (
        "An API-first learning platform: courses, quizzes, forums, payments, certificates. "
        "Authenticate with `Authorization: Bearer <access token>` from `/api/v1/auth/login/`; "
        "a bad or expired token answers 401 (`AuthError`) on every operation that reads it, public reads "
        "included: refresh it with `/api/v1/auth/token/refresh/` and retry.\n\n"
        "**Errors** are JSON: `Error` (`{detail, code?}`), `ValidationError` for a 400 (`{field: [messages]}`, "
        "a nested field keyed by its dotted path, or `{detail, code, field?}` for a rule of the domain), "
        "`AuthError` for a 401 and `PaymentRequiredError` for a 402.\n\n"
        "**Lists** come in two envelopes: `{count, next, previous, results}` with `?page=` and `?page_size=` "
        "(integers from 1; default 20, capped at 100), and for unbounded feeds (notifications, activity, forum "
        "threads) `{next, previous, results}`, followed through `next` (a `?cursor=`). A client follows "
        "`next` in both. A typed TypeScript client is generated from this schema in `clients/typescript/`."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "lms.api.schema_hooks.contract"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"persistAuthorization": True, "deepLinking": True},
    "ENUM_NAME_OVERRIDES": {
        "WebhookEventTypeEnum": "webhooks.api.serializers.EVENT_TYPE_CHOICES",
        "WebhookDeliveryStatusEnum": "webhooks.models.DeliveryStatus",
        "WebhookDisabledReasonEnum": "webhooks.models.DisabledReason",
        "CourseStatusEnum": "courses.models.CourseStatus",
        "EnrollmentStatusEnum": "courses.models.EnrollmentStatus",
        "QuestionTypeEnum": "quizzes.models.QuestionType",
        "OrderStatusEnum": "payments.models.OrderStatus",
        "CertificateStatusEnum": "certificates.models.CertificateStatus",
        "ModerationActionEnum": "forum.models.ModerationAction",
        "ResolutionEnum": "forum.models.Resolution",
        "ReportStatusEnum": "forum.models.ReportStatus",
        "NotificationTypeEnum": "notifications.models.NotificationType",
        "AttemptStatusEnum": "quizzes.api.serializers.AttemptStatus",
        "AnnouncementStatusEnum": "notifications.api.serializers.AnnouncementStatus",
        "ReportNameEnum": "reports.api.serializers.REPORT_NAMES",
        "ReportIntervalEnum": "reports.api.serializers.REPORT_INTERVALS",
        "RoleEnum": "accounts.models.Role",
        "UploadPurposeEnum": "media.models.UploadPurpose",
        "UploadStatusEnum": "media.models.UploadStatus",
        "UploadMethodEnum": "media.api.serializers.UPLOAD_METHODS",
        "SubmissionStatusEnum": "assignments.models.SubmissionStatus",
        "SubmissionTypeEnum": "assignments.models.SubmissionType",
        "RequirableKindEnum": "courses.release.REQUIRABLE_KINDS",
        "ItemKindEnum": "courses.release.ITEM_KINDS",
        "CalendarEventTypeEnum": "schedules.calendar.TYPES",
        "DataExportStatusEnum": "privacy.models.ExportStatus",
        "ErasureStatusEnum": "privacy.models.ErasureStatus",
    },
}

CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=[])
CORS_URLS_REGEX = r"^/api/.*$"

# Content-Security-Policy on every response (django-csp). The API returns JSON; the HTML we serve is
# the admin, Swagger UI and ReDoc, all from our own static files with no inline script (Swagger UI
# loads its init script from a URL: SpectacularSwaggerSplitView). Inline styles and data: images are
# what the admin and Swagger UI need; ReDoc starts a web worker from a blob: URL.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "worker-src": ["'self'", "blob:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- E-mail ------------------------------------------------------------------------------------
if env("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
    EMAIL_HOST = env("EMAIL_HOST", default="localhost")
    EMAIL_PORT = env.int("EMAIL_PORT", default=25)
    EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
    EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
    EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="LMS <no-reply@lms.localhost>")
EMAIL_TIMEOUT = 10

# --- Files, i18n -------------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = env("STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
MEDIA_URL = "media/"
MEDIA_ROOT = env("MEDIA_ROOT", default=str(BASE_DIR / "var" / "media"))
# Media (certificate PDFs, uploads): on the local disk, or in an S3-compatible bucket (AWS S3, MinIO,
# Cloudflare R2, …) through django-storages when MEDIA_STORAGE=s3. Files are private: downloads go
# through the API, which checks who is asking.
MEDIA_STORAGE = env("MEDIA_STORAGE", default="local")
if MEDIA_STORAGE == "s3":
    _MEDIA = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env("AWS_STORAGE_BUCKET_NAME"),
            "endpoint_url": env("AWS_S3_ENDPOINT_URL", default=None),
            "region_name": env("AWS_S3_REGION_NAME", default=None),
            "access_key": env("AWS_ACCESS_KEY_ID", default=None),
            "secret_key": env("AWS_SECRET_ACCESS_KEY", default=None),
            "location": env("AWS_LOCATION", default="media"),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
elif MEDIA_STORAGE == "local":
    _MEDIA = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
else:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(f"MEDIA_STORAGE must be 'local' or 's3', not {MEDIA_STORAGE!r}.")
STORAGES = {
    "default": _MEDIA,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Uploads (the media app; README, "Files and media"). With MEDIA_STORAGE=s3 the client posts the
# bytes straight to the bucket with a presigned POST; with local storage it PUTs them to the API, which
# streams them to disk. Each purpose has its own size limit and accepted types (checked again on the
# stored bytes, sniffed, when the upload is completed).
MB = 1024 * 1024
MEDIA_COVER_MAX_BYTES = env.int("MEDIA_COVER_MAX_BYTES", default=5 * MB)
MEDIA_AVATAR_MAX_BYTES = env.int("MEDIA_AVATAR_MAX_BYTES", default=2 * MB)
MEDIA_VIDEO_MAX_BYTES = env.int(
    "MEDIA_VIDEO_MAX_BYTES", default=2048 * MB if MEDIA_STORAGE == "s3" else 500 * MB
)  # 2 GB straight to a bucket; 500 MB when the bytes pass through the web server to the disk
MEDIA_ATTACHMENT_MAX_BYTES = env.int("MEDIA_ATTACHMENT_MAX_BYTES", default=50 * MB)
MEDIA_SUBMISSION_MAX_BYTES = env.int("MEDIA_SUBMISSION_MAX_BYTES", default=25 * MB)
MEDIA_IMAGE_TYPES = env.list("MEDIA_IMAGE_TYPES", default=["image/jpeg", "image/png", "image/webp", "image/gif"])
MEDIA_VIDEO_TYPES = env.list("MEDIA_VIDEO_TYPES", default=["video/mp4", "video/webm", "video/quicktime"])
MEDIA_DOCUMENT_TYPES = env.list(
    "MEDIA_DOCUMENT_TYPES",
    default=[
        "application/pdf",
        "application/zip",
        "text/plain",
        "text/markdown",
        "text/csv",
        "application/msword",
        "application/vnd.ms-excel",
        "application/vnd.ms-powerpoint",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "application/vnd.oasis.opendocument.text",
        "application/vnd.oasis.opendocument.spreadsheet",
        "application/vnd.oasis.opendocument.presentation",
    ],
)
# Submissions take documents, images and archives (a student's essay, a photo of work, a project zip).
MEDIA_SUBMISSION_TYPES = env.list("MEDIA_SUBMISSION_TYPES", default=[*MEDIA_DOCUMENT_TYPES, *MEDIA_IMAGE_TYPES])
# Decompression bombs: an image of more pixels than this is refused before it is decoded.
MEDIA_IMAGE_MAX_PIXELS = env.int("MEDIA_IMAGE_MAX_PIXELS", default=50_000_000)
MEDIA_FFPROBE_TIMEOUT = env.int("MEDIA_FFPROBE_TIMEOUT", default=30)
# The upload step must be done within this many minutes of asking; unattached uploads are deleted
# after MEDIA_UNATTACHED_HOURS (a beat job).
MEDIA_UPLOAD_EXPIRE_MINUTES = env.int("MEDIA_UPLOAD_EXPIRE_MINUTES", default=60)
MEDIA_UNATTACHED_HOURS = env.int("MEDIA_UNATTACHED_HOURS", default=24)
# Every user's storage allowance, unless an admin set another for them (admin, "Storage quotas").
MEDIA_QUOTA_BYTES = env.int("MEDIA_QUOTA_BYTES", default=10 * 1024 * MB)
# Private files (lesson videos and attachments, submissions) are given as links that expire.
MEDIA_PRIVATE_URL_SECONDS = env.int("MEDIA_PRIVATE_URL_SECONDS", default=600)

# Privacy (README "Privacy"): how long an export's link lives, the grace period before an erasure
# runs (cancellable until then), and how long the audit log of staff reads is kept.
PRIVACY_EXPORT_DAYS = env.int("PRIVACY_EXPORT_DAYS", default=7)
ERASURE_GRACE_DAYS = env.int("ERASURE_GRACE_DAYS", default=14)
AUDIT_RETENTION_DAYS = env.int("AUDIT_RETENTION_DAYS", default=730)
# Public files (covers, avatars) are served by the API at /files/public/... with a year-long immutable
# cache header, unless a CDN or public bucket prefix serves them: then their URL is this + the key.
MEDIA_PUBLIC_URL = env("MEDIA_PUBLIC_URL", default="")
# Local storage: with nginx in front, answer private downloads with X-Accel-Redirect to this internal
# location (which maps to MEDIA_ROOT) instead of streaming the file from Python.
MEDIA_ACCEL_REDIRECT_PREFIX = env("MEDIA_ACCEL_REDIRECT_PREFIX", default="")
for _name in (
    "MEDIA_COVER_MAX_BYTES",
    "MEDIA_AVATAR_MAX_BYTES",
    "MEDIA_VIDEO_MAX_BYTES",
    "MEDIA_ATTACHMENT_MAX_BYTES",
    "MEDIA_SUBMISSION_MAX_BYTES",
    "MEDIA_UPLOAD_EXPIRE_MINUTES",
    "MEDIA_PRIVATE_URL_SECONDS",
):
    if vars()[_name] < 1:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(f"{_name} must be at least 1: 0 would refuse every upload or link.")
# Request bodies: JSON bodies above this are refused with 413 before they are parsed.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=1024 * 1024)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000

# Languages (README "Languages"): every message the platform writes is in the reader's language,
# chosen by the profile's `language`, else Accept-Language, else LANGUAGE_CODE. The catalogs are
# locale/<code>/LC_MESSAGES/django.po, compiled by `make install` (compilemessages).
LANGUAGES = [("en", "English"), ("es", "Español"), ("fr", "Français"), ("ar", "العربية")]
LANGUAGE_CODE = env("LANGUAGE_CODE", default="en")
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# Logs go to stderr, one line per record: "plain" for people, "json" (production's default) for log
# collectors. Each line carries the request id (X-Request-ID) and passes through a filter that
# masks tokens, passwords and keys.
LOG_FORMAT = env("LOG_FORMAT", default="plain")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request": {"()": "lms.logging.RequestContextFilter"},
        "redact": {"()": "lms.logging.RedactSecretsFilter"},
    },
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "lms.logging.JSONFormatter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["request", "redact"]},
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # WeasyPrint and fontTools narrate every step of every PDF at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# --- Payments (Stripe) -------------------------------------------------------------------------
STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY", default="")
STRIPE_PUBLISHABLE_KEY = env("STRIPE_PUBLISHABLE_KEY", default="")
STRIPE_WEBHOOK_SECRET = env("STRIPE_WEBHOOK_SECRET", default="")
STRIPE_API_BASE = env("STRIPE_API_BASE", default="")  # a local Stripe emulator, in tests
REFUND_WINDOW_DAYS = env.int("REFUND_WINDOW_DAYS", default=14)
# Pending orders older than this are checked against Stripe by the reconciliation job.
PAYMENTS_RECONCILE_AFTER_MINUTES = env.int("PAYMENTS_RECONCILE_AFTER_MINUTES", default=15)
# Unpaid orders untouched this long are cancelled at Stripe and their coupon use given back.
PAYMENTS_ORDER_EXPIRE_MINUTES = env.int("PAYMENTS_ORDER_EXPIRE_MINUTES", default=60)
# A freed cohort seat offered to the first student waiting is theirs to claim for this long.
COHORT_CLAIM_HOURS = env.int("COHORT_CLAIM_HOURS", default=48)
# Calls to Stripe give up quickly (checkout then answers 503), instead of the library's 80 s.
STRIPE_CONNECT_TIMEOUT = env.float("STRIPE_CONNECT_TIMEOUT", default=3)
STRIPE_READ_TIMEOUT = env.float("STRIPE_READ_TIMEOUT", default=8)
STRIPE_MAX_RETRIES = env.int("STRIPE_MAX_RETRIES", default=1)
# Coupon guessing (payments.coupon_limits; README, "Payments (Stripe)"): this many refused coupon codes from one
# user within the window lock that user's checkouts with a coupon for the window (429, Retry-After).
COUPON_FAILURES_PER_USER = env.int("COUPON_FAILURES_PER_USER", default=10)
COUPON_FAILURE_WINDOW_MINUTES = env.int("COUPON_FAILURE_WINDOW_MINUTES", default=15)
for _name in ("COUPON_FAILURES_PER_USER", "COUPON_FAILURE_WINDOW_MINUTES"):
    if vars()[_name] < 1:  # 0 would lock every buyer out of coupons at the first typo
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(f"{_name} must be at least 1, not {vars()[_name]}.")

# --- Project -----------------------------------------------------------------------------------
PLATFORM_NAME = env("PLATFORM_NAME", default="LMS")
# The public catalog and course detail are cached this long (invalidated on every change); 0: off.
CATALOG_CACHE_SECONDS = env.int("CATALOG_CACHE_SECONDS", default=300)
# HTTP caching of public reads made without credentials (README "HTTP caching"): browsers, proxies and
# CDNs may serve them this long, then serve the stale copy this much longer while they revalidate.
HTTP_CACHE_MAX_AGE = env.int("HTTP_CACHE_MAX_AGE", default=30)
HTTP_CACHE_STALE_WHILE_REVALIDATE = env.int("HTTP_CACHE_STALE_WHILE_REVALIDATE", default=60)
# The signed-in user's row is cached this long for API requests (accounts.auth_cache; every write to
# the user drops it at once); 0: read it from the database on every request.
AUTH_USER_CACHE_SECONDS = env.int("AUTH_USER_CACHE_SECONDS", default=600)
DEFAULT_CURRENCY = env("DEFAULT_CURRENCY", default="USD")  # the admin dashboard's revenue chart
# A forum post or comment reported by this many different readers is hidden until a moderator looks.
FORUM_AUTO_HIDE_REPORTS = env.int("FORUM_AUTO_HIDE_REPORTS", default=3)
# Only reports from accounts this many days old, enrolled in the course this many days, count towards
# that (the course's instructor and admins always count), so throwaway accounts cannot hide posts.
FORUM_REPORT_MIN_ACCOUNT_AGE_DAYS = env.int("FORUM_REPORT_MIN_ACCOUNT_AGE_DAYS", default=7)
FORUM_REPORT_MIN_ENROLLMENT_AGE_DAYS = env.int("FORUM_REPORT_MIN_ENROLLMENT_AGE_DAYS", default=3)
# A quiz answer sent this long after the deadline still counts (latency, a slow click).
QUIZ_DEADLINE_GRACE_SECONDS = env.int("QUIZ_DEADLINE_GRACE_SECONDS", default=30)
# Public base URL of this API, used in links we send out (verify URLs, e-mails).
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")
# Printed on certificates (as a QR code) and returned by the API: where anyone can check one.
CERTIFICATE_VERIFY_URL = env(
    "CERTIFICATE_VERIFY_URL", default=SITE_URL.rstrip("/") + "/api/v1/certificates/verify/{code}/"
)

# --- Error tracking ----------------------------------------------------------------------------
# Sentry (or any Sentry-compatible service, e.g. GlitchTip) when SENTRY_DSN is set. Personal data is
# not sent; tracing is off unless SENTRY_TRACES_SAMPLE_RATE is raised.
SENTRY_DSN = env("SENTRY_DSN", default="")
if SENTRY_DSN:
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        environment=env("SENTRY_ENVIRONMENT", default="production"),
        release=env("SENTRY_RELEASE", default=None),
        integrations=[DjangoIntegration(), CeleryIntegration()],
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
        send_default_pii=False,
    )


# --- integrations (README "Integrations") ---------------------------------------------------------
# Outgoing webhooks. Private, loopback and link-local targets (and plain http) are refused unless this
# is on (tests, on-premise receivers); cloud metadata addresses are refused always.
WEBHOOKS_ALLOW_PRIVATE_TARGETS = env.bool("WEBHOOKS_ALLOW_PRIVATE_TARGETS", default=False)
WEBHOOKS_CONNECT_TIMEOUT = env.float("WEBHOOKS_CONNECT_TIMEOUT", default=3.0)
WEBHOOKS_READ_TIMEOUT = env.float("WEBHOOKS_READ_TIMEOUT", default=10.0)
# A delivery is retried with exponential backoff and jitter for this long, then given up.
WEBHOOKS_RETRY_HOURS = env.int("WEBHOOKS_RETRY_HOURS", default=24)
# An endpoint that has failed every delivery for this long is turned off and its owner e-mailed.
WEBHOOKS_DISABLE_AFTER_DAYS = env.int("WEBHOOKS_DISABLE_AFTER_DAYS", default=3)
# After a secret is rotated, the old one keeps signing (a second v1) for this long.
WEBHOOKS_SECRET_OVERLAP_HOURS = env.int("WEBHOOKS_SECRET_OVERLAP_HOURS", default=24)

# Single sign-on with OpenID Connect providers, one block of variables per name in OIDC_PROVIDERS
# (OIDC_<NAME>_ISSUER, _CLIENT_ID, _CLIENT_SECRET, _LABEL, _ALLOWED_DOMAINS, _DEFAULT_ROLE, _ROLE_CLAIM,
# _ROLE_MAP, _SCOPES; README "Single sign-on").
OIDC_PROVIDERS = {}
for _name in env.list("OIDC_PROVIDERS", default=[]):
    _prefix = f"OIDC_{_name.upper().replace('-', '_')}_"
    OIDC_PROVIDERS[_name] = {
        "issuer": env(_prefix + "ISSUER"),
        "client_id": env(_prefix + "CLIENT_ID"),
        "client_secret": env(_prefix + "CLIENT_SECRET", default=""),
        "label": env(_prefix + "LABEL", default=_name),
        "allowed_domains": env.list(_prefix + "ALLOWED_DOMAINS", default=[]),
        "default_role": env(_prefix + "DEFAULT_ROLE", default="student"),
        "role_claim": env(_prefix + "ROLE_CLAIM", default=""),
        "role_map": env.dict(_prefix + "ROLE_MAP", default={}),
        "scopes": env.list(_prefix + "SCOPES", default=["openid", "email", "profile"]),
    }
# Where the browser is sent at the end of a sign-in: the SPA's page, given a one-time code in the
# fragment (`#code=...`, or `#error=...`), which it exchanges by POST for the JWT pair.
OIDC_RETURN_URL = env("OIDC_RETURN_URL", default="http://localhost:3000/sso/callback")
