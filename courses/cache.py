"""Caching of the public catalog and course detail in the shared cache (Redis in production).

Keys carry version numbers: the catalog's (one for every list page) and each course's. A service
that changes what a page shows calls `course_changed(course_id)`, which bumps both versions when
its transaction commits, so the next request misses and recomputes from committed data: a cached
page is never stale after a change commits. CATALOG_CACHE_SECONDS = 0 switches caching off.

Every operation fails open: with the cache down, keys are None, reads miss, writes and bumps are
skipped (logged), and pages are computed from the database. A bump lost while Redis was unreachable
but still holding data can leave a page stale for at most CATALOG_CACHE_SECONDS."""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import translation

from lms.cache import CACHE_ERRORS, cache_unavailable

CATALOG_VERSION = "catalog:v"


def enabled() -> bool:
    return settings.CATALOG_CACHE_SECONDS > 0


def _version(key: str) -> int | None:
    try:
        return cache.get_or_set(key, 1, timeout=None)
    except CACHE_ERRORS as exc:
        cache_unavailable("the catalog cache", exc)
        return None


def _bump(key: str) -> None:
    try:
        try:
            cache.incr(key)
        except ValueError:  # not cached yet (or evicted): any new value differs from what pages used
            cache.set(key, 2, timeout=None)
    except CACHE_ERRORS as exc:  # runs after commit: failing here would turn a saved change into a 500
        cache_unavailable("catalog invalidation", exc)


def course_changed(course_id: int | None = None) -> None:
    """Invalidates the catalog and, if given, the course's detail, once the transaction commits."""
    if not enabled():
        return

    def bump():
        _bump(CATALOG_VERSION)
        if course_id is not None:
            _bump(f"course:{course_id}:v")

    transaction.on_commit(bump)


def catalog_key(request) -> str | None:
    """The key of a catalog page, or None when the cache is unavailable (get and put then skip).
    A page's `next` and `previous` links are absolute, built from the request's scheme and host, so
    the key carries them: a page cached for one host name is never served under another. It carries
    the request's language too: a page that some day holds translated text is cached per language."""
    version = _version(CATALOG_VERSION)
    if version is None:
        return None
    origin = f"{request.scheme}://{request.get_host()}"
    query = "&".join(f"{k}={v}" for k, v in sorted(request.query_params.lists()) for v in v)
    canonical = f"{translation.get_language()}:{origin}?{query}"
    digest = hashlib.sha1(canonical.encode(), usedforsecurity=False).hexdigest()
    return f"catalog:{version}:{digest}"


def course_key(course_id: int) -> str | None:
    """The key of a course's public page, per language (as catalog_key)."""
    version = _version(f"course:{course_id}:v")
    return None if version is None else f"course:{course_id}:{version}:{translation.get_language()}:public"


def get(key: str | None):
    if key is None or not enabled():
        return None
    try:
        return cache.get(key)
    except CACHE_ERRORS as exc:
        cache_unavailable("the catalog cache", exc)
        return None


def put(key: str | None, value) -> None:
    if key is None or not enabled():
        return
    try:
        cache.set(key, value, settings.CATALOG_CACHE_SECONDS)
    except CACHE_ERRORS as exc:
        cache_unavailable("the catalog cache", exc)
