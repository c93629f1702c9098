"""Which event types some active endpoint wants, known without a query on the hot path.

`lms.events.publish` runs inside hot services (enroll, complete a lesson, submit, pay) whose query
counts are pinned by tests, and almost always no endpoint wants the event. So the recorder first
asks `types()`, which answers from a memo kept in this process, checked (at most once a second)
against a version in the shared cache (Redis in production) that every change of an endpoint's
events or active flag writes after it commits, and that the beat sweep writes again every minute
(a lost write, a Redis restart). The version is a digest of the set itself, so every process that
computes it from the database agrees. The memo is read again from the database (one query) only
when this process has never looked, or the shared version says another process changed the
endpoints: a change is seen everywhere within about a second. With the cache down or emptied, the
memo is trusted until the version is written again.

The memo learns only from committed data (after commit, from the sweep, after migrate or flush) or
from the recorder's own read of the endpoints, so a test that creates endpoints and rolls back
leaves nothing behind (webhooks/tests/conftest.py resets it all the same)."""

import hashlib
import time

from django.core.cache import cache
from django.db import DatabaseError, transaction

from lms.cache import CACHE_ERRORS, cache_unavailable

KEY = "webhooks:subscriptions"

# The shared version is read at most this often per process: publishing costs no round trip to Redis
# either (and, with Redis unreachable, no timeout on every event).
CHECK_EVERY_SECONDS = 1.0

# (version, types); (None, None) until this process first looks.
_memo: tuple[str | None, frozenset[str] | None] = (None, None)
_checked_at = float("-inf")


def version_of(types: frozenset[str]) -> str:
    return hashlib.sha256("\n".join(sorted(types)).encode()).hexdigest()[:16]


def _shared_version() -> str | None:
    try:
        return cache.get(KEY)
    except CACHE_ERRORS as exc:
        cache_unavailable("webhook subscriptions", exc)
        return None


def types() -> frozenset[str]:
    """The event types at least one active endpoint wants. No query, unless this process has never
    looked or the endpoints changed since it last did."""
    global _checked_at
    known_version, known = _memo
    if known is not None:
        now = time.monotonic()
        if now - _checked_at < CHECK_EVERY_SECONDS:
            return known
        _checked_at = now
        version = _shared_version()
        if version is None or version == known_version:
            return known
    return remember(_read())


def _read() -> list[tuple[int, list[str]]]:
    from .models import Endpoint

    return list(Endpoint.objects.filter(is_active=True).values_list("id", "events"))


def remember(rows) -> frozenset[str]:
    """Sets the memo from active endpoints' `(id, events)` rows just read; returns the types."""
    global _memo, _checked_at
    found = frozenset(t for _pk, events in rows for t in events or ())
    _memo = (version_of(found), found)
    _checked_at = time.monotonic()
    return found


def share() -> frozenset[str]:
    """Reads the endpoints, remembers them and writes their version to the shared cache: after a
    change commits, and from the sweep."""
    found = remember(_read())
    try:
        cache.set(KEY, version_of(found), timeout=None)
    except CACHE_ERRORS as exc:
        cache_unavailable("webhook subscriptions", exc)
    return found


def changed() -> None:
    """Call in the transaction that changed an endpoint's events or active flag: every process
    learns the new set once it commits (this one at once, the others at their next event)."""
    transaction.on_commit(share)


def reset(found: frozenset[str] = frozenset()) -> None:
    """Sets the memo, to be checked against the shared version at the next event (tests; and a
    table that could not be read after migrate)."""
    global _checked_at
    remember([(0, list(found))])
    _checked_at = float("-inf")


def on_migrate(using="default", **kwargs) -> None:
    """post_migrate (migrate, and flush between transactional tests): the endpoints table was just
    made or emptied, so what this process remembers is re-read."""
    if using != "default":
        return
    try:
        remember(_read())
    except DatabaseError:  # migrated backwards, or the table is not there yet
        reset()
