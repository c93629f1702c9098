"""Throttles that read their rates from settings at request time (a deployment or a test can
change them), counted with atomic cache increments in a sliding window (this window's count plus
the overlapping share of the previous one). `SlidingWindow` is that counter on its own, for other
limits (accounts.signin_limits counts failed sign-ins with it).

With the cache down, throttles fail open (every request is allowed, logged once a minute): the
rate limits protect the service, and refusing everyone would be the outage they guard against.

DRF's own throttles keep a list of every request time in the window and rewrite it on each request:
its cost grows with the rate allowed. A counter costs the same at 10 requests a minute or 10,000.

A hit is one cache round trip (create the counter if new, increment it, read the previous window's),
and an API request's throttles join the request's single round trip (lms.api.roundtrip), made
before the view runs: `prefetch` plans the hit, `allow_request` reads its result."""

import ipaddress

from django.conf import settings
from django.core.cache import cache
from rest_framework import throttling

from lms.api.roundtrip import RoundTrip
from lms.cache import CACHE_ERRORS, cache_unavailable

_COUNTED = "_lms_throttle_counts"


class _PlannedHit:
    """A counter hit queued in a round trip; `settle` turns the trip's replies into the count."""

    def __init__(self, key: str, current_key: str, elapsed: float, duration: float):
        self.key, self.current_key, self.elapsed, self.duration = key, current_key, elapsed, duration

    def result(self, trip: RoundTrip) -> tuple[float, float]:
        current, previous = trip.counts[self.current_key]
        return current + previous * (1 - self.elapsed / self.duration), self.duration - self.elapsed

    def settle(self, request, trip: RoundTrip) -> None:
        counted_for(request)[self.key] = self.result(trip)


def counted_for(request) -> dict:
    """{throttle key: (count, wait)} counted for this request by its round trip."""
    django_request = getattr(request, "_request", request)
    counted = getattr(django_request, _COUNTED, None)
    if counted is None:
        counted = {}
        setattr(django_request, _COUNTED, counted)
    return counted


class SlidingWindow:
    """Counts events per key over the last `duration` seconds, approximately: two fixed windows'
    atomic cache counters, the previous one weighted by how much of it still overlaps. Keys carry
    the window's number, so the count follows the clock (time.time) rather than cache expiry.
    Cache errors propagate: the caller decides how to fail open."""

    def __init__(self, duration: float):
        self.duration = duration

    def _keys(self, key: str, now: float) -> tuple[str, str, float]:
        window, elapsed = divmod(now, self.duration)
        return f"{key}:{int(window)}", f"{key}:{int(window) - 1}", elapsed

    def plan(self, key: str, now: float, trip: RoundTrip) -> _PlannedHit:
        """Queues one event's hit in `trip`; the returned plan reads the count once it is sent."""
        current_key, previous_key, elapsed = self._keys(key, now)
        trip.count(current_key, previous_key, timeout=int(2 * self.duration) + 1)
        return _PlannedHit(key, current_key, elapsed, self.duration)

    def hit(self, key: str, now: float) -> tuple[float, float]:
        """Counts one event. Returns the count in the window (this event included) and the seconds
        left in the current fixed window. Sliding: the previous window counts in proportion to how
        much of it still overlaps."""
        trip = RoundTrip()
        planned = self.plan(key, now, trip)
        return planned.result(trip.send())

    def count(self, key: str, now: float) -> float:
        """The count in the window, without counting anything."""
        current_key, previous_key, elapsed = self._keys(key, now)
        counts = cache.get_many([current_key, previous_key])
        return counts.get(current_key, 0) + counts.get(previous_key, 0) * (1 - elapsed / self.duration)

    def clear(self, key: str, now: float) -> None:
        """Forgets the events counted so far."""
        current_key, previous_key, _ = self._keys(key, now)
        cache.delete_many([current_key, previous_key])


def client_address(request) -> str:
    """The caller's address as the rate limits count it: REMOTE_ADDR, or the address that NUM_PROXIES
    trusted proxies put in X-Forwarded-For (DRF's get_ident; with NUM_PROXIES=0 the header is never
    believed). An IPv6 address counts as its /64 network: one host usually holds a whole /64, and
    could otherwise take a fresh address for every request. Works for Django's and DRF's requests."""
    ident = throttling.BaseThrottle().get_ident(request) or ""
    try:
        address = ipaddress.ip_address(ident)
    except ValueError:
        return ident
    if address.version == 4:
        return str(address)
    if address.ipv4_mapped:  # ::ffff:192.0.2.1 is the IPv4 address
        return str(address.ipv4_mapped)
    return str(ipaddress.ip_network(f"{address}/64", strict=False))


class CounterThrottleMixin:
    def get_rate(self):
        return settings.REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES", {}).get(self.scope)

    def prefetch_key(self, request, user_id) -> str | None:
        """The key get_cache_key will give, known before authentication finishes (`user_id` is the
        valid token's user, None without one); None when this throttle will not count the request.
        It must not read request.user (the request is being authenticated)."""
        return None

    def prefetch(self, request, view, user_id, trip: RoundTrip) -> _PlannedHit | None:
        key = self.prefetch_key(request, user_id) if self.rate is not None else None
        return None if key is None else SlidingWindow(self.duration).plan(key, self.timer(), trip)

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        key = self.get_cache_key(request, view)
        if key is None:
            return True
        known = counted_for(request).pop(key, None)
        if known is not None:  # counted by the request's round trip
            count, self.wait_seconds = known
            return count <= self.num_requests
        try:
            return self._allow(key)
        except CACHE_ERRORS as exc:  # fail open: an outage of the counters must not lock everyone out
            cache_unavailable("rate limiting", exc)
            return True

    def _allow(self, key: str) -> bool:
        count, self.wait_seconds = SlidingWindow(self.duration).hit(key, self.timer())
        return count <= self.num_requests

    def wait(self):
        return getattr(self, "wait_seconds", None)


class AnonThrottle(CounterThrottleMixin, throttling.AnonRateThrottle):
    """Anonymous callers, per address."""

    def prefetch_key(self, request, user_id):
        return (
            None if user_id is not None else self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
        )


class UserThrottle(CounterThrottleMixin, throttling.UserRateThrottle):
    """Signed-in callers, per user (anonymous ones are AnonThrottle's)."""

    def get_cache_key(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}

    def prefetch_key(self, request, user_id):
        return None if user_id is None else self.cache_format % {"scope": self.scope, "ident": user_id}


class AuthThrottle(CounterThrottleMixin, throttling.SimpleRateThrottle):
    """Sign-in, sign-up and password reset: every request counted per client address, whoever is
    signed in. The rate (THROTTLE_AUTH) is generous, so a class behind one school address can sign
    in together; failed password checks have limits of their own (accounts.signin_limits)."""

    scope = "auth"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": client_address(request)}

    def prefetch_key(self, request, user_id):
        return self.get_cache_key(request, None)
