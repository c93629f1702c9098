"""One cache round trip for what an API request needs from Redis before its view runs.

A signed-in request used to make three to five: the user's row for the token, the rate-limit
counter (two), the cache version and the cached page. `RoundTrip` collects the reads and the
counter hits and sends them together, as one pipeline on Redis (`get_many`, `add`, `incr` on other
backends, which are in-process). The API's authentication (lms.api.authentication) fills one per
request with `prefetch`: the token's user (accounts.auth_cache), every counting throttle of the view
(lms.api.throttling) and the cache entries the view says it will read (`prefetch_cache_keys`).
Each of those then takes its value from the request's round trip when it is there, and asks the
cache itself when it is not (another language, a window that turned, a failed trip), so the
prefetch only ever saves time: it never changes an answer."""

from __future__ import annotations

from django.core.cache import cache, caches

from lms.cache import CACHE_ERRORS, RedisCache, cache_unavailable

_ATTRIBUTE = "_lms_round_trip"


class RoundTrip:
    """Reads (`read`) and sliding-window counter hits (`count`) sent in one go by `send`.
    After it: `values` {key: value} of the keys that exist, `counts` {key: (current, previous)}."""

    def __init__(self) -> None:
        self._reads: list[str] = []
        self._counts: list[tuple[str, str, int]] = []
        self.values: dict = {}
        self.counts: dict[str, tuple[int, int]] = {}
        self.sent = False

    def read(self, *keys: str) -> None:
        self._reads.extend(k for k in keys if k not in self._reads)

    def has_read(self, *keys: str) -> bool:
        """Whether the trip read every one of `keys` (a key it read and did not find is missing)."""
        return self.sent and all(k in self._reads for k in keys)

    def count(self, key: str, previous_key: str, timeout: int) -> None:
        """Adds one to the counter `key` (created with `timeout`) and reads `previous_key`."""
        self._counts.append((key, previous_key, timeout))

    def send(self) -> RoundTrip:
        """Sends everything. Cache errors propagate (callers decide how to fail open)."""
        backend = caches["default"]
        if isinstance(backend, RedisCache):
            self._send_pipeline(backend)
        else:
            self._send_each()
        self.sent = True
        return self

    def _send_pipeline(self, backend: RedisCache) -> None:
        pipe = backend.raw_client().pipeline(transaction=False)
        raw = [backend.make_and_validate_key(k) for k in self._reads]
        for key in raw:
            pipe.get(key)
        for key, previous, timeout in self._counts:
            pipe.set(backend.make_and_validate_key(key), 0, ex=timeout, nx=True)
            pipe.incr(backend.make_and_validate_key(key))
            pipe.get(backend.make_and_validate_key(previous))
        replies = pipe.execute()
        for key, data in zip(self._reads, replies, strict=False):
            if data is not None:
                self.values[key] = backend.decode(data)
        rest = replies[len(raw) :]
        for n, (key, _previous, _timeout) in enumerate(self._counts):
            current, previous = rest[3 * n + 1], rest[3 * n + 2]
            self.counts[key] = (int(current), int(previous or 0))

    def _send_each(self) -> None:
        if self._reads:
            self.values = cache.get_many(self._reads)
        for key, previous, timeout in self._counts:
            cache.add(key, 0, timeout=timeout)
            try:
                current = cache.incr(key)
            except ValueError:  # expired in between
                cache.set(key, 1, timeout=timeout)
                current = 1
            self.counts[key] = (current, int(cache.get(previous) or 0))


def of(request) -> RoundTrip | None:
    """The round trip this request already made (a DRF or Django request), if any."""
    return getattr(getattr(request, "_request", request), _ATTRIBUTE, None)


def prefetch(request, view, user_id) -> RoundTrip | None:
    """Makes the request's one round trip: the user `user_id` (from a valid token; None when the
    request has none), the counting throttles of `view`, and the view's `prefetch_cache_keys(request)`.
    A failed trip is logged and forgotten: everyone then asks the cache on their own (and fails
    open as before)."""
    from accounts import auth_cache
    from lms.api.throttling import CounterThrottleMixin

    trip = RoundTrip()
    if user_id is not None:
        trip.read(*auth_cache.keys(user_id))
    windows = []
    if view is not None:
        for throttle in view.get_throttles():
            if isinstance(throttle, CounterThrottleMixin):
                window = throttle.prefetch(request, view, user_id, trip)
                if window is not None:
                    windows.append(window)
        keys = getattr(view, "prefetch_cache_keys", None)
        if keys is not None:
            trip.read(*keys(request))
    try:
        trip.send()
    except CACHE_ERRORS as exc:
        cache_unavailable("the request's cache round trip", exc)
        return None
    for window in windows:
        window.settle(request, trip)
    setattr(getattr(request, "_request", request), _ATTRIBUTE, trip)
    return trip
