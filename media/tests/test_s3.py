"""Uploads on S3-compatible storage (moto's S3 server on loopback): the browser posts the file straight
to the bucket under a presigned POST policy; completion checks the object in the bucket (ranged reads
to sniff it, ffprobe reading a presigned GET); files are served by presigned GETs."""

import time

import pytest
import requests

from conftest import client_for
from media import imaging, storage
from media.models import Upload, UploadStatus

from . import helpers

pytestmark = pytest.mark.django_db


def _asked(client, data, *, purpose="lesson_attachment", filename="a.pdf", content_type="application/pdf"):
    created = helpers.ask(client, purpose=purpose, filename=filename, content_type=content_type, size=len(data))
    assert created.status_code == 201, created.json()
    return created.json()


def test_the_presigned_post_allows_only_this_key_type_and_size(s3_storage, instructor, pdf, settings):
    created = _asked(client_for(instructor), pdf)
    step = created["upload"]
    assert step["method"] == "POST" and step["headers"] == {}
    assert step["url"].rstrip("/").endswith(s3_storage.bucket)
    fields = step["fields"]
    assert fields["key"] == f"media/incoming/{created['id']}"
    assert fields["Content-Type"] == "application/pdf"
    policy = helpers.policy(fields)
    conditions = policy["conditions"]
    assert ["content-length-range", 1, len(pdf)] in conditions
    assert {"Content-Type": "application/pdf"} in conditions
    assert {"key": f"media/incoming/{created['id']}"} in conditions
    assert {"bucket": s3_storage.bucket} in conditions
    # The policy expires with the upload step.
    expires = time.mktime(time.strptime(policy["expiration"], "%Y-%m-%dT%H:%M:%SZ")) - time.timezone
    assert 0 < expires - time.time() <= settings.MEDIA_UPLOAD_EXPIRE_MINUTES * 60 + 5


def test_the_browser_posts_straight_to_the_bucket(s3_storage, instructor, pdf):
    client = client_for(instructor)
    created = _asked(client, pdf)
    assert helpers.send(client, created, pdf) == 204
    stored = s3_storage.get_object(Bucket=s3_storage.bucket, Key=f"media/incoming/{created['id']}")
    assert stored["Body"].read() == pdf and stored["ContentType"] == "application/pdf"
    assert helpers.complete(client, created["id"]).json()["status"] == "ready"
    assert helpers.stored_names() == {f"private/{created['id']}/a.pdf"}


def test_putting_the_bytes_to_the_api_is_refused_on_s3(s3_storage, instructor, pdf):
    client = client_for(instructor)
    created = _asked(client, pdf)
    response = client.generic("PUT", f"/api/v1/uploads/{created['id']}/content/", pdf, content_type="application/pdf")
    assert response.status_code == 409 and response.json()["code"] == "upload_to_storage"
    assert helpers.stored_names() == set()


def test_completing_before_posting_is_400(s3_storage, instructor, pdf):
    client = client_for(instructor)
    created = _asked(client, pdf)
    response = helpers.complete(client, created["id"])
    assert response.status_code == 400 and response.json()["code"] == "upload_missing"


def test_more_bytes_than_declared_are_refused_even_if_the_bucket_took_them(
    s3_storage, instructor, pdf, django_capture_on_commit_callbacks
):
    """A store that does not enforce the policy (moto does not; some S3-compatible stores may not)
    cannot make the platform keep a file larger than declared."""
    client = client_for(instructor)
    created = _asked(client, pdf)
    assert helpers.send(client, created, pdf + b"\n% padding" * 100) == 204
    with django_capture_on_commit_callbacks(execute=True):
        response = helpers.complete(client, created["id"])
    assert response.status_code == 400 and "larger than declared" in response.json()["detail"]
    assert Upload.objects.get(pk=created["id"]).status == UploadStatus.REJECTED
    assert helpers.stored_names() == set()


def test_ffprobe_reads_the_video_through_a_presigned_get(s3_storage, instructor, mp4):
    client = client_for(instructor)
    created = _asked(client, mp4, purpose="lesson_video", filename="v.mp4", content_type="video/mp4")
    helpers.send(client, created, mp4)
    source = storage.tool_source(f"incoming/{created['id']}")
    assert source.startswith("http://127.0.0.1:") and "Signature" in source
    info = imaging.video_probe(source, timeout=30)
    assert (info.duration_seconds, info.codec, info.width, info.height) == (2, "h264", 160, 120)


def test_public_objects_are_stored_with_their_type_and_an_immutable_cache_header(
    s3_storage, instructor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        done = helpers.upload(client_for(instructor), purpose="course_cover", filename="c.jpg",
                              content_type="image/jpeg", data=helpers.jpeg(gps=True))  # fmt: skip
    upload = Upload.objects.get(pk=done.json()["id"])
    for key, content_type in (
        (upload.key, "image/jpeg"),
        (upload.variants["thumb"]["webp"], "image/webp"),
        (upload.variants["card"]["jpeg"], "image/jpeg"),
    ):
        head = s3_storage.head_object(Bucket=s3_storage.bucket, Key=f"media/{key}")
        assert head["ContentType"] == content_type, key
        assert head["CacheControl"] == "public, max-age=31536000, immutable", key
    assert not helpers.has_gps(helpers.read_stored(upload.key))


def test_a_private_file_is_a_presigned_get_that_downloads_under_its_name(s3_storage, instructor, pdf):
    done = helpers.upload(client_for(instructor), purpose="lesson_attachment", filename="Week 1.pdf",
                          content_type="application/pdf", data=pdf)  # fmt: skip
    url = done.json()["url"]
    assert url.startswith("http://127.0.0.1:") and ("X-Amz-Expires=" in url or "Expires=" in url)
    response = requests.get(url, timeout=30)
    assert response.status_code == 200 and response.content == pdf
    assert response.headers["Content-Disposition"] == 'inline; filename="Week 1.pdf"'
    # Without the signature the bucket refuses.
    assert requests.get(url.split("?", 1)[0], timeout=30).status_code == 403
    ranged = requests.get(url, headers={"Range": "bytes=0-99"}, timeout=30)
    assert ranged.status_code == 206 and ranged.content == pdf[:100]
