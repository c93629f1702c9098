"""The one place where errors become HTTP responses."""

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from lms.errors import ApplicationError, TooManyAttempts

logger = logging.getLogger(__name__)


def exception_handler(exc, context):
    if isinstance(exc, OperationalError | InterfaceError):
        return _database_unavailable(exc)
    if isinstance(exc, ApplicationError):
        body = {"detail": exc.message, "code": exc.code, **exc.extra}
        headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, TooManyAttempts) else None
        return Response(body, status=exc.status_code, headers=headers)
    if isinstance(exc, RequestDataTooBig):
        body = {"detail": _("The request body is too large."), "code": "request_too_large"}
        return Response(body, status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, RecursionError) and "decoding a JSON" in str(exc):
        # json.loads gives up on deeply nested input with RecursionError, which DRF's parser does
        # not catch: bad input, not a server error.
        exc = exceptions.ParseError(_("JSON parse error - nested too deeply."))
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(exc, exceptions.ValidationError):
        response.data = validation_error_body(exc.detail)
    return response


def validation_error_body(detail) -> dict:
    """A 400's body in the one documented shape (lms.api.responses.ValidationErrorSerializer):
    `{"field": ["message", ...]}`, a nested field keyed by its dotted path (`choices.0.text`); a
    bare `ValidationError("message")` becomes `{"detail": ..., "code": ...}`."""
    if isinstance(detail, dict):
        return _flatten(detail, "")
    messages = _flatten({"": detail}, "").get("", [])
    codes = [getattr(message, "code", None) for message in messages]
    return {"detail": " ".join(messages), "code": codes[0] if codes and codes[0] else "invalid"}


def _flatten(errors, prefix: str) -> dict:
    flat: dict = {}
    for key, value in errors.items() if isinstance(errors, dict) else enumerate(errors):
        path = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, dict):
            flat.update(_flatten(value, path))
        elif isinstance(value, list) and any(isinstance(item, dict | list) for item in value):
            flat.update(_flatten(dict(enumerate(value)), path))
        elif isinstance(value, list):
            flat[path] = value
        elif not prefix and key in ("detail", "code", "field"):
            flat[path] = value  # a rule of the domain raised as ValidationError({"detail": ..., "code": ...})
        else:
            flat[path] = [value]
    return flat


def _database_unavailable(exc) -> Response:
    """The database is down, restarting or refusing connections (or a query hit a lock or statement
    timeout): a clear 503 the client may retry, not a 500. Django reconnects on the next request."""
    logger.error("Database unavailable: %s: %s", exc.__class__.__name__, exc)
    set_rollback()
    body = {"detail": _("The service is temporarily unavailable. Try again shortly."), "code": "database_unavailable"}
    return Response(body, status=status.HTTP_503_SERVICE_UNAVAILABLE, headers={"Retry-After": "5"})


# Django's own error pages are HTML; clients of this API always get JSON.
def json_page_not_found(request, exception=None):
    return JsonResponse({"detail": _("Not found.")}, status=status.HTTP_404_NOT_FOUND)


def json_server_error(request):
    return JsonResponse({"detail": _("Server error.")}, status=status.HTTP_500_INTERNAL_SERVER_ERROR)


def json_bad_request(request, exception=None):
    return JsonResponse({"detail": _("Bad request.")}, status=status.HTTP_400_BAD_REQUEST)


def json_permission_denied(request, exception=None):
    return JsonResponse({"detail": _("Forbidden.")}, status=status.HTTP_403_FORBIDDEN)
