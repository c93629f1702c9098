"""media's exporter and eraser (media/privacy.py): a person's uploads and storage quota."""

import json
import tempfile
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts import services as accounts
from accounts.tests.factories import AdminFactory, InstructorFactory, StudentFactory
from courses import services as courses
from courses.tests.factories import PublishedCourseFactory
from media import services, storage
from media.models import StorageQuota, Upload, UploadPurpose, UploadStatus
from media.privacy import ERASER, EXPORTER
from media.tests.factories import UploadFactory
from privacy import registry

pytestmark = pytest.mark.django_db


def stored(owner, purpose=UploadPurpose.LESSON_ATTACHMENT, *, filename="notes.pdf", status=UploadStatus.READY, **kw):
    """An upload row with real objects in storage: its checked file (when ready) and a leftover in its
    incoming place (the client's copy, as a crash before completion leaves it)."""
    upload = UploadFactory(owner=owner, purpose=purpose, filename=filename, status=status, **kw)
    if status == UploadStatus.READY:
        upload.key = f"{'public' if upload.is_public else 'private'}/{upload.pk}/{filename}"
        upload.save(update_fields=["key"])
    for key in upload.stored_keys():
        _write(key, f"bytes of {filename}".encode())
    return upload


def _write(key: str, data: bytes) -> None:
    with tempfile.NamedTemporaryFile() as f:
        f.write(data)
        f.flush()
        storage.put_file(key, f.name)


def keys_of(*uploads) -> list[str]:
    return [key for upload in uploads for key in upload.stored_keys()]


@pytest.fixture
def teacher():
    return InstructorFactory()


@pytest.fixture
def setup(teacher):
    """The teacher's uploads of every kind: course material in use (a cover, a lesson attachment),
    an avatar in use, and ones nothing uses (ready but never attached, pending, rejected); a quota.
    And someone else's uploads and quota."""
    course = PublishedCourseFactory(instructor=teacher, lessons=1)
    cover = stored(teacher, UploadPurpose.COURSE_COVER, filename="cover.png")
    courses.course_update(actor=teacher, course=course, data={"cover": cover.pk})
    attachment = stored(teacher, filename="week1.pdf")
    courses.lesson_update(actor=teacher, lesson=course.lessons.get(), data={"attachments": [attachment.pk]})
    avatar = stored(teacher, UploadPurpose.AVATAR, filename="me.png")
    accounts.user_avatar_set(actor=teacher, user=teacher, upload_id=avatar.pk)
    loose = stored(teacher, filename="draft.pdf")
    pending = stored(teacher, filename="half.pdf", status=UploadStatus.PENDING)
    rejected = UploadFactory(owner=teacher, status=UploadStatus.REJECTED, filename="virus.exe", rejected_reason="no")
    admin = AdminFactory()
    services.storage_quota_set(actor=admin, user=teacher, quota_bytes=10**9)

    other = StudentFactory()
    other_loose = stored(other, UploadPurpose.SUBMISSION_FILE, filename="essay.pdf")
    other_avatar = stored(other, UploadPurpose.AVATAR, filename="other.png")
    accounts.user_avatar_set(actor=other, user=other, upload_id=other_avatar.pk)
    return {
        "course": course,
        "cover": Upload.objects.get(pk=cover.pk),
        "attachment": Upload.objects.get(pk=attachment.pk),
        "avatar": Upload.objects.get(pk=avatar.pk),
        "loose": loose,
        "pending": pending,
        "rejected": rejected,
        "admin": admin,
        "other": other,
        "other_uploads": [other_loose, Upload.objects.get(pk=other_avatar.pk)],
    }


def test_registered_with_its_models():
    assert EXPORTER in registry.exporters() and ERASER in registry.erasers()
    assert {m._meta.label for m in EXPORTER.models} == {m._meta.label for m in ERASER.models}
    assert {m._meta.label for m in ERASER.models} == {"media.Upload", "media.StorageQuota"}
    # after the apps that release uploads, before accounts (which deletes the avatar)
    assert ERASER.order == 900
    assert all(e.order < ERASER.order for e in registry.erasers() if e.name in {"assignments", "courses"})


# --- export ---------------------------------------------------------------------------------------------
def test_export_lists_every_upload_of_the_person_only(teacher, setup):
    data = EXPORTER.export(teacher)
    json.dumps(data)

    rows = {row["id"]: row for row in data["uploads"]}
    mine = ["cover", "attachment", "avatar", "loose", "pending", "rejected"]
    assert set(rows) == {str(setup[name].pk) for name in mine}
    assert rows[str(setup["loose"].pk)]["file"] == f"uploads/{setup['loose'].pk}/draft.pdf"
    assert rows[str(setup["cover"].pk)]["file"] == f"uploads/{setup['cover'].pk}/cover.png"
    assert rows[str(setup["avatar"].pk)]["file"] is None  # in the zip with the profile (accounts)
    assert rows[str(setup["pending"].pk)]["file"] is None and rows[str(setup["rejected"].pk)]["file"] is None
    assert rows[str(setup["rejected"].pk)]["rejected_reason"] == "no"
    assert data["storage_quota"] == [
        {"bytes": 10**9, "updated_at": StorageQuota.objects.get(user=teacher).updated_at.isoformat()}
    ]
    assert "key" not in rows[str(setup["loose"].pk)]  # storage keys are the platform's, not the person's


def test_export_files_are_the_person_s_checked_files(teacher, setup):
    files = dict(EXPORTER.files(teacher))
    expected = {setup[name] for name in ("cover", "attachment", "loose")}
    assert files == {f"uploads/{u.pk}/{u.filename}": u.key for u in expected}
    for key in files.values():
        with storage.open_read(key) as f:
            assert f.read().startswith(b"bytes of ")


def test_export_of_someone_with_nothing():
    student = StudentFactory()
    assert EXPORTER.export(student) == {"uploads": [], "storage_quota": []}
    assert list(EXPORTER.files(student)) == []


def test_an_attached_submission_file_is_left_to_the_submission_s_export():
    student = StudentFactory()
    upload = stored(student, UploadPurpose.SUBMISSION_FILE, filename="essay.pdf")
    assert dict(EXPORTER.files(student)) == {f"uploads/{upload.pk}/essay.pdf": upload.key}
    services.upload_attach(actor=student, upload_id=upload.pk, purposes=UploadPurpose.SUBMISSION_FILE, field="f")
    assert dict(EXPORTER.files(student)) == {}


# --- erase ----------------------------------------------------------------------------------------------
def test_erase_deletes_what_nothing_uses_and_keeps_course_material(teacher, setup):
    gone = [setup[name] for name in ("loose", "pending", "rejected")]
    gone_keys = keys_of(*gone)
    kept = [setup[name] for name in ("cover", "attachment", "avatar")]
    other_keys = keys_of(*setup["other_uploads"])
    other_usage = services.storage_used(setup["other"])
    total = Upload.objects.count()

    ERASER.erase(teacher)

    assert not Upload.objects.filter(pk__in=[u.pk for u in gone]).exists()
    assert not any(storage.exists(key) for key in gone_keys)
    # course material (and, until accounts' eraser runs, the avatar) stays, with its files
    assert set(Upload.objects.filter(owner=teacher)) == set(kept)
    assert all(storage.exists(u.key) for u in kept)
    setup["course"].refresh_from_db()
    assert setup["course"].cover_id == setup["cover"].pk
    # the quota goes; nobody else's uploads or files change
    assert not StorageQuota.objects.filter(user=teacher).exists()
    assert Upload.objects.count() == total - 3
    assert Upload.objects.filter(owner=setup["other"]).count() == 2
    assert all(storage.exists(key) for key in other_keys if not key.startswith("incoming/"))
    assert services.storage_used(setup["other"]) == other_usage


def test_then_the_account_s_erasure_deletes_the_avatar(teacher, setup, django_capture_on_commit_callbacks):
    ERASER.erase(teacher)
    with django_capture_on_commit_callbacks(execute=True):
        accounts.user_erase_identity(user=teacher)
    assert set(Upload.objects.filter(owner=teacher)) == {setup["cover"], setup["attachment"]}
    assert not storage.exists(setup["avatar"].key)


def test_erase_twice_changes_nothing(teacher, setup):
    assert services.uploads_erase_for_user(user=teacher) == (3, 3)
    assert services.storage_quota_erase_for_user(user=teacher) == 1
    rows = list(Upload.objects.order_by("pk").values())

    assert services.uploads_erase_for_user(user=teacher) == (0, 3)
    assert services.storage_quota_erase_for_user(user=teacher) == 0
    assert list(Upload.objects.order_by("pk").values()) == rows


def test_a_crash_after_the_files_went_is_finished_by_the_rerun(teacher, setup, monkeypatch):
    """The files are deleted before the rows' transaction commits; a worker dying in between leaves
    rows whose files are gone, and the rerun deletes them (a missing file is no error)."""
    loose = setup["loose"]
    real_delete = storage.delete

    def delete_then_die(names):
        real_delete(names)
        raise RuntimeError("worker died")

    monkeypatch.setattr(storage, "delete", delete_then_die)
    with pytest.raises(RuntimeError):
        ERASER.erase(teacher)
    assert Upload.objects.filter(pk=loose.pk).exists() and not storage.exists(loose.key)
    monkeypatch.undo()

    ERASER.erase(teacher)
    assert not Upload.objects.filter(pk=loose.pk).exists()
    assert Upload.objects.filter(owner=teacher).count() == 3


def test_erase_in_small_batches(teacher, setup):
    assert services.uploads_erase_for_user(user=teacher, batch_size=1) == (3, 3)
    assert Upload.objects.filter(owner=teacher).count() == 3


def test_a_released_upload_is_deleted_even_when_still_marked_attached(teacher, setup):
    """What uses an upload decides, not its `attached_at`: an upload whose course lost it without
    releasing it (an old bug, a manual fix) is deleted too."""
    course = setup["course"]
    type(course).objects.filter(pk=course.pk).update(cover=None)
    ERASER.erase(teacher)
    assert not Upload.objects.filter(pk=setup["cover"].pk).exists()


def test_quotas_an_admin_set_for_others_stay(setup):
    admin = setup["admin"]
    quota = StorageQuota.objects.get(updated_by=admin)
    ERASER.erase(admin)
    assert StorageQuota.objects.get(pk=quota.pk).updated_by_id == admin.pk


def test_an_expired_pending_upload_of_the_person_goes_too(teacher):
    upload = stored(teacher, filename="late.pdf", status=UploadStatus.PENDING)
    Upload.objects.filter(pk=upload.pk).update(expires_at=timezone.now() - timedelta(days=1))
    ERASER.erase(teacher)
    assert not Upload.objects.filter(pk=upload.pk).exists() and not storage.exists(upload.incoming_key)


def test_policy_and_describe():
    assert all(isinstance(v, str) and v for v in ERASER.policy.values())
    assert {"uploads.filename", "uploads.file", "storage_quota.bytes"} <= set(EXPORTER.describe)
