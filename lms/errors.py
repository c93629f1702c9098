"""Domain errors raised by services. They know nothing of HTTP; the API's exception handler
(lms.api.exceptions) maps each to its status code, so services stay usable from tasks, the admin
and the shell."""

from typing import Any

from django.utils.functional import Promise
from django.utils.translation import ngettext

# A message: a str, or a lazy translation (gettext_lazy, format_lazy) rendered when it is shown.
Message = str | Promise


class ApplicationError(Exception):
    """A rule of the domain was broken. `extra` carries fields the client may need."""

    status_code = 400
    default_code = "invalid"

    def __init__(self, message: Message, *, code: str | None = None, extra: dict[str, Any] | None = None):
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.extra = extra or {}


class InvalidInput(ApplicationError):
    status_code = 400
    default_code = "invalid"


class NotPermitted(ApplicationError):
    status_code = 403
    default_code = "permission_denied"


class NotFound(ApplicationError):
    status_code = 404
    default_code = "not_found"


class PaymentRequired(ApplicationError):
    status_code = 402
    default_code = "payment_required"


class Conflict(ApplicationError):
    status_code = 409
    default_code = "conflict"


class TooLarge(ApplicationError):
    status_code = 413
    default_code = "too_large"


class UnsupportedType(ApplicationError):
    status_code = 415
    default_code = "unsupported_type"


class ServiceUnavailable(ApplicationError):
    status_code = 503
    default_code = "service_unavailable"


class TooManyAttempts(ApplicationError):
    """Too many failed attempts (passwords, coupon codes): locked for `retry_after` seconds. The API
    answers 429 with a Retry-After header, wherever the service raising it is called from."""

    status_code = 429
    default_code = "too_many_attempts"

    def __init__(self, message: Message, *, retry_after: int, code: str | None = None):
        super().__init__(message, code=code)
        self.retry_after = retry_after


def wait_minutes(retry_after: int) -> int:
    """The wait of a TooManyAttempts in whole minutes (at least one): the count of its message's
    plural (the whole sentence is one msgid, with {count} where the minutes go)."""
    return max(1, -(-retry_after // 60))


def wait_phrase(retry_after: int) -> str:
    """ "Try again in 15 minutes.": the wait of a TooManyAttempts as a sentence of its own. A message
    that says more makes the whole sentence one msgid with wait_minutes, never joins this to it."""
    minutes = wait_minutes(retry_after)
    return ngettext("Try again in {count} minute.", "Try again in {count} minutes.", minutes).format(count=minutes)
