"""Test settings: the same configuration as local, made fast and deterministic.

`DATABASE_URL` and `REDIS_URL` are honoured, so the suite runs against PostgreSQL and Redis in CI."""

import os
import tempfile

from .base import *  # noqa: F403
from .base import CACHES, REST_FRAMEWORK

DEBUG = False
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

# Jobs run inline in tests; the background-job tests start a real worker and switch this off.
CELERY_TASK_ALWAYS_EAGER = True

# Parallel test workers share one Redis: keep their cache keys (and throttle counters) apart.
CACHES["default"]["KEY_PREFIX"] = "lms-test-" + os.environ.get("PYTEST_XDIST_WORKER", "main")

REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] = {
    "anon": "1000/min",
    "user": "1000/min",
    "auth": "10/min",
}
MEDIA_ROOT = os.environ.get("TEST_MEDIA_ROOT") or os.path.join(tempfile.gettempdir(), "lms-test-media")
WHITENOISE_USE_FINDERS = True
# Tests change data behind the services' back (factories): the catalog cache is tested on its own.
CATALOG_CACHE_SECONDS = 0
