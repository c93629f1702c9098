"""What the tests of covers, lesson media and avatars share: real files made on the spot, the three
upload steps (ask, PUT the bytes, complete) as an API client does them on local storage, and what the
storage holds."""

import functools
import io
import os
import subprocess
import tempfile

from django.conf import settings
from PIL import Image

from conftest import client_for

UPLOADS = "/api/v1/uploads/"


def jpeg(size=(640, 360), color=(30, 120, 200)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format="JPEG")
    return out.getvalue()


@functools.cache
def mp4() -> bytes:
    """A real two-second H.264 video (ffmpeg's test pattern), made once per process."""
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "x.mp4")
        subprocess.run(
            [
                "ffmpeg",
                "-loglevel",
                "error",
                "-f",
                "lavfi",
                "-i",
                "testsrc=duration=2:size=160x120:rate=10",
                "-pix_fmt",
                "yuv420p",
                path,
            ],
            check=True,
            timeout=60,
        )
        with open(path, "rb") as f:
            return f.read()


TEXT = b"Lesson notes: variables name values.\n"

KINDS = {
    # purpose: (bytes, filename, content type)
    "course_cover": (jpeg, "cover.jpg", "image/jpeg"),
    "avatar": (functools.partial(jpeg, (200, 200)), "me.jpg", "image/jpeg"),
    "lesson_video": (mp4, "intro.mp4", "video/mp4"),
    "lesson_attachment": (lambda: TEXT, "notes.txt", "text/plain"),
}


def upload_asked(user, purpose: str) -> tuple[str, bytes, str]:
    """Step one only: (id, bytes, PUT url) of a pending upload of `purpose` by `user`."""
    make, filename, content_type = KINDS[purpose]
    data = make()
    response = client_for(user).post(
        UPLOADS,
        {"purpose": purpose, "filename": filename, "content_type": content_type, "size": len(data)},
        format="json",
    )
    assert response.status_code == 201, response.content
    return response.data["id"], data, response.data["upload"]["url"]


def upload_ready(user, purpose: str, *, complete: bool = True) -> str:
    """The three steps through the API as `user`: the id of a ready upload of `purpose` (or, with
    complete=False, one whose bytes arrived but which is still pending)."""
    upload_id, data, url = upload_asked(user, purpose)
    client = client_for(user)
    _, content_type = KINDS[purpose][1:]
    response = client.put(url, data=data, content_type=content_type)
    assert response.status_code == 200, response.content
    if complete:
        response = client.post(f"{UPLOADS}{upload_id}/complete/")
        assert response.status_code == 200, response.content
        assert response.data["status"] == "ready"
    return str(upload_id)


def stored_files() -> set[str]:
    """Every file under MEDIA_ROOT (relative paths), temporary files aside."""
    root = settings.MEDIA_ROOT
    found = set()
    for folder, _dirs, files in os.walk(root):
        for name in files:
            path = os.path.relpath(os.path.join(folder, name), root)
            if not path.startswith("tmp" + os.sep):
                found.add(path)
    return found


def files_of(upload_id: str) -> set[str]:
    """The stored files of one upload (its folder under public/ or private/, and incoming/)."""
    return {path for path in stored_files() if str(upload_id) in path}


def refused_on(response, field: str) -> str:
    """Asserts a 400 naming `field` (a service's refusal, or the input serializer's); returns its code."""
    assert response.status_code == 400, response.content
    data = response.json()
    assert data.get("field") == field or field in data, data
    return data.get("code", "")
