"""Every purpose through the three steps (ask, upload, complete), on local storage and on S3 (moto),
as a client does them; then the file is served from its URL, read back and deleted."""

from urllib.parse import urlsplit

import pytest
import requests

from conftest import client_for
from media import services
from media.models import Upload, UploadStatus

from . import helpers

pytestmark = pytest.mark.django_db

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# (purpose, who uploads, filename, declared type, the file (a helper or a fixture's name), what the
# bytes are sniffed as, the derived files besides the original)
CASES = [
    ("course_cover", "instructor", "cover.jpg", "image/jpeg", helpers.jpeg, "image/jpeg",
     {"thumb.webp", "thumb.jpg", "card.webp", "card.jpg"}),
    ("avatar", "student", "me.png", "image/png", helpers.png, "image/png", {"thumb.webp", "thumb.jpg"}),
    ("lesson_video", "instructor", "intro.mp4", "video/mp4", "mp4", "video/mp4", {"poster.jpg"}),
    ("lesson_attachment", "instructor", "week1.pdf", "application/pdf", "pdf", "application/pdf", set()),
    ("lesson_attachment", "instructor", "notes.txt", "text/plain", lambda: helpers.TEXT, "text/plain", set()),
    ("lesson_attachment", "instructor", "syllabus.docx", DOCX, helpers.docx, DOCX, set()),
    ("submission_file", "student", "essay.pdf", "application/pdf", "pdf", "application/pdf", set()),
    ("submission_file", "student", "photo.jpg", "image/jpeg", helpers.jpeg, "image/jpeg", set()),
]  # fmt: skip


def _file(request, maker) -> bytes:
    return request.getfixturevalue(maker) if isinstance(maker, str) else maker()


def fetch(client, url: str) -> tuple[int, bytes, dict]:
    """GETs a file URL: this server's through the test client, the bucket's over HTTP."""
    parts = urlsplit(url)
    if parts.hostname == "testserver":
        response = client.get(parts.path + (f"?{parts.query}" if parts.query else ""))
        body = b"".join(response.streaming_content) if response.streaming else response.content
        return response.status_code, body, dict(response.headers)
    response = requests.get(url, timeout=30)
    return response.status_code, response.content, dict(response.headers)


@pytest.mark.parametrize(
    ("purpose", "role", "filename", "content_type", "maker", "detected", "derived"),
    CASES,
    ids=[f"{c[0]}-{c[2]}" for c in CASES],
)
def test_every_purpose_goes_through_the_three_steps(
    request, any_storage, django_capture_on_commit_callbacks, purpose, role, filename, content_type, maker, detected,
    derived,
):  # fmt: skip
    user = request.getfixturevalue(role)
    client = client_for(user)
    data = _file(request, maker)

    created = helpers.ask(client, purpose=purpose, filename=filename, content_type=content_type, size=len(data))
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["status"] == "pending" and body["url"] is None and body["expires_at"]
    step = body["upload"]
    if any_storage == "local":
        assert step["method"] == "PUT"
        assert step["url"] == f"http://testserver/api/v1/uploads/{body['id']}/content/"
        assert step["fields"] == {} and step["headers"] == {"Content-Type": content_type}
    else:
        assert step["method"] == "POST" and step["url"].startswith("http://127.0.0.1:")
        assert step["fields"]["key"] == f"media/incoming/{body['id']}"
    assert helpers.send(client, body, data) in (200, 204)
    assert helpers.stored_names() == {f"incoming/{body['id']}"}

    with django_capture_on_commit_callbacks(execute=True):
        done = helpers.complete(client, body["id"])
    assert done.status_code == 200, done.json()
    ready = done.json()
    assert ready["status"] == "ready" and ready["detected_type"] == detected and ready["completed_at"]

    upload = Upload.objects.get(pk=body["id"])
    area = "public" if upload.is_public else "private"
    assert upload.key == f"{area}/{upload.pk}/{filename}"
    # The client's copy is gone (moved out of its reach), and the derived files sit next to the file.
    assert helpers.stored_names() == {upload.key} | {f"{area}/{upload.pk}/{name}" for name in derived}
    assert (upload.derived_at is not None) == bool(derived)

    status, served, _ = fetch(client, ready["url"])
    assert status == 200
    assert served == helpers.read_stored(upload.key)
    assert len(served) == upload.size == ready["size"]
    if detected.startswith("image/"):
        assert (ready["width"], ready["height"]) == (upload.width, upload.height) and upload.width > 0
    else:
        assert served == data  # documents and videos are served exactly as uploaded
    if purpose == "lesson_video":
        assert (ready["duration_seconds"], ready["codec"]) == (2, "h264")
        assert (ready["width"], ready["height"]) == (160, 120)

    # Completing again answers the same, and reading it too.
    again = helpers.complete(client, body["id"])
    assert again.status_code == 200
    assert {k: v for k, v in again.json().items() if k != "url"} == {k: v for k, v in ready.items() if k != "url"}
    read = client.get(f"/api/v1/uploads/{body['id']}/")
    assert read.status_code == 200 and read.json()["status"] == "ready"


def test_deleting_an_upload_deletes_its_objects(any_storage, instructor, django_capture_on_commit_callbacks):
    client = client_for(instructor)
    with django_capture_on_commit_callbacks(execute=True):
        done = helpers.upload(
            client, purpose="course_cover", filename="c.jpg", content_type="image/jpeg", data=helpers.jpeg()
        )
    assert done.status_code == 200 and len(helpers.stored_names()) == 5
    with django_capture_on_commit_callbacks(execute=True):
        assert client.delete(f"/api/v1/uploads/{done.json()['id']}/").status_code == 204
    assert helpers.stored_names() == set()
    assert not Upload.objects.exists()
    assert client.get(f"/api/v1/uploads/{done.json()['id']}/").status_code == 404


def test_an_attached_upload_cannot_be_deleted(instructor, django_capture_on_commit_callbacks):
    client = client_for(instructor)
    done = helpers.upload(client, purpose="lesson_attachment", filename="a.txt", content_type="text/plain",
                          data=helpers.TEXT)  # fmt: skip
    services.upload_attach(actor=instructor, upload_id=done.json()["id"], purposes="lesson_attachment", field="x")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.delete(f"/api/v1/uploads/{done.json()['id']}/")
    assert response.status_code == 409 and response.json()["code"] == "upload_in_use"
    assert Upload.objects.get(pk=done.json()["id"]).status == UploadStatus.READY
    assert helpers.stored_names() == {f"private/{done.json()['id']}/a.txt"}
    assert client.get(f"/api/v1/uploads/{done.json()['id']}/").json()["attached"] is True


def test_filenames_are_made_safe(instructor):
    client = client_for(instructor)
    done = helpers.upload(
        client, purpose="lesson_attachment", filename="../../etc/\x07pass   wd.txt", content_type="text/plain",
        data=helpers.TEXT,
    )  # fmt: skip
    assert done.status_code == 200
    assert done.json()["filename"] == "pass wd.txt"
    assert helpers.stored_names() == {f"private/{done.json()['id']}/pass wd.txt"}


def test_the_declared_size_may_be_larger_than_the_file(instructor):
    """The browser may round up: the stored size is what counts (and what the quota then charges)."""
    client = client_for(instructor)
    created = helpers.ask(client, purpose="lesson_attachment", filename="n.txt", content_type="text/plain",
                          size=len(helpers.TEXT) + 500)  # fmt: skip
    assert helpers.send(client, created.json(), helpers.TEXT) == 200
    done = helpers.complete(client, created.json()["id"])
    assert done.status_code == 200 and done.json()["size"] == len(helpers.TEXT)
    assert services.storage_used(instructor) == len(helpers.TEXT)
