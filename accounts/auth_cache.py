"""The signed-in user's row for API requests, from the shared cache instead of a query per request,
with revocation kept exact.

Every API request with a token needs its user: to check they are active, that the token predates no
password change (CHECK_REVOKE_TOKEN) and to know their role and language. The row is cached under a
per-user version: a token of the cache made at the change (`VERSION_KEY`), and the entry
(`ENTRY_KEY`) holds the version it was read under. Any write to a user (save, delete, queryset
update: accounts.models) sets a new version, at once and again when its transaction commits, so the
next request reads the row again, from committed data. A request that read the row before the write
committed stores it under the old version, which no reader asks for any more: a deactivated user, or
the tokens from before a password change, fail at the next request.

Reads are part of the request's one round trip (lms.api.roundtrip); with the cache down they fail
open to the database. A version bump lost to a cache outage (Redis refusing writes but still
serving reads) leaves an entry live for at most AUTH_USER_CACHE_SECONDS. AUTH_USER_CACHE_SECONDS = 0
turns the cache off."""

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from lms.cache import CACHE_ERRORS, cache_unavailable, new_version

VERSION_KEY = "auth:user:{}:v"
ENTRY_KEY = "auth:user:{}"
# A version outlives any entry made under it; when it is evicted, the next read starts a new one.
VERSION_SECONDS = 24 * 3600


def enabled() -> bool:
    return settings.AUTH_USER_CACHE_SECONDS > 0


def keys(user_id) -> tuple[str, str]:
    return VERSION_KEY.format(user_id), ENTRY_KEY.format(user_id)


def user(user_id, values: dict | None = None):
    """The user `user_id` (raises User.DoesNotExist). `values` are what the request's round trip
    read (keys()); without them the cache is asked here."""
    from accounts.models import User

    if not enabled():
        return User.objects.get(pk=user_id)
    version_key, entry_key = keys(user_id)
    if values is None or (version_key not in values and entry_key not in values):
        try:
            values = cache.get_many([version_key, entry_key])
        except CACHE_ERRORS as exc:
            cache_unavailable("the user cache", exc)
            return User.objects.get(pk=user_id)
    version, entry = values.get(version_key), values.get(entry_key)
    if version is not None and entry is not None and entry[0] == version:
        return entry[1]
    found = User.objects.get(pk=user_id)
    try:
        if version is None:  # a first read (or an evicted version): start one, unless another request just did
            version = new_version()
            if not cache.add(version_key, version, timeout=VERSION_SECONDS):
                return found
        cache.set(entry_key, (version, found), timeout=settings.AUTH_USER_CACHE_SECONDS)
    except CACHE_ERRORS as exc:
        cache_unavailable("the user cache", exc)
    return found


def _bump(user_ids) -> None:
    try:
        cache.set_many({VERSION_KEY.format(pk): new_version() for pk in user_ids}, timeout=VERSION_SECONDS)
    except CACHE_ERRORS as exc:
        cache_unavailable("user cache invalidation", exc)


def changed(*user_ids) -> None:
    """Users whose rows were written: their cached rows are dropped now and when the transaction
    commits (a request that read the row in between cached it under the version dropped then)."""
    ids = [pk for pk in user_ids if pk is not None]
    if not ids or not enabled():
        return
    _bump(ids)
    transaction.on_commit(lambda: _bump(ids))


def user_written(sender, instance, **kwargs) -> None:
    """post_save and post_delete of a user."""
    changed(instance.pk)
