"""Limits on guessing passwords, counted in the cache. Only FAILED password checks count, per account
(the normalised e-mail, whether or not an account has it) and per client address:

- SIGNIN_ACCOUNT_MAX_FAILURES failures within SIGNIN_ACCOUNT_WINDOW_MINUTES lock that account for
  SIGNIN_ACCOUNT_WINDOW_MINUTES, from every address: a brute force against one account stops;
- SIGNIN_ADDRESS_MAX_FAILURES failures within SIGNIN_ADDRESS_WINDOW_MINUTES lock the address for
  SIGNIN_ADDRESS_WINDOW_MINUTES, whatever the account: a password spray over many accounts stops.

While locked, every password check is refused with SignInLocked (429 with Retry-After), the right
password included, or the lock would mean nothing. A lock's end forgives the failures that caused it.
A right password clears that account's failures but never the address's (a sprayer holding one valid
account could otherwise reset the count). Successes are not counted here at all: a class behind one
school address signs in together, limited only by the generous per-address rate (THROTTLE_AUTH).

For any form that checks a password, around the check (accounts.services does this, with the
lockout record and the owner's e-mail, in `user_authenticate` and `user_change_password`):

    check(email=..., address=...)             # first: raises SignInLocked while locked
    record_failure(email=..., address=...)    # a wrong password: returns the lock's end if it locked
    record_success(email=...)                 # a right one

The cache is an optimisation of safety, not a dependency: with it down, every call here fails open
(nothing is locked, nothing counted; logged once a minute), as the throttles do.

Accounts and addresses appear in cache keys only as keyed hashes (no e-mail address in Redis)."""

import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.utils.crypto import salted_hmac
from django.utils.translation import ngettext

from lms.api.throttling import SlidingWindow
from lms.cache import CACHE_ERRORS, cache_unavailable
from lms.errors import TooManyAttempts, wait_minutes

from .models import normalize_email

ACCOUNT = "account"
ADDRESS = "address"


class SignInLocked(TooManyAttempts):
    """Too many failed password checks for this account or from this address. `retry_after` is the
    number of seconds until the lock ends (the API's Retry-After)."""

    default_code = "account_locked"

    def __init__(self, kind: str, retry_after: int):
        minutes = wait_minutes(retry_after)
        if kind == ACCOUNT:
            message = ngettext(
                "Too many failed sign-in attempts for this account. Try again in {count} minute, "
                "or reset your password.",
                "Too many failed sign-in attempts for this account. Try again in {count} minutes, "
                "or reset your password.",
                minutes,
            ).format(count=minutes)
            code = "account_locked"
        else:
            message = ngettext(
                "Too many failed sign-in attempts from your network. Try again in {count} minute.",
                "Too many failed sign-in attempts from your network. Try again in {count} minutes.",
                minutes,
            ).format(count=minutes)
            code = "too_many_failures"
        super().__init__(message, code=code, retry_after=retry_after)
        self.kind = kind


@dataclass(frozen=True)
class _Limit:
    kind: str
    max_failures: int
    window: int  # seconds: failures are counted over it, and a lock lasts as long

    @classmethod
    def for_account(cls) -> "_Limit":
        return cls(ACCOUNT, settings.SIGNIN_ACCOUNT_MAX_FAILURES, settings.SIGNIN_ACCOUNT_WINDOW_MINUTES * 60)

    @classmethod
    def for_address(cls) -> "_Limit":
        return cls(ADDRESS, settings.SIGNIN_ADDRESS_MAX_FAILURES, settings.SIGNIN_ADDRESS_WINDOW_MINUTES * 60)

    def failures_key(self, ident: str) -> str:
        return f"signin:failures:{self.kind}:{ident}"

    def lock_key(self, ident: str) -> str:
        return f"signin:lock:{self.kind}:{ident}"


def _ident(value: str) -> str:
    return salted_hmac("accounts.signin_limits", value, algorithm="sha256").hexdigest()[:40]


def _idents(email: str, address: str | None) -> list[tuple[_Limit, str]]:
    pairs = [(_Limit.for_account(), _ident(normalize_email(email)))]
    if address:
        pairs.append((_Limit.for_address(), _ident(address)))
    return pairs


def check(*, email: str, address: str | None) -> None:
    """Raises SignInLocked while the account or the address (if given) is locked. Call it before
    checking the password, so a locked account's password is not checked at all."""
    now = time.time()
    pairs = _idents(email, address)
    try:
        locks = cache.get_many([limit.lock_key(ident) for limit, ident in pairs])
    except CACHE_ERRORS as exc:
        cache_unavailable("sign-in limits", exc)
        return
    # A lock's value is its end by the clock; the cache's expiry only collects it later.
    active = [(locks.get(limit.lock_key(ident), 0), limit.kind) for limit, ident in pairs]
    active = [(until, kind) for until, kind in active if until > now]
    if active:
        until, kind = max(active)  # the wait must hold for both locks
        raise SignInLocked(kind, retry_after=max(1, math.ceil(until - now)))


def _lock(limit: _Limit, ident: str, now: float) -> float | None:
    """Locks until now + the window, unless a concurrent failure already did. Returns the end of
    the new lock, or None."""
    key, until = limit.lock_key(ident), now + limit.window
    if not cache.add(key, until, timeout=limit.window + 60):
        current = cache.get(key)
        if current is not None and current > now:
            return None
        cache.set(key, until, timeout=limit.window + 60)  # a lock that had ended by the clock
    # The lock's end forgives the failures that caused it: the next window starts from zero.
    SlidingWindow(limit.window).clear(limit.failures_key(ident), now)
    return until


def record_failure(*, email: str, address: str | None) -> float | None:
    """Counts a failed password check against the account and the address (if given). Returns the
    end of the account's lock (a Unix time) if this failure locked the account, else None."""
    now = time.time()
    account_locked_until = None
    try:
        for limit, ident in _idents(email, address):
            failures, _ = SlidingWindow(limit.window).hit(limit.failures_key(ident), now)
            # Rounded up: failures from just before a window boundary still count whole.
            if math.ceil(failures) >= limit.max_failures:
                until = _lock(limit, ident, now)
                if limit.kind == ACCOUNT:
                    account_locked_until = until
    except CACHE_ERRORS as exc:
        cache_unavailable("sign-in limits", exc)
    return account_locked_until


def record_success(*, email: str) -> None:
    """A right password: the account's own failures are forgiven (never the address's)."""
    limit, ident = _idents(email, None)[0]
    try:
        SlidingWindow(limit.window).clear(limit.failures_key(ident), time.time())
    except CACHE_ERRORS as exc:
        cache_unavailable("sign-in limits", exc)


def clear(*, email: str) -> None:
    """Unlocks the account and forgets its failures: its password was just set (by the owner through
    a reset link, a password change, or staff), so earlier guesses no longer matter."""
    limit, ident = _idents(email, None)[0]
    try:
        cache.delete(limit.lock_key(ident))
        SlidingWindow(limit.window).clear(limit.failures_key(ident), time.time())
    except CACHE_ERRORS as exc:
        cache_unavailable("sign-in limits", exc)


def reset_email_allowed(*, email: str) -> bool:
    """Says whether a password reset e-mail may go to this address, and counts it if so (whether or
    not an account has the address): PASSWORD_RESET_EMAILS_PER_HOUR at most in a sliding hour, so
    nobody can mail-bomb a user through the reset form. Refused requests are not counted, so a flood
    of them cannot keep the owner from getting one later. Fails open (True)."""
    key, now, window = f"signin:reset-emails:{_ident(normalize_email(email))}", time.time(), SlidingWindow(3600)
    try:
        if window.count(key, now) + 1 > settings.PASSWORD_RESET_EMAILS_PER_HOUR:
            return False
        window.hit(key, now)
    except CACHE_ERRORS as exc:
        cache_unavailable("sign-in limits", exc)
    return True
