"""Who is calling, for code far from the view (the activity log, log lines, the database router):
the request id, client address and user agent of the current request, and whether it may read from
the replica, kept in a context variable by RequestContextMiddleware."""

import logging
import re
import time
import uuid
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings

logger = logging.getLogger("lms.request")

REQUEST_ID_HEADER = "X-Request-ID"
_SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class RequestInfo:
    ip: str | None = None
    user_agent: str = ""
    request_id: str = ""
    # Safe requests may read from the read replica; writes and unsafe requests use the primary only.
    read_only: bool = False


_NO_REQUEST = RequestInfo()
_current: ContextVar[RequestInfo | None] = ContextVar("lms_request_info", default=None)


def current() -> RequestInfo:
    return _current.get() or _NO_REQUEST


def client_ip(request) -> str | None:
    """REMOTE_ADDR, or the address the trusted proxies (NUM_PROXIES) saw in X-Forwarded-For."""
    proxies = settings.REST_FRAMEWORK.get("NUM_PROXIES") or 0
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        hops = [h.strip() for h in forwarded.split(",") if h.strip()]
        if hops:
            return hops[-min(proxies, len(hops))]
    return request.META.get("REMOTE_ADDR") or None


def request_id_for(request) -> str:
    """The caller's X-Request-ID when it is a sane token, else a new one."""
    given = request.META.get("HTTP_X_REQUEST_ID", "")
    return given if _SANE_REQUEST_ID.match(given) else uuid.uuid4().hex


class RequestContextMiddleware:
    """Sets the request context, echoes X-Request-ID, and logs one line per request (method, path
    without the query string, status, duration, user id: never headers or bodies)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        info = RequestInfo(
            ip=client_ip(request),
            user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
            request_id=request_id_for(request),
            read_only=request.method in _SAFE_METHODS,
        )
        request.request_id = info.request_id
        token = _current.set(info)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = info.request_id
            user = getattr(request, "user", None)
            logger.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                    "user_id": getattr(user, "pk", None),
                    "client_ip": info.ip,
                },
            )
            return response
        finally:
            _current.reset(token)
