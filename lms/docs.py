"""The OpenAPI schema, generated once per process, and ReDoc's bundle, served from our origin
without its one third-party request.

The schema (over 1 MB with its examples) takes about half a second to generate and changes only
when the code does, i.e. on deploy: each process renders it once per format and serves the bytes
with an ETag, so a client that has it gets a 304.

The ReDoc bundle (from drf-spectacular-sidecar) draws a "Documentation powered by Redocly" logo that
it loads from cdn.redoc.ly: blocked by our Content-Security-Policy (img-src 'self' data:) and a
request to a third party from every reader of the docs. This serves the same bundle with that image
replaced by an inline one; everything else is byte for byte the sidecar's."""

from functools import lru_cache
from hashlib import sha256

from django.contrib.staticfiles import finders
from django.http import HttpResponse, HttpResponseNotModified
from django.utils import translation
from django.views.decorators.http import require_safe
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView

REDOCLY_LOGO = b"https://cdn.redoc.ly/redoc/logo-mini.svg"
INLINE_LOGO = b"data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' width='1' height='1'/%3E"


@lru_cache(maxsize=1)
def _bundle() -> tuple[bytes, str]:
    path = finders.find("drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js")
    with open(path, "rb") as f:
        body = f.read().replace(REDOCLY_LOGO, INLINE_LOGO)
    return body, _etag(body)


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


def _etag(body: bytes) -> str:
    return f'"{sha256(body).hexdigest()[:32]}"'


class SchemaView(SpectacularAPIView):
    """drf-spectacular's schema view, rendered once per process for each format, language and API
    version asked for, and served with an ETag (If-None-Match: 304). Clients revalidate every time
    (no-cache), so a deploy that changes the schema is seen at once."""

    _rendered: dict[tuple, tuple[bytes, dict[str, str]]] = {}
    PASSED_HEADERS = ("Content-Type", "Content-Disposition")

    @extend_schema(exclude=True)  # as drf-spectacular's own view (SERVE_INCLUDE_SCHEMA is off)
    def get(self, request, *args, **kwargs):
        # ?lang= wins, else the request's language (Accept-Language): descriptions taken from models
        # (verbose names, help texts) are translated, so each language is rendered and cached apart.
        language = request.query_params.get("lang") or translation.get_language()
        key = (request.accepted_media_type, language, request.version)
        cached = self._rendered.get(key)
        if cached is None:
            response = self.finalize_response(request, super().get(request, *args, **kwargs), *args, **kwargs)
            if response.status_code != 200:
                return response
            body = response.render().content
            headers = {name: response[name] for name in self.PASSED_HEADERS if response.has_header(name)}
            cached = self._rendered[key] = (body, {**headers, "ETag": _etag(body), "Cache-Control": "no-cache"})
        body, headers = cached
        if request.headers.get("If-None-Match") == headers["ETag"]:
            return HttpResponseNotModified(headers={"ETag": headers["ETag"], "Cache-Control": "no-cache"})
        return HttpResponse(body, headers=headers)
