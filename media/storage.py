"""The few storage operations uploads need, on the local disk or an S3-compatible bucket.

Django's Storage API covers opening, sizing and deleting. What it lacks, and what this adds: a
presigned POST for browser uploads, server-side moves, writing to a fixed name (derived files are
rewritten in place, so a retried job never leaves a second copy), ranged reads (the first bytes, to
sniff a type) and a source that ffprobe and ffmpeg can read without downloading a whole video (the
local path, or a presigned GET URL)."""

import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import BinaryIO

from django.conf import settings
from django.core import signing
from django.core.files.storage import FileSystemStorage, storages
from django.urls import reverse
from django.utils.encoding import iri_to_uri

CHUNK = 64 * 1024
# Public objects (covers, avatars, their variants) never change: their names hold the upload's id.
PUBLIC_CACHE = "public, max-age=31536000, immutable"
PRIVATE_SALT = "media.private-file"


def _storage():
    return storages["default"]


def is_s3() -> bool:
    return not isinstance(_storage(), FileSystemStorage)


def _s3():
    """(boto3 client, bucket name, the storage) of the S3 storage."""
    storage = _storage()
    return storage.connection.meta.client, storage.bucket_name, storage


def _s3_key(storage, name: str) -> str:
    from storages.utils import clean_name

    return storage._normalize_name(clean_name(name))


def _local_path(name: str) -> str:
    return _storage().path(name)


# --- the upload step ----------------------------------------------------------------------------
def presigned_post(name: str, *, content_type: str, max_bytes: int, expires_in: int) -> dict:
    """A form the browser POSTs the file to, straight to the bucket: only this key, this content type
    and at most max_bytes are accepted (the bucket enforces the policy)."""
    client, bucket, storage = _s3()
    post = client.generate_presigned_post(
        Bucket=bucket,
        Key=_s3_key(storage, name),
        Fields={"Content-Type": content_type},
        Conditions=[{"Content-Type": content_type}, ["content-length-range", 1, max_bytes]],
        ExpiresIn=expires_in,
    )
    return {"method": "POST", "url": post["url"], "fields": post["fields"], "headers": {}}


def write_stream(name: str, stream: BinaryIO, *, max_bytes: int) -> int | None:
    """Copies the stream to `name` in chunks, never holding more than one in memory. Returns the bytes
    written, or None (and writes nothing) when the stream holds more than max_bytes. The file appears
    whole or not at all: it is written to a temporary file first."""
    written = 0
    with tempfile.NamedTemporaryFile(dir=_temp_dir(), delete=False) as out:
        try:
            while chunk := stream.read(CHUNK):
                written += len(chunk)
                if written > max_bytes:
                    raise _TooBig
                out.write(chunk)
            out.close()
            put_file(name, out.name)
        except _TooBig:
            return None
        finally:
            if os.path.exists(out.name):
                os.unlink(out.name)
    return written


class _TooBig(Exception):
    pass


def _temp_dir() -> str | None:
    """Local storage: temporary files next to the media, so moving one into place is a rename."""
    if is_s3():
        return None
    path = os.path.join(settings.MEDIA_ROOT, "tmp")
    os.makedirs(path, exist_ok=True)
    return path


# --- reading and moving ---------------------------------------------------------------------------
def exists(name: str) -> bool:
    return _storage().exists(name)


def size(name: str) -> int:
    return _storage().size(name)


def read_head(name: str, length: int = 8192) -> bytes:
    """The first `length` bytes (a ranged GET on S3: never the whole object)."""
    if is_s3():
        client, bucket, storage = _s3()
        response = client.get_object(Bucket=bucket, Key=_s3_key(storage, name), Range=f"bytes=0-{length - 1}")
        return response["Body"].read()
    with open(_local_path(name), "rb") as f:
        return f.read(length)


def open_read(name: str):
    return _storage().open(name, "rb")


@contextmanager
def local_copy(name: str) -> Iterator[str]:
    """A path on this machine holding the object's bytes (the file itself with local storage, a
    temporary download from a bucket), for Pillow, which needs the whole file."""
    if not is_s3():
        yield _local_path(name)
        return
    client, bucket, storage = _s3()
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "object")
        client.download_file(bucket, _s3_key(storage, name), path)
        yield path


def tool_source(name: str, *, seconds: int = 3600) -> str:
    """What ffprobe/ffmpeg should read: the local path, or a presigned GET they read by ranges."""
    if not is_s3():
        return _local_path(name)
    return _storage().url(name, expire=seconds)


def put_file(name: str, path: str, *, content_type: str | None = None, cache_control: str | None = None) -> None:
    """Writes the file at `path` to exactly `name`, replacing what is there (so a retried job rewrites
    its own output instead of adding a copy)."""
    if is_s3():
        client, bucket, storage = _s3()
        extra = {"ACL": "private"}
        if content_type:
            extra["ContentType"] = content_type
        if cache_control:
            extra["CacheControl"] = cache_control
        client.upload_file(path, bucket, _s3_key(storage, name), ExtraArgs=extra)
        return
    target = _local_path(name)
    os.makedirs(os.path.dirname(target), exist_ok=True)
    temp = f"{target}.part-{os.getpid()}"
    shutil.copyfile(path, temp)
    os.replace(temp, target)


def move(source: str, target: str, *, content_type: str | None = None, cache_control: str | None = None) -> None:
    """Moves an object within the storage (a rename on disk, a server-side copy in a bucket)."""
    if is_s3():
        client, bucket, storage = _s3()
        extra = {"ACL": "private", "MetadataDirective": "REPLACE" if content_type else "COPY"}
        if content_type:
            extra["ContentType"] = content_type
        if cache_control:
            extra["CacheControl"] = cache_control
        client.copy_object(
            Bucket=bucket,
            Key=_s3_key(storage, target),
            CopySource={"Bucket": bucket, "Key": _s3_key(storage, source)},
            **extra,
        )
        client.delete_object(Bucket=bucket, Key=_s3_key(storage, source))
        return
    target_path = _local_path(target)
    os.makedirs(os.path.dirname(target_path), exist_ok=True)
    os.replace(_local_path(source), target_path)


def delete(names) -> None:
    """Deletes each object that exists; a missing one is not an error (deleting is repeated safely)."""
    storage = _storage()
    for name in names:
        if name:
            storage.delete(name)


# --- links ----------------------------------------------------------------------------------------
def public_url(name: str) -> str:
    """Covers and avatars: a stable URL (the key holds the upload's id, and an upload never changes),
    served with a year-long immutable cache header by /files/public/ or by MEDIA_PUBLIC_URL."""
    if settings.MEDIA_PUBLIC_URL:
        return settings.MEDIA_PUBLIC_URL.rstrip("/") + "/" + iri_to_uri(name)
    return reverse("media-public", kwargs={"name": name})


def private_url(name: str, *, filename: str, seconds: int | None = None) -> str:
    """A link to a private file that expires: a presigned GET on S3, or a signed link to this server's
    streaming view. The file downloads under its original name."""
    seconds = seconds or settings.MEDIA_PRIVATE_URL_SECONDS
    disposition = content_disposition(filename)
    if is_s3():
        return _storage().url(name, parameters={"ResponseContentDisposition": disposition}, expire=seconds)
    token = signing.dumps({"k": name, "f": filename, "e": int(time.time()) + seconds}, salt=PRIVATE_SALT, compress=True)
    return reverse("media-private", kwargs={"token": token})


def private_token_read(token: str) -> tuple[str, str]:
    """(key, filename) of a signed link still valid. Raises signing.BadSignature when it was tampered
    with and signing.SignatureExpired when it has expired."""
    payload = signing.loads(token, salt=PRIVATE_SALT)
    if time.time() > payload["e"]:
        raise signing.SignatureExpired("The link has expired.")
    return payload["k"], payload["f"]


def content_disposition(filename: str, disposition: str = "inline") -> str:
    from django.utils.http import content_disposition_header

    return content_disposition_header(disposition == "attachment", filename)
