"""Throttles that read their rates from settings at request time (a deployment or a test can
change them), counted with atomic cache increments in a sliding window (this window's count plus
the overlapping share of the previous one). `SlidingWindow` is that counter on its own, for other
limits (accounts.signin_limits counts failed sign-ins with it).

With the cache down, throttles fail open (every request is allowed, logged once a minute): the
rate limits protect the service, and refusing everyone would be the outage they guard against.

DRF's own throttles keep a list of every request time in the window and rewrite it on each request:
its cost grows with the rate allowed. A counter costs the same at 10 requests a minute or 10,000."""

import ipaddress

from django.conf import settings
from django.core.cache import cache
from rest_framework import throttling

from lms.cache import CACHE_ERRORS, cache_unavailable


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

    def hit(self, key: str, now: float) -> tuple[float, float]:
        """Counts one event. Returns the count in the window (this event included) and the seconds
        left in the current fixed window."""
        current_key, previous_key, elapsed = self._keys(key, now)
        counts = cache.get_many([current_key, previous_key])
        if current_key in counts:
            try:
                current = cache.incr(current_key)
            except ValueError:  # expired just now
                current = 0
        else:
            current = 0
        if not current:
            current = 1 if cache.add(current_key, 1, timeout=int(2 * self.duration) + 1) else cache.incr(current_key)
        # Sliding window: the previous window counts in proportion to how much of it still overlaps.
        previous = counts.get(previous_key, 0)
        return current + previous * (1 - elapsed / self.duration), self.duration - elapsed

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

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        key = self.get_cache_key(request, view)
        if key is None:
            return True
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


class UserThrottle(CounterThrottleMixin, throttling.UserRateThrottle):
    """Signed-in callers, per user (anonymous ones are AnonThrottle's)."""

    def get_cache_key(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


class AuthThrottle(CounterThrottleMixin, throttling.SimpleRateThrottle):
    """Sign-in, sign-up and password reset: every request counted per client address, whoever is
    signed in. The rate (THROTTLE_AUTH) is generous, so a class behind one school address can sign
    in together; failed password checks have limits of their own (accounts.signin_limits)."""

    scope = "auth"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": client_address(request)}
