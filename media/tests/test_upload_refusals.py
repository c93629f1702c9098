"""Every refusal of the upload steps is a clear 4xx and leaves nothing behind: at the ask (size,
type, who may upload what), at the upload step (too many bytes, too late, already complete), at
completion (the bytes are not what was declared, not acceptable, or not there), and someone else's
upload, which does not exist for anyone but its uploader (and, to read and delete, an admin)."""

import io
import os
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from conftest import client_for
from lms.errors import TooLarge
from media import services
from media.models import Upload, UploadStatus

from . import helpers

pytestmark = [
    pytest.mark.django_db,
    # Pillow warns when it opens the bomb's header (the check refuses it before decoding).
    pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning"),
]
MB = 1024 * 1024


def _asked(client, data: bytes, *, purpose="lesson_attachment", filename="f.txt", content_type="text/plain"):
    created = helpers.ask(client, purpose=purpose, filename=filename, content_type=content_type, size=len(data))
    assert created.status_code == 201, created.json()
    return created.json()


# --- at the ask -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("purpose", "content_type", "limit"),
    [
        ("course_cover", "image/jpeg", 5 * MB),
        ("avatar", "image/png", 2 * MB),
        ("lesson_video", "video/mp4", 500 * MB),  # local storage; 2 GB on S3
        ("lesson_attachment", "application/pdf", 50 * MB),
        ("submission_file", "application/pdf", 25 * MB),
    ],
)
def test_a_file_too_big_for_its_purpose_is_413_at_the_ask(instructor, purpose, content_type, limit):
    client = client_for(instructor)
    assert helpers.ask(client, purpose=purpose, filename="f", content_type=content_type, size=limit).status_code == 201
    response = helpers.ask(client, purpose=purpose, filename="f", content_type=content_type, size=limit + 1)
    assert response.status_code == 413
    assert response.json()["code"] == "file_too_large" and response.json()["max_bytes"] == limit
    assert "at most" in response.json()["detail"]
    assert Upload.objects.count() == 1


def test_each_limit_has_a_setting(instructor, settings):
    settings.MEDIA_COVER_MAX_BYTES = 1000
    client = client_for(instructor)
    response = helpers.ask(client, purpose="course_cover", filename="c.jpg", content_type="image/jpeg", size=1001)
    assert response.status_code == 413 and response.json()["max_bytes"] == 1000


@pytest.mark.parametrize(
    ("purpose", "content_type"),
    [
        ("course_cover", "application/pdf"),
        ("avatar", "image/svg+xml"),
        ("lesson_video", "image/jpeg"),
        ("lesson_attachment", "application/x-msdownload"),
        ("submission_file", "video/mp4"),
    ],
)
def test_a_type_the_purpose_does_not_take_is_415_at_the_ask(instructor, purpose, content_type):
    response = helpers.ask(client_for(instructor), purpose=purpose, filename="f", content_type=content_type, size=10)
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_type" and response.json()["accepted"]
    assert not Upload.objects.exists()


@pytest.mark.parametrize("purpose", ["course_cover", "lesson_video", "lesson_attachment"])
def test_a_student_cannot_upload_course_material(student, purpose):
    content_type = {"course_cover": "image/jpeg", "lesson_video": "video/mp4"}.get(purpose, "application/pdf")
    response = helpers.ask(client_for(student), purpose=purpose, filename="f", content_type=content_type, size=10)
    assert response.status_code == 403
    assert not Upload.objects.exists()


def test_anonymous_cannot_ask(anon_client):
    response = helpers.ask(anon_client, purpose="avatar", filename="a.png", content_type="image/png", size=10)
    assert response.status_code == 401


@pytest.mark.parametrize(
    ("field", "value"), [("purpose", "diploma"), ("size", 0), ("filename", "..."), ("content_type", "")]
)
def test_a_malformed_ask_is_400(instructor, field, value):
    data = {"purpose": "lesson_attachment", "filename": "a.pdf", "content_type": "application/pdf", "size": 10}
    response = client_for(instructor).post("/api/v1/uploads/", {**data, field: value}, format="json")
    assert response.status_code == 400
    assert not Upload.objects.exists()


# --- at the upload step (local storage) ----------------------------------------------------------------
def test_a_body_larger_than_declared_is_413_and_leaves_nothing(instructor):
    client = client_for(instructor)
    created = _asked(client, b"x" * 100)
    response = client.generic("PUT", created["upload"]["url"], b"y" * 101, content_type="text/plain")
    assert response.status_code == 413 and response.json()["code"] == "file_too_large"
    assert helpers.stored_names() == set()


def test_a_stream_longer_than_declared_is_refused_without_a_length_and_leaves_nothing(instructor):
    """A chunked body has no Content-Length: the stream is counted as it is written."""
    created = _asked(client_for(instructor), b"x" * 100)
    with pytest.raises(TooLarge):
        services.upload_content_write(
            actor=instructor, upload_id=created["id"], stream=io.BytesIO(b"y" * 200_000), content_length=None
        )
    assert helpers.stored_names() == set()


def test_a_second_put_replaces_the_first(instructor):
    client = client_for(instructor)
    created = _asked(client, helpers.TEXT)
    assert helpers.send(client, created, b"first draft") == 200
    assert helpers.send(client, created, helpers.TEXT) == 200
    assert helpers.complete(client, created["id"]).json()["size"] == len(helpers.TEXT)
    assert helpers.read_stored(f"private/{created['id']}/f.txt") == helpers.TEXT


def test_a_put_after_complete_is_409(instructor):
    client = client_for(instructor)
    created = _asked(client, helpers.TEXT)
    helpers.send(client, created, helpers.TEXT)
    assert helpers.complete(client, created["id"]).status_code == 200
    response = client.generic("PUT", created["upload"]["url"], b"replaced", content_type="text/plain")
    assert response.status_code == 409 and response.json()["code"] == "upload_completed"
    assert helpers.read_stored(f"private/{created['id']}/f.txt") == helpers.TEXT
    assert helpers.stored_names() == {f"private/{created['id']}/f.txt"}


def test_a_put_after_the_upload_expired_is_409(instructor, settings):
    created = _asked(client_for(instructor), helpers.TEXT)
    with time_machine.travel(timezone.now() + timedelta(minutes=settings.MEDIA_UPLOAD_EXPIRE_MINUTES, seconds=1)):
        client = client_for(instructor)  # a token of that time
        response = client.generic("PUT", created["upload"]["url"], helpers.TEXT, content_type="text/plain")
    assert response.status_code == 409 and response.json()["code"] == "upload_expired"
    assert helpers.stored_names() == set()


def test_completing_before_sending_the_bytes_is_400_and_can_be_retried(instructor):
    client = client_for(instructor)
    created = _asked(client, helpers.TEXT)
    response = helpers.complete(client, created["id"])
    assert response.status_code == 400 and response.json()["code"] == "upload_missing"
    assert Upload.objects.get(pk=created["id"]).status == UploadStatus.PENDING
    helpers.send(client, created, helpers.TEXT)
    assert helpers.complete(client, created["id"]).status_code == 200


# --- at completion: the bytes are checked ------------------------------------------------------------
def _broken_video(mp4: bytes) -> bytes:
    """The MP4's header (so the bytes sniff as video/mp4) followed by garbage ffprobe cannot read."""
    return mp4[:32] + os.urandom(4000)


REFUSED = {
    # declared image/png, the bytes are a JPEG
    "sniffed-mismatch": ("course_cover", "c.png", "image/png", helpers.jpeg, "declared as image/png"),
    "elf-as-pdf": ("lesson_attachment", "notes.pdf", "application/pdf", lambda: helpers.ELF, "contents are"),
    "exe-as-pdf": ("submission_file", "essay.pdf", "application/pdf", lambda: helpers.PE, "contents are"),
    "exe-as-text": ("lesson_attachment", "notes.txt", "text/plain", lambda: helpers.PE, "contents are"),
    "binary-as-text": ("lesson_attachment", "n.txt", "text/plain", lambda: helpers.BINARY_JUNK, "not a type"),
    "text-as-pdf": ("lesson_attachment", "n.pdf", "application/pdf", lambda: helpers.TEXT, "declared as"),
    "bomb": ("course_cover", "bomb.png", "image/png", helpers.bomb_png, "too large"),
    "broken-image": ("avatar", "a.jpg", "image/jpeg", lambda: helpers.jpeg()[:200] + b"\x00" * 300, "readable image"),
    "broken-video": ("lesson_video", "v.mp4", "video/mp4", "broken_video", "readable video"),
    "not-a-video": ("lesson_video", "v.mp4", "video/mp4", lambda: helpers.TEXT, "not a type"),
}


@pytest.mark.parametrize("case", list(REFUSED))
def test_a_refused_file_is_400_and_deleted(request, any_storage, instructor, django_capture_on_commit_callbacks, case):
    purpose, filename, content_type, maker, reason = REFUSED[case]
    data = _broken_video(request.getfixturevalue("mp4")) if maker == "broken_video" else maker()
    client = client_for(instructor)
    created = _asked(client, data, purpose=purpose, filename=filename, content_type=content_type)
    assert helpers.send(client, created, data) in (200, 204)

    with django_capture_on_commit_callbacks(execute=True):
        response = helpers.complete(client, created["id"])
    assert response.status_code == 400, response.json()
    assert response.json()["code"] == "upload_rejected"
    assert reason in response.json()["detail"]
    upload = Upload.objects.get(pk=created["id"])
    assert upload.status == UploadStatus.REJECTED and upload.rejected_reason == response.json()["detail"]
    assert helpers.stored_names() == set()
    # Asking again answers the same; the rejected upload no longer counts against the quota.
    again = helpers.complete(client, created["id"])
    assert again.status_code == 400 and again.json()["detail"] == response.json()["detail"]
    assert services.storage_used(instructor) == 0


def test_the_pixel_limit_has_a_setting(instructor, settings, django_capture_on_commit_callbacks):
    settings.MEDIA_IMAGE_MAX_PIXELS = 100 * 100
    client = client_for(instructor)
    with django_capture_on_commit_callbacks(execute=True):
        response = helpers.upload(
            client, purpose="course_cover", filename="c.jpg", content_type="image/jpeg", data=helpers.jpeg((101, 100))
        )
    assert response.status_code == 400 and "the limit is 10,000 pixels" in response.json()["detail"]
    assert helpers.stored_names() == set()


def test_a_file_grown_past_its_purposes_limit_after_the_ask_is_refused(
    instructor, settings, django_capture_on_commit_callbacks
):
    """The limit is checked again on completion (a lowered setting, or a bucket that ignored the
    policy): the stored size counts, not the declared one."""
    client = client_for(instructor)
    created = _asked(client, helpers.TEXT)
    helpers.send(client, created, helpers.TEXT)
    settings.MEDIA_ATTACHMENT_MAX_BYTES = 10
    with django_capture_on_commit_callbacks(execute=True):
        response = helpers.complete(client, created["id"])
    assert response.status_code == 400 and "larger than" in response.json()["detail"]
    assert helpers.stored_names() == set()


# --- someone else's upload ------------------------------------------------------------------------------
@pytest.fixture
def others_upload(other_instructor):
    client = client_for(other_instructor)
    created = _asked(client, helpers.TEXT)
    assert helpers.send(client, created, helpers.TEXT) == 200
    return created


@pytest.mark.parametrize("role", ["student", "instructor"])
def test_someone_elses_upload_does_not_exist(request, others_upload, role, django_capture_on_commit_callbacks):
    client = client_for(request.getfixturevalue(role))
    pk = others_upload["id"]
    assert client.get(f"/api/v1/uploads/{pk}/").status_code == 404
    put = client.generic("PUT", f"/api/v1/uploads/{pk}/content/", b"mine now", content_type="text/plain")
    assert put.status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        assert helpers.complete(client, pk).status_code == 404
        assert client.delete(f"/api/v1/uploads/{pk}/").status_code == 404
    upload = Upload.objects.get(pk=pk)
    assert upload.status == UploadStatus.PENDING
    assert helpers.read_stored(upload.incoming_key) == helpers.TEXT


def test_an_admin_reads_and_deletes_but_does_not_upload_or_complete(
    admin_client, others_upload, django_capture_on_commit_callbacks
):
    pk = others_upload["id"]
    assert admin_client.get(f"/api/v1/uploads/{pk}/").status_code == 200
    put = admin_client.generic("PUT", f"/api/v1/uploads/{pk}/content/", b"other bytes", content_type="text/plain")
    assert put.status_code == 404
    assert helpers.complete(admin_client, pk).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        assert admin_client.delete(f"/api/v1/uploads/{pk}/").status_code == 204
    assert not Upload.objects.exists()
    assert helpers.stored_names() == set()


def test_anonymous_gets_401_everywhere(anon_client, others_upload):
    pk = others_upload["id"]
    assert anon_client.get(f"/api/v1/uploads/{pk}/").status_code == 401
    assert (
        anon_client.generic("PUT", f"/api/v1/uploads/{pk}/content/", b"x", content_type="text/plain").status_code == 401
    )
    assert helpers.complete(anon_client, pk).status_code == 401
    assert anon_client.delete(f"/api/v1/uploads/{pk}/").status_code == 401


def test_a_malformed_id_is_404(instructor_client):
    assert instructor_client.get("/api/v1/uploads/not-a-uuid/").status_code == 404
