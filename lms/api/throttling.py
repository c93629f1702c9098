"""Throttles that read their rates from settings at request time (a deployment or a test can
change them), counted with atomic cache increments in a sliding window (this window's count plus
the overlapping share of the previous one).

With the cache down, throttles fail open (every request is allowed, logged once a minute): the
rate limits protect the service, and refusing everyone would be the outage they guard against.

DRF's own throttles keep a list of every request time in the window and rewrite it on each request:
its cost grows with the rate allowed. A counter costs the same at 10 requests a minute or 10,000."""

from django.conf import settings
from django.core.cache import cache
from rest_framework import throttling

from lms.cache import CACHE_ERRORS, cache_unavailable


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
        now = self.timer()
        window, elapsed = divmod(now, self.duration)
        self.wait_seconds = self.duration - elapsed
        current_key, previous_key = f"{key}:{int(window)}", f"{key}:{int(window) - 1}"
        counts = cache.get_many([current_key, previous_key])
        if current_key in counts:
            try:
                current = cache.incr(current_key)
            except ValueError:  # expired just now
                current = 0
        else:
            current = 0
        if not current:
            current = 1 if cache.add(current_key, 1, timeout=2 * self.duration + 1) else cache.incr(current_key)
        # Sliding window: the previous window counts in proportion to how much of it still overlaps.
        previous = counts.get(previous_key, 0)
        return current + previous * (1 - elapsed / self.duration) <= self.num_requests

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
    """Login, registration, password reset: counted per client address whoever is signed in,
    so a brute force cannot spread itself over accounts."""

    scope = "auth"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
