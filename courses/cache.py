"""Caching of the public catalog and course detail in the shared cache (Redis in production).

Keys carry version numbers: the catalog's (one for every list page) and each course's. A service
that changes what a page shows calls `course_changed(course_id)`, which bumps both versions when
its transaction commits, so the next request misses and recomputes from committed data: a cached
page is never stale after a change commits. CATALOG_CACHE_SECONDS = 0 switches caching off."""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

CATALOG_VERSION = "catalog:v"


def enabled() -> bool:
    return settings.CATALOG_CACHE_SECONDS > 0


def _version(key: str) -> int:
    return cache.get_or_set(key, 1, timeout=None)


def _bump(key: str) -> None:
    try:
        cache.incr(key)
    except ValueError:  # not cached yet (or evicted): any new value differs from what pages used
        cache.set(key, 2, timeout=None)


def course_changed(course_id: int | None = None) -> None:
    """Invalidates the catalog and, if given, the course's detail, once the transaction commits."""
    if not enabled():
        return

    def bump():
        _bump(CATALOG_VERSION)
        if course_id is not None:
            _bump(f"course:{course_id}:v")

    transaction.on_commit(bump)


def catalog_key(query_params) -> str:
    canonical = "&".join(f"{k}={v}" for k, v in sorted(query_params.lists()) for v in v)
    digest = hashlib.sha1(canonical.encode(), usedforsecurity=False).hexdigest()
    return f"catalog:{_version(CATALOG_VERSION)}:{digest}"


def course_key(course_id: int) -> str:
    return f"course:{course_id}:{_version(f'course:{course_id}:v')}:public"


def get(key: str):
    return cache.get(key) if enabled() else None


def put(key: str, value) -> None:
    if enabled():
        cache.set(key, value, settings.CATALOG_CACHE_SECONDS)
