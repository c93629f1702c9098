"""What operators and staff use: `manage.py media_usage`, the doctor's upload checks, the admin pages."""

import io
import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.tests.factories import UserFactory
from media import services
from media.models import StorageQuota, Upload, UploadStatus

pytestmark = pytest.mark.django_db


def _upload(owner, *, size, purpose="course_cover", status=UploadStatus.READY, **extra):
    extra.setdefault("expires_at", timezone.now() + timedelta(hours=1))
    return Upload.objects.create(
        owner=owner,
        purpose=purpose,
        status=status,
        filename="f.jpg",
        content_type="image/jpeg",
        size=size,
        **extra,
    )


def _usage(*args) -> str:
    out = io.StringIO()
    call_command("media_usage", *args, stdout=out)
    return out.getvalue()


def test_media_usage_reports_each_instructor_largest_first(instructor, other_instructor, student):
    _upload(instructor, size=1000)
    _upload(instructor, size=500, purpose="lesson_video")
    _upload(other_instructor, size=3 * 1024 * 1024)
    _upload(student, size=10, purpose="avatar")
    _upload(instructor, size=999_999, status=UploadStatus.REJECTED)  # not stored: not counted
    _upload(instructor, size=777, status=UploadStatus.PENDING, expires_at=timezone.now() - timedelta(minutes=1))
    StorageQuota.objects.create(user=other_instructor, bytes=4 * 1024 * 1024)

    rows = json.loads(_usage("--format", "json"))
    assert [(r["email"], r["files"], r["used_bytes"]) for r in rows] == [
        (other_instructor.email, 1, 3 * 1024 * 1024),
        (instructor.email, 2, 1500),
    ]
    assert rows[0]["quota_bytes"] == 4 * 1024 * 1024
    assert rows[1]["bytes_lesson_video"] == 500 and rows[1]["bytes_course_cover"] == 1000

    table = _usage()
    assert "3 MB" in table and "75.0" in table and "2 user(s)" in table
    assert student.email not in table
    assert student.email in _usage("--all")
    assert _usage("--all", "--limit", "1").count("@") == 1
    csv_lines = _usage("--format", "csv").splitlines()
    assert csv_lines[0].startswith("email,role,files,used_bytes,quota_bytes")


def test_media_usage_refuses_a_limit_below_one():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--limit must be at least 1"):
        _usage("--limit", "0")


def test_doctor_checks_uploads_on_local_storage(settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = str(tmp_path)
    out = io.StringIO()
    call_command("doctor", "--check", "uploads", stdout=out)
    assert "OK   uploads.links" in out.getvalue()
    assert not any(tmp_path.rglob("*probe*"))  # the probe is deleted

    import shutil

    monkeypatch.setattr(shutil, "which", lambda tool: None)
    out = io.StringIO()
    call_command("doctor", "--check", "uploads", stdout=out)
    assert "WARN uploads.video" in out.getvalue() and "ffprobe and ffmpeg not found" in out.getvalue()


def test_admin_lists_uploads_and_deletes_through_the_service(staff, instructor, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    free = _upload(instructor, size=10, key="public/x/f.jpg")
    in_use = _upload(instructor, size=20, attached_at=timezone.now())
    client = staff
    page = client.get("/admin/media/upload/")
    assert page.status_code == 200 and b"f.jpg" in page.content
    assert client.get(f"/admin/media/upload/{free.pk}/change/").status_code == 200
    client.post(f"/admin/media/upload/{in_use.pk}/delete/", {"post": "yes"})
    assert Upload.objects.filter(pk=in_use.pk).exists()  # in use: refused
    client.post(f"/admin/media/upload/{free.pk}/delete/", {"post": "yes"})
    assert not Upload.objects.filter(pk=free.pk).exists()


def test_admin_sets_a_quota_through_the_service(staff, admin_user, instructor):
    client = staff
    response = client.post("/admin/media/storagequota/add/", {"user": instructor.pk, "bytes": 12345})
    assert response.status_code == 302, response.content[:500]
    quota = StorageQuota.objects.get(user=instructor)
    assert quota.bytes == 12345 and quota.updated_by == admin_user
    assert services.storage_quota(instructor) == 12345
    client.post(f"/admin/media/storagequota/{quota.pk}/delete/", {"post": "yes"})
    assert services.storage_quota(instructor) == 10 * 1024 * 1024 * 1024


def test_only_admins_set_quotas(instructor):
    from lms.errors import NotPermitted

    with pytest.raises(NotPermitted):
        services.storage_quota_set(actor=instructor, user=UserFactory(), quota_bytes=1)


def test_doctor_checks_links_and_cors_on_a_bucket(s3_storage):
    s3, bucket = s3_storage, s3_storage.bucket
    out = io.StringIO()
    call_command("doctor", "--check", "uploads", stdout=out)
    text = out.getvalue()
    assert "OK   uploads.links" in text and "presigned GET" in text
    assert "WARN uploads.cors" in text  # no CORS rule yet: browsers cannot POST
    assert not [o for o in s3.list_objects_v2(Bucket=bucket).get("Contents", []) if "probe" in o["Key"]]

    s3.put_bucket_cors(
        Bucket=bucket,
        CORSConfiguration={"CORSRules": [{"AllowedOrigins": ["https://app.example.com"], "AllowedMethods": ["POST"]}]},
    )
    out = io.StringIO()
    call_command("doctor", "--check", "uploads", stdout=out)
    assert "OK   uploads.cors" in out.getvalue()
