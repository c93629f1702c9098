"""What media holds about a person (their uploads and storage quota), and how it is exported and
erased (privacy.registry).

Erasure deletes the uploads nothing uses any more, with their files, and keeps the course material
an instructor uploaded for a course (its cover, its lessons' videos and attachments), because the
course stays readable for its students: those rows stay, owned by the pseudonymised account. The
eraser runs late (order 900), after the apps that release uploads (submissions, which the
assignments eraser deletes) and before accounts (1000), which deletes the avatar itself."""

from collections.abc import Iterator

from privacy.registry import Eraser, Exporter

from . import selectors, services
from .models import StorageQuota, Upload, UploadPurpose, UploadStatus

# Exported with what they are attached to (the account's avatar; a submission's files), not twice.
EXPORTED_ELSEWHERE = frozenset({UploadPurpose.AVATAR, UploadPurpose.SUBMISSION_FILE})


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def _in_zip(upload: Upload) -> str | None:
    """The upload's path in the export zip, or None when it has no file there (not checked, or
    exported with the profile or submission it is attached to)."""
    if upload.status != UploadStatus.READY or not upload.key:
        return None
    if upload.attached_at is not None and upload.purpose in EXPORTED_ELSEWHERE:
        return None
    return f"uploads/{upload.pk}/{upload.filename}"


def export(user) -> dict:
    quota = selectors.storage_quota_for_user(user)
    return {
        "uploads": [
            {
                "id": str(upload.pk),
                "purpose": upload.purpose,
                "status": upload.status,
                "filename": upload.filename,
                "content_type": upload.content_type,
                "detected_type": upload.detected_type,
                "size": upload.size,
                "width": upload.width,
                "height": upload.height,
                "duration_seconds": upload.duration_seconds,
                "rejected_reason": upload.rejected_reason,
                "created_at": _iso(upload.created_at),
                "completed_at": _iso(upload.completed_at),
                "attached_at": _iso(upload.attached_at),
                "file": _in_zip(upload),
            }
            for upload in selectors.upload_list_for_owner(user)
        ],
        "storage_quota": [{"bytes": quota.bytes, "updated_at": _iso(quota.updated_at)}] if quota else [],
    }


def files(user) -> Iterator[tuple[str, str]]:
    for upload in selectors.upload_list_for_owner(user):
        path = _in_zip(upload)
        if path is not None:
            yield path, upload.key


def erase(user) -> None:
    services.uploads_erase_for_user(user=user)
    services.storage_quota_erase_for_user(user=user)


EXPORTER = Exporter(
    name="media",
    models=(Upload, StorageQuota),
    export=export,
    files=files,
    describe={
        "uploads.id": "The upload's id.",
        "uploads.purpose": "What it was for: course_cover, lesson_video, lesson_attachment, submission_file or avatar.",
        "uploads.status": "pending (not completed), ready (checked) or rejected (refused; its file was deleted).",
        "uploads.filename": "The file's name, as you uploaded it (made safe).",
        "uploads.content_type": "The type you declared.",
        "uploads.detected_type": "The type found in the file's contents.",
        "uploads.size": "Its size in bytes.",
        "uploads.width": "Width in pixels (images and videos).",
        "uploads.height": "Height in pixels (images and videos).",
        "uploads.duration_seconds": "Length in seconds (videos).",
        "uploads.rejected_reason": "Why the file was refused, if it was.",
        "uploads.created_at": "When you asked to upload it.",
        "uploads.completed_at": "When it was checked and accepted.",
        "uploads.attached_at": "When it was put to use (on a course, lesson, submission or your profile).",
        "uploads.file": "The file's path in this zip; empty when it has no file (not completed, or refused), "
        "and for your avatar and submission files, which are in this zip with your profile and your "
        "submissions.",
        "storage_quota.bytes": "The storage allowance an admin set for you, in bytes (none: the platform's default).",
        "storage_quota.updated_at": "When it was set.",
    },
)

ERASER = Eraser(
    name="media",
    models=(Upload, StorageQuota),
    erase=erase,
    order=900,  # after the apps that release uploads, before accounts (which deletes the avatar)
    policy={
        "Upload (not in use)": "deleted, with its files: pending, rejected and never attached uploads, and "
        "those whose submission or profile let them go",
        "Upload (the avatar)": "deleted, with its files, by the account's erasure",
        "Upload (course material: a course's cover, a lesson's video or attachments)": "kept: the "
        "instructor's course stays readable for its students; owned by the pseudonymised account",
        "StorageQuota.user": "deleted",
        "StorageQuota.updated_by": "kept, pseudonymised: quotas the user set for others as an admin "
        "record who set them, now the pseudonymised account",
    },
)
