"""ReDoc's bundle, served from our origin without its one third-party request.

The ReDoc bundle (from drf-spectacular-sidecar) draws a "Documentation powered by Redocly" logo that
it loads from cdn.redoc.ly: blocked by our Content-Security-Policy (img-src 'self' data:) and a
request to a third party from every reader of the docs. This serves the same bundle with that image
replaced by an inline one; everything else is byte for byte the sidecar's."""

from functools import lru_cache
from hashlib import sha256

from django.contrib.staticfiles import finders
from django.http import HttpResponse, HttpResponseNotModified
from django.views.decorators.http import require_safe

REDOCLY_LOGO = b"https://cdn.redoc.ly/redoc/logo-mini.svg"
INLINE_LOGO = b"data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' width='1' height='1'/%3E"


@lru_cache(maxsize=1)
def _bundle() -> tuple[bytes, str]:
    path = finders.find("drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js")
    with open(path, "rb") as f:
        body = f.read().replace(REDOCLY_LOGO, INLINE_LOGO)
    return body, f'"{sha256(body).hexdigest()[:32]}"'


@require_safe
def redoc_bundle(request):
    body, etag = _bundle()
    if request.headers.get("If-None-Match") == etag:
        return HttpResponseNotModified(headers={"ETag": etag})
    return HttpResponse(
        body,
        content_type="application/javascript; charset=utf-8",
        headers={"ETag": etag, "Cache-Control": "public, max-age=86400"},
    )
