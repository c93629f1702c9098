"""What the media tests share: real files made on the spot, the three upload steps as a client does
them (a PUT to this API on local storage, a multipart POST straight to the bucket on S3), and what the
storage holds afterwards."""

import base64
import io
import json
import os
import zipfile

import requests
from django.conf import settings
from django.core.files.storage import storages
from PIL import Image

from media import storage

# --- files ------------------------------------------------------------------------------------------
GPS_TAG = 0x8825


def jpeg(size=(1200, 700), *, gps: bool = False, color=(200, 30, 30)) -> bytes:
    """A real JPEG; with `gps`, EXIF holding where it was taken (and a camera model)."""
    img = Image.new("RGB", size, color)
    out = io.BytesIO()
    if gps:
        exif = Image.Exif()
        exif[0x0110] = "Spy Camera"  # Model
        exif.get_ifd(GPS_TAG).update({1: "N", 2: (48.0, 51.0, 24.0), 3: "E", 4: (2.0, 21.0, 3.0)})
        img.save(out, format="JPEG", exif=exif.tobytes())
    else:
        img.save(out, format="JPEG")
    return out.getvalue()


def png(size=(300, 300), *, mode="RGBA") -> bytes:
    img = Image.new(mode, size, (10, 120, 200, 255) if mode == "RGBA" else 0)
    out = io.BytesIO()
    img.save(out, format="PNG")
    return out.getvalue()


def bomb_png() -> bytes:
    """10000 x 10000 pixels (100 megapixels, over the 50 megapixel default) in a few kilobytes."""
    out = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(out, format="PNG")
    return out.getvalue()


# An executable renamed: an ELF header (Linux) and an MZ/PE header (Windows), with some body.
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00" + os.urandom(2000)
PE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 44 + b"PE\x00\x00" + os.urandom(2000)
TEXT = "Lecture notes: café, naïve, 東京, ✓\n".encode() * 20
BINARY_JUNK = bytes(range(256)) * 8  # NUL bytes and invalid UTF-8


def docx() -> bytes:
    """A minimal Office Open XML document (a zip whose parts say it is a Word file)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        z.writestr("word/document.xml", '<?xml version="1.0"?><w:document/>')
    return out.getvalue()


def has_gps(data: bytes) -> bool:
    with Image.open(io.BytesIO(data)) as img:
        exif = img.getexif()
        return bool(exif.get_ifd(GPS_TAG)) or 0x0110 in exif or "exif" in img.info


# --- the three steps ----------------------------------------------------------------------------------
def ask(client, *, purpose: str, filename: str, content_type: str, size: int):
    return client.post(
        "/api/v1/uploads/",
        {"purpose": purpose, "filename": filename, "content_type": content_type, "size": size},
        format="json",
    )


def send(client, created: dict, data: bytes) -> int:
    """The upload step as the client does it, from the instructions in the 201; returns the status."""
    step = created["upload"]
    if step["method"] == "PUT":
        return client.generic("PUT", step["url"], data, content_type=step["headers"]["Content-Type"]).status_code
    # A browser's multipart form to the bucket: the fields, then the file last.
    files = [*((name, (None, value)) for name, value in step["fields"].items()), ("file", ("f", data))]
    return requests.post(step["url"], files=files, timeout=30).status_code


def complete(client, upload_id):
    return client.post(f"/api/v1/uploads/{upload_id}/complete/")


def upload(client, *, purpose: str, filename: str, content_type: str, data: bytes):
    """Ask, send and complete; returns the complete response."""
    created = ask(client, purpose=purpose, filename=filename, content_type=content_type, size=len(data))
    assert created.status_code == 201, created.json()
    assert send(client, created.json(), data) in (200, 204)
    return complete(client, created.json()["id"])


def policy(fields: dict) -> dict:
    return json.loads(base64.b64decode(fields["policy"]))


# --- what the storage holds ---------------------------------------------------------------------------
def stored_names() -> set[str]:
    """Every object in the storage, by its storage name: the bucket's keys (without the location
    prefix) on S3, the files under MEDIA_ROOT (temporary files included) on disk."""
    if storage.is_s3():
        backend = storages["default"]
        client = backend.connection.meta.client
        listed = client.list_objects_v2(Bucket=backend.bucket_name).get("Contents", [])
        prefix = backend.location.rstrip("/") + "/" if backend.location else ""
        return {obj["Key"].removeprefix(prefix) for obj in listed}
    root = settings.MEDIA_ROOT
    return {os.path.relpath(os.path.join(folder, name), root) for folder, _, names in os.walk(root) for name in names}


def read_stored(name: str) -> bytes:
    with storage.open_read(name) as f:
        return f.read()
