"""HTTP caching of API reads (README "HTTP caching").

`ApiHttpCacheMiddleware` gives every successful API read a validator (`ETag`, from the body unless
the view set one, e.g. a cached page's) and answers a matching conditional GET with 304. Public reads
made without credentials may be kept by browsers, proxies and CDNs (`Cache-Control: public,
max-age=HTTP_CACHE_MAX_AGE, stale-while-revalidate=HTTP_CACHE_STALE_WHILE_REVALIDATE`); every other
read is `private, no-cache` (the caller's browser may keep it and must revalidate it before each
use); errors and writes are `no-store`. API responses vary with `Authorization` (and
`Accept-Language`, which LocaleMiddleware adds). A view's own Cache-Control (file downloads) stands."""

import json
from hashlib import blake2b

from django.conf import settings
from django.http import HttpResponse
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.functional import cached_property
from django.utils.http import http_date, parse_http_date_safe

from lms.middleware import is_api

_SAFE = frozenset({"GET", "HEAD"})
PUBLIC = "_lms_public"


class RenderedResponse(HttpResponse):
    """JSON sent as stored bytes (a cached page), with `data` decoded on demand like DRF's."""

    def __init__(self, body: bytes, **kwargs):
        super().__init__(body, content_type="application/json", **kwargs)

    @cached_property
    def data(self):
        return json.loads(self.content)


def etag_for(body: bytes) -> str:
    """The strong validator of a response body (as the HTTP cache middleware computes it)."""
    return '"' + blake2b(body, digest_size=16).hexdigest() + '"'


def public(response):
    """Marks a response as the same for every anonymous caller (the catalog, a course's public
    page): without credentials, shared caches may keep it. Returns the response."""
    setattr(response, PUBLIC, True)
    return response


def last_modified(response, timestamp: float | None):
    """Sets Last-Modified (seconds since the epoch) when known. Returns the response."""
    if timestamp is not None:
        response["Last-Modified"] = http_date(int(timestamp))
    return response


class ApiHttpCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not is_api(request):
            return response
        patch_vary_headers(response, ("Authorization",))
        if request.method not in _SAFE or response.status_code != 200 or response.streaming:
            if not response.has_header("Cache-Control"):
                response["Cache-Control"] = "no-store"
            return response
        if not response.has_header("Cache-Control"):
            if getattr(response, PUBLIC, False) and "HTTP_AUTHORIZATION" not in request.META:
                response["Cache-Control"] = (
                    f"public, max-age={settings.HTTP_CACHE_MAX_AGE}, "
                    f"stale-while-revalidate={settings.HTTP_CACHE_STALE_WHILE_REVALIDATE}"
                )
            else:
                response["Cache-Control"] = "private, no-cache"
        if "no-store" in response["Cache-Control"]:
            return response
        if not response.has_header("ETag"):
            response["ETag"] = etag_for(response.content)
        modified = parse_http_date_safe(response["Last-Modified"]) if response.has_header("Last-Modified") else None
        return get_conditional_response(request, etag=response["ETag"], last_modified=modified, response=response)


class PublicReadsMixin:
    """For views whose reads show every anonymous caller the same thing: the viewset actions (or,
    on an APIView, "get") named in `public_actions`."""

    public_actions = frozenset({"list", "retrieve"})

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        action = getattr(self, "action", None) or request.method.lower()
        if request.method in _SAFE and action in self.public_actions:
            public(response)
        return response
