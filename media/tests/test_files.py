"""Serving files at /files/ (local storage): public covers and avatars with immutable cache headers,
private files only through signed links that expire, with byte ranges for video seeking, or handed to
nginx (X-Accel-Redirect) once the link is checked."""

import io
import time
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from conftest import client_for
from media import storage

from . import helpers

pytestmark = pytest.mark.django_db


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.fixture
def cover(instructor):
    """A ready cover uploaded with a GPS position in its EXIF."""
    response = helpers.upload(
        client_for(instructor), purpose="course_cover", filename="cover.jpg", content_type="image/jpeg",
        data=helpers.jpeg(gps=True),
    )  # fmt: skip
    assert response.status_code == 200
    return response.json()


@pytest.fixture
def private(instructor):
    """A ready lesson attachment of 1000 known bytes (digits, so each range is recognisable)."""
    data = ("".join(str(i % 10) for i in range(999)) + "\n").encode()
    response = helpers.upload(
        client_for(instructor), purpose="lesson_attachment", filename="notes 1.txt", content_type="text/plain",
        data=data,
    )  # fmt: skip
    assert response.status_code == 200
    return {**response.json(), "data": data, "path": response.json()["url"].removeprefix("http://testserver")}


def test_a_public_file_is_served_to_anyone_with_an_immutable_cache_header(anon_client, cover):
    response = anon_client.get(cover["url"].removeprefix("http://testserver"))
    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response["Content-Type"] == "image/jpeg"
    assert response["Cross-Origin-Resource-Policy"] == "cross-origin"
    assert _body(response) == helpers.read_stored(f"public/{cover['id']}/cover.jpg")
    assert anon_client.head(cover["url"].removeprefix("http://testserver")).status_code == 200
    assert anon_client.post(cover["url"].removeprefix("http://testserver")).status_code == 405


def test_exif_is_gone_from_the_served_cover(anon_client, cover):
    served = _body(anon_client.get(cover["url"].removeprefix("http://testserver")))
    assert not helpers.has_gps(served)
    with Image.open(io.BytesIO(served)) as img:
        assert img.format == "JPEG" and img.size == (1200, 700)
    assert helpers.has_gps(helpers.jpeg(gps=True))  # the test file did hold it


def test_names_outside_public_are_not_served_under_files(anon_client, private, cover):
    for path in (
        f"/files/private/{private['id']}/notes 1.txt",
        f"/files/public/../private/{private['id']}/notes 1.txt",
        f"/files/incoming/{cover['id']}",
        f"/files/public/{cover['id']}/missing.jpg",
        "/files/tmp/",
    ):
        assert anon_client.get(path).status_code == 404, path


def test_a_signed_link_serves_the_private_file_to_whoever_holds_it(anon_client, private):
    assert private["path"].startswith("/files/signed/")
    response = anon_client.get(private["path"])
    assert response.status_code == 200
    assert _body(response) == private["data"]
    assert response["Accept-Ranges"] == "bytes"
    assert response["Cache-Control"] == "private, max-age=300"
    assert response["Content-Disposition"] == 'inline; filename="notes 1.txt"'
    assert response["Content-Type"].startswith("text/plain")


@pytest.mark.parametrize(
    ("header", "start", "end"),
    [("bytes=0-99", 0, 99), ("bytes=900-", 900, 999), ("bytes=-100", 900, 999), ("bytes=990-5000", 990, 999)],
)
def test_a_range_is_206_with_exactly_its_bytes(anon_client, private, header, start, end):
    response = anon_client.get(private["path"], HTTP_RANGE=header)
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes {start}-{end}/1000"
    assert response["Content-Length"] == str(end - start + 1)
    assert _body(response) == private["data"][start : end + 1]


@pytest.mark.parametrize("header", ["bytes=1000-", "bytes=5000-6000", "bytes=50-10"])
def test_a_range_past_the_end_is_416(anon_client, private, header):
    response = anon_client.get(private["path"], HTTP_RANGE=header)
    assert response.status_code == 416
    assert response["Content-Range"] == "bytes */1000"


def test_an_expired_link_is_403(anon_client, private, settings):
    with time_machine.travel(timezone.now() + timedelta(seconds=settings.MEDIA_PRIVATE_URL_SECONDS + 1)):
        response = anon_client.get(private["path"])
    assert response.status_code == 403 and response.json()["code"] == "link_expired"


def test_a_link_made_to_last_a_short_time_expires_then(anon_client, private):
    path = storage.private_url(f"private/{private['id']}/notes 1.txt", filename="n.txt", seconds=5)
    assert anon_client.get(path).status_code == 200
    with time_machine.travel(time.time() + 6):
        assert anon_client.get(path).json()["code"] == "link_expired"


def test_a_tampered_link_is_403(anon_client, private):
    token = private["path"].removeprefix("/files/signed/").rstrip("/")
    for forged in (token[:-2] + ("AA" if not token.endswith("AA") else "BB"), "x" + token, token.split(":")[0]):
        response = anon_client.get(reverse("media-private", kwargs={"token": forged}))
        assert response.status_code == 403, forged
        assert response.json()["code"] == "link_invalid"


def test_a_signed_link_to_a_name_outside_private_is_404(anon_client, cover):
    """Even a genuine signature serves only private files (a public or incoming name is refused)."""
    for name in (f"public/{cover['id']}/cover.jpg", f"incoming/{cover['id']}"):
        assert anon_client.get(storage.private_url(name, filename="x")).status_code == 404


def test_with_an_accel_redirect_prefix_nginx_sends_the_bytes(anon_client, private, settings):
    settings.MEDIA_ACCEL_REDIRECT_PREFIX = "/protected-media/"
    response = anon_client.get(private["path"])
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"/protected-media/private/{private['id']}/notes 1.txt"
    assert response.content == b""
    assert response["Content-Disposition"] == 'inline; filename="notes 1.txt"'
    # The link is still checked first.
    with time_machine.travel(timezone.now() + timedelta(seconds=settings.MEDIA_PRIVATE_URL_SECONDS + 1)):
        assert anon_client.get(private["path"]).status_code == 403


def test_a_non_ascii_filename_downloads_under_its_name(instructor, anon_client):
    response = helpers.upload(
        client_for(instructor), purpose="lesson_attachment", filename="résumé 東京.txt", content_type="text/plain",
        data=helpers.TEXT,
    )  # fmt: skip
    served = anon_client.get(response.json()["url"].removeprefix("http://testserver"))
    assert served.status_code == 200
    assert "filename*=utf-8''r%C3%A9sum%C3%A9%20%E6%9D%B1%E4%BA%AC.txt" in served["Content-Disposition"]


def test_the_public_url_setting_points_covers_at_a_cdn(instructor, settings, cover):
    settings.MEDIA_PUBLIC_URL = "https://cdn.example.com/m/"
    read = client_for(instructor).get(f"/api/v1/uploads/{cover['id']}/")
    assert read.json()["url"] == f"https://cdn.example.com/m/public/{cover['id']}/cover.jpg"
