"""Serving files from storage (not part of the JSON API; routed at /files/).

- Public files (covers, avatars and their variants, under `public/`): anyone, with a year-long
  immutable cache header; their names hold the upload's id and an upload never changes.
- Private files (lesson videos and attachments, submissions), on local storage: a signed link that
  expires (media.storage.private_url), given by the API only to those entitled to the file. Range
  requests work (video seeking). With MEDIA_ACCEL_REDIRECT_PREFIX set, nginx sends the bytes
  (X-Accel-Redirect) after this view checked the link. On S3 the links are presigned GETs instead."""

import mimetypes
import re

from django.conf import settings
from django.core import signing
from django.http import FileResponse, Http404, HttpResponse, JsonResponse, StreamingHttpResponse
from django.utils.translation import gettext
from django.views.decorators.http import require_safe

from . import storage

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def _content_type(name: str) -> str:
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


@require_safe
def public_file(request, name: str):
    if not name.startswith("public/") or ".." in name.split("/") or not storage.exists(name):
        raise Http404(gettext("No such file."))
    response = FileResponse(storage.open_read(name), content_type=_content_type(name))
    response["Cache-Control"] = storage.PUBLIC_CACHE
    response["Cross-Origin-Resource-Policy"] = "cross-origin"  # covers are shown by SPAs on other origins
    return response


@require_safe
def private_file(request, token: str):
    try:
        name, filename = storage.private_token_read(token)
    except signing.SignatureExpired:
        return JsonResponse(
            {"detail": gettext("This link has expired: ask for the file again."), "code": "link_expired"}, status=403
        )
    except signing.BadSignature:
        return JsonResponse({"detail": gettext("This link is not valid."), "code": "link_invalid"}, status=403)
    if not name.startswith("private/") or not storage.exists(name):
        raise Http404(gettext("No such file."))
    disposition = storage.content_disposition(filename)
    if settings.MEDIA_ACCEL_REDIRECT_PREFIX and not storage.is_s3():
        response = HttpResponse(content_type=_content_type(filename))
        response["X-Accel-Redirect"] = settings.MEDIA_ACCEL_REDIRECT_PREFIX.rstrip("/") + "/" + name
    else:
        response = _ranged(request, name, _content_type(filename))
    response["Content-Disposition"] = disposition
    response["Cache-Control"] = "private, max-age=300"
    return response


def _ranged(request, name: str, content_type: str):
    """The whole file (200), or the one byte range asked for (206); a range past the end is 416."""
    size = storage.size(name)
    header = request.headers.get("Range", "")
    match = _RANGE.match(header.strip()) if header else None
    if not match or (not match[1] and not match[2]):
        response = FileResponse(storage.open_read(name), content_type=content_type)
        response["Accept-Ranges"] = "bytes"
        return response
    if match[1]:
        start = int(match[1])
        end = min(int(match[2]), size - 1) if match[2] else size - 1
    else:  # the last N bytes
        start, end = max(0, size - int(match[2])), size - 1
    if start >= size or start > end:
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        return response
    length = end - start + 1
    response = StreamingHttpResponse(_read_range(name, start, length), status=206, content_type=content_type)
    response["Content-Range"] = f"bytes {start}-{end}/{size}"
    response["Content-Length"] = str(length)
    response["Accept-Ranges"] = "bytes"
    return response


def _read_range(name: str, start: int, length: int):
    with storage.open_read(name) as f:
        f.seek(start)
        while length > 0:
            chunk = f.read(min(storage.CHUNK, length))
            if not chunk:
                return
            length -= len(chunk)
            yield chunk
