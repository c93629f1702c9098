"""A limit on guessing coupon codes, counted in the cache per user (README, "Payments (Stripe)").

Only checkouts whose coupon code is refused count (unknown, another course's, inactive, expired,
used up): COUPON_FAILURES_PER_USER of them within COUPON_FAILURE_WINDOW_MINUTES lock that user's
coupon checkouts for COUPON_FAILURE_WINDOW_MINUTES. While locked, every checkout WITH a coupon is
refused with CouponAttemptsExceeded (429 with Retry-After), a right code included, or the lock would
mean nothing; checkouts without a coupon go on. The lock's end forgives the failures that caused it.

checkout_start calls, around the coupon lookup:

    check(user_id=...)            # first: raises CouponAttemptsExceeded while locked
    record_failure(user_id=...)   # the code was refused

Counted the way the throttles and the sign-in limits count (lms.api.throttling.SlidingWindow), and
like them it fails open: with the cache down nothing is locked or counted (logged once a minute)."""

import math
import time

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import ngettext

from lms.api.throttling import SlidingWindow
from lms.cache import CACHE_ERRORS, cache_unavailable
from lms.errors import TooManyAttempts, wait_minutes

WHERE = "coupon limits"


class CouponAttemptsExceeded(TooManyAttempts):
    """Too many refused coupon codes from this user. `retry_after`: seconds until the lock ends."""

    default_code = "too_many_coupon_failures"

    def __init__(self, retry_after: int):
        minutes = wait_minutes(retry_after)
        message = ngettext(
            "Too many coupon codes were refused. Try again in {count} minute, or check out without a coupon.",
            "Too many coupon codes were refused. Try again in {count} minutes, or check out without a coupon.",
            minutes,
        ).format(count=minutes)
        super().__init__(message, retry_after=retry_after)


def _window() -> int:
    return settings.COUPON_FAILURE_WINDOW_MINUTES * 60


def _failures_key(user_id) -> str:
    return f"coupons:failures:{user_id}"


def _lock_key(user_id) -> str:
    return f"coupons:lock:{user_id}"


def check(*, user_id) -> None:
    """Raises CouponAttemptsExceeded while this user's coupon checkouts are locked."""
    now = time.time()
    try:
        until = cache.get(_lock_key(user_id), 0)
    except CACHE_ERRORS as exc:
        cache_unavailable(WHERE, exc)
        return
    # The lock's value is its end by the clock; the cache's expiry only collects it later.
    if until > now:
        raise CouponAttemptsExceeded(retry_after=max(1, math.ceil(until - now)))


def record_failure(*, user_id) -> None:
    """Counts a refused coupon code; the one that reaches the limit locks the user's coupon
    checkouts for the window."""
    now, window = time.time(), _window()
    try:
        failures, _ = SlidingWindow(window).hit(_failures_key(user_id), now)
        # Rounded up: failures from just before a window boundary still count whole.
        if math.ceil(failures) >= settings.COUPON_FAILURES_PER_USER:
            cache.set(_lock_key(user_id), now + window, timeout=window + 60)
            SlidingWindow(window).clear(_failures_key(user_id), now)  # the lock forgives them
    except CACHE_ERRORS as exc:
        cache_unavailable(WHERE, exc)
