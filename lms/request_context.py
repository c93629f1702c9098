"""Who is calling, for code far from the view (the activity log): the client address and user
agent of the current request, kept in a context variable by RequestContextMiddleware."""

from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class RequestInfo:
    ip: str | None = None
    user_agent: str = ""


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


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        info = RequestInfo(ip=client_ip(request), user_agent=request.META.get("HTTP_USER_AGENT", "")[:300])
        token = _current.set(info)
        try:
            return self.get_response(request)
        finally:
            _current.reset(token)
