"""Caching of the public catalog and course detail in the shared cache (Redis in production).

Pages are stored rendered (the JSON bytes, their ETag and the versions they were made under) and
served as they are. There are versions for the catalog (every list page) and for each course: a
version is a token of the time of the last change. A service that changes what a page shows calls
`course_changed(course_id)`, which sets new versions when its transaction commits; a page is served
only while the versions it was made under are still the current ones, so a cached page is never
stale after a change commits. The versions also give the pages' Last-Modified.

A page and its versions are read in one round trip, with the request's rate limit and user: the
views name the keys (`catalog_keys`, `course_keys`) and lms.api.roundtrip reads them before the
view runs. CATALOG_CACHE_SECONDS = 0 switches caching off.

Every operation fails open: with the cache down, reads miss, writes and bumps are skipped (logged),
and pages are computed from the database. A bump lost while Redis was unreachable but still holding
data can leave a page stale for at most CATALOG_CACHE_SECONDS."""

import hashlib
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import translation

from lms.api import roundtrip
from lms.cache import CACHE_ERRORS, cache_unavailable, new_version
from lms.http_cache import etag_for

CATALOG_VERSION = "catalog:v"


def enabled() -> bool:
    return settings.CATALOG_CACHE_SECONDS > 0


def course_version(course_id) -> str:
    return f"course:{course_id}:v"


def course_changed(course_id: int | None = None) -> None:
    """Invalidates the catalog and, if given, the course's detail, once the transaction commits."""
    if not enabled():
        return

    def bump():
        version = new_version()
        keys = [CATALOG_VERSION] + ([course_version(course_id)] if course_id is not None else [])
        try:
            cache.set_many(dict.fromkeys(keys, version), timeout=None)
        except CACHE_ERRORS as exc:  # runs after commit: failing here would turn a saved change into a 500
            cache_unavailable("catalog invalidation", exc)

    transaction.on_commit(bump)


def catalog_keys(request) -> tuple[list[str], str]:
    """The version keys and the page key of a catalog page. A page's `next` and `previous` links are
    absolute, built from the request's scheme and host, so the key carries them: a page cached for
    one host name is never served under another. It carries the request's language too: a page that
    some day holds translated text is cached per language."""
    origin = f"{request.scheme}://{request.get_host()}"
    query = "&".join(f"{k}={v}" for k, v in sorted(request.query_params.lists()) for v in v)
    canonical = f"{translation.get_language()}:{origin}?{query}"
    digest = hashlib.sha1(canonical.encode(), usedforsecurity=False).hexdigest()
    return [CATALOG_VERSION], f"catalog:page:{digest}"


def catalog_count_key(request, filter_names) -> str:
    """The key of the number of courses a catalog query matches: its filters only (every page, size
    and ordering of the same filters has the same count)."""
    query = "&".join(
        f"{k}={v}" for k, values in sorted(request.query_params.lists()) if k in filter_names for v in values
    )
    return "catalog:count:" + hashlib.sha1(query.encode(), usedforsecurity=False).hexdigest()


def cached_count(request, key: str, versions: tuple | None) -> int | None:
    """The count stored under `key` for these catalog versions, if any."""
    if versions is None:
        return None
    trip = roundtrip.of(request)
    try:
        entry = trip.values.get(key) if trip is not None and trip.has_read(key) else cache.get(key)
    except CACHE_ERRORS as exc:
        cache_unavailable("the catalog cache", exc)
        return None
    return entry[1] if entry is not None and entry[0] == versions else None


def store_count(key: str, versions: tuple | None, count: int) -> None:
    if versions is None or not enabled():
        return
    try:
        cache.set(key, (versions, count), settings.CATALOG_CACHE_SECONDS)
    except CACHE_ERRORS as exc:
        cache_unavailable("the catalog cache", exc)


def course_keys(course_id) -> tuple[list[str], str]:
    """The version keys and the page key of a course's public page, per language."""
    return [course_version(course_id)], f"course:{course_id}:page:{translation.get_language()}"


def _start(key: str) -> str | None:
    """A version for a key that has none (never changed since the cache started, or evicted); None
    if another request started it first (its value is unknown here: do not store)."""
    version = new_version()
    return version if cache.add(key, version, timeout=None) else None


@dataclass(frozen=True)
class Page:
    body: bytes
    etag: str
    modified: float  # the time of the last change it shows (seconds since the epoch)
    extra: dict


@dataclass(frozen=True)
class Lookup:
    """A cached page (or None) and the versions a page computed now is stored under (None when
    caching is off or the cache could not be read: compute, do not store)."""

    page: Page | None
    versions: tuple | None


_NOTHING = Lookup(None, None)


def lookup(request, keys: tuple[list[str], str]) -> Lookup:
    """Reads a page and its versions, from the request's round trip when it read them."""
    if not enabled():
        return _NOTHING
    version_keys, page_key = keys
    wanted = [*version_keys, page_key]
    trip = roundtrip.of(request)
    try:
        values = trip.values if trip is not None and trip.has_read(*wanted) else cache.get_many(wanted)
        versions = tuple(values.get(k) or _start(k) for k in version_keys)
        if None in versions:
            return _NOTHING
    except CACHE_ERRORS as exc:
        cache_unavailable("the catalog cache", exc)
        return _NOTHING
    entry = values.get(page_key)
    if entry is not None and entry["versions"] == versions:
        return Lookup(Page(entry["body"], entry["etag"], entry["modified"], entry["extra"]), versions)
    return Lookup(None, versions)


def store(keys: tuple[list[str], str] | None, versions: tuple | None, body: bytes, **extra) -> Page:
    """Keeps a page made under `versions` (from `lookup`; None: not kept). Returns it."""
    page = Page(body, etag_for(body), max((float(v.split("-")[0]) for v in versions or ()), default=time.time()), extra)
    if versions is None or not enabled():
        return page
    try:
        cache.set(
            keys[1],
            {"versions": versions, "body": body, "etag": page.etag, "modified": page.modified, "extra": extra},
            settings.CATALOG_CACHE_SECONDS,
        )
    except CACHE_ERRORS as exc:
        cache_unavailable("the catalog cache", exc)
    return page


def cached_course_page(course_id) -> Page | None:
    """The course's public page in the cache, if it is current (for tests and the admin)."""
    return lookup(None, course_keys(course_id)).page
