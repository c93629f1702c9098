"""Throttles that read their rates from settings at request time, so a deployment (or a test)
can change them without re-importing DRF."""

from django.conf import settings
from rest_framework import throttling


class SettingsRateMixin:
    def get_rate(self):
        return settings.REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES", {}).get(self.scope)


class AnonThrottle(SettingsRateMixin, throttling.AnonRateThrottle):
    pass


class UserThrottle(SettingsRateMixin, throttling.UserRateThrottle):
    pass


class AuthThrottle(SettingsRateMixin, throttling.SimpleRateThrottle):
    """Login, registration, password reset: counted per client address whoever is signed in,
    so a brute force cannot spread itself over accounts."""

    scope = "auth"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
