"""Throttles that read their rates from settings at request time (a deployment or a test can
change them), counted with atomic cache increments in a sliding window (this window's count plus
the overlapping share of the previous one).

DRF's own throttles keep a list of every request time in the window and rewrite it on each request:
its cost grows with the rate allowed. A counter costs the same at 10 requests a minute or 10,000."""

from django.conf import settings
from django.core.cache import cache
from rest_framework import throttling


class CounterThrottleMixin:
    def get_rate(self):
        return settings.REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES", {}).get(self.scope)

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        key = self.get_cache_key(request, view)
        if key is None:
            return True
        now = self.timer()
        window, elapsed = divmod(now, self.duration)
        self.wait_seconds = self.duration - elapsed
        current_key, previous_key = f"{key}:{int(window)}", f"{key}:{int(window) - 1}"
        if cache.add(current_key, 1, timeout=2 * self.duration + 1):
            current = 1
        else:
            try:
                current = cache.incr(current_key)
            except ValueError:  # expired between add and incr
                cache.set(current_key, 1, timeout=2 * self.duration + 1)
                current = 1
        # Sliding window: the previous window counts in proportion to how much of it still overlaps.
        previous = cache.get(previous_key, 0)
        return current + previous * (1 - elapsed / self.duration) <= self.num_requests

    def wait(self):
        return getattr(self, "wait_seconds", None)


class AnonThrottle(CounterThrottleMixin, throttling.AnonRateThrottle):
    pass


class UserThrottle(CounterThrottleMixin, throttling.UserRateThrottle):
    pass


class AuthThrottle(CounterThrottleMixin, throttling.SimpleRateThrottle):
    """Login, registration, password reset: counted per client address whoever is signed in,
    so a brute force cannot spread itself over accounts."""

    scope = "auth"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
