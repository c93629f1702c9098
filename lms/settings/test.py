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

# Parallel test workers share one Redis server: each gets a database of its own, because a test's
# cache.clear() empties the whole database (FLUSHDB).
_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "gw-1")
CACHES["default"]["KEY_PREFIX"] = "lms-test-" + _WORKER
if CACHES["default"]["BACKEND"] == "lms.cache.RedisCache":
    _index = int(_WORKER[2:]) if _WORKER[2:].lstrip("-").isdigit() else -1
    _base, _, _db = CACHES["default"]["LOCATION"].rpartition("/")
    _db = int(_db) if _db.isdigit() else 0
    CACHES["default"]["LOCATION"] = f"{_base}/{(_db + 1 + _index) % 16}"

# The auth rate and the sign-in limits (SIGNIN_*) are base.py's: the tests of a class signing in
# together behind one address, and of brute force and password spraying, run with the real defaults.
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] = {
    **REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
    "anon": "1000/min",
    "user": "1000/min",
}
MEDIA_ROOT = os.environ.get("TEST_MEDIA_ROOT") or os.path.join(tempfile.gettempdir(), "lms-test-media")
WHITENOISE_USE_FINDERS = True
# Tests change data behind the services' back (factories): the catalog cache is tested on its own.
CATALOG_CACHE_SECONDS = 0
