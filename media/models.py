import uuid

from django.conf import settings
from django.db import models


class UploadPurpose(models.TextChoices):
    COURSE_COVER = "course_cover", "Course cover"
    LESSON_VIDEO = "lesson_video", "Lesson video"
    LESSON_ATTACHMENT = "lesson_attachment", "Lesson attachment"
    SUBMISSION_FILE = "submission_file", "Submission file"
    AVATAR = "avatar", "Avatar"


# Covers and avatars are shown to anyone (the catalog, forum posts): served publicly, with immutable
# URLs. Everything else is served only through signed, expiring links to those entitled to it.
PUBLIC_PURPOSES = frozenset({UploadPurpose.COURSE_COVER, UploadPurpose.AVATAR})
# Purposes whose files get derived files (cover variants, an avatar thumbnail, a video poster).
DERIVED_PURPOSES = frozenset({UploadPurpose.COURSE_COVER, UploadPurpose.AVATAR, UploadPurpose.LESSON_VIDEO})


class UploadStatus(models.TextChoices):
    PENDING = "pending", "Pending"  # asked for; the bytes may or may not have arrived
    READY = "ready", "Ready"  # checked, and may be attached
    REJECTED = "rejected", "Rejected"  # the check refused it; the object is gone


class Upload(models.Model):
    """One file, uploaded in three steps (ask, upload, complete). Its bytes first land under
    `incoming_key` (where the client may write), and completion moves them to `key` (where no client
    can) before checking them, so nothing replaces a file after it was checked. Attaching it to a
    course, lesson, submission or profile sets `attached_at`; uploads never attached are swept."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="uploads")
    purpose = models.CharField(max_length=20, choices=UploadPurpose.choices)
    status = models.CharField(max_length=10, choices=UploadStatus.choices, default=UploadStatus.PENDING)
    filename = models.CharField(max_length=255, help_text="As the uploader named it (made safe).")
    content_type = models.CharField(max_length=100, help_text="As declared when asking.")
    size = models.PositiveBigIntegerField(help_text="Bytes, as declared when asking; the stored object must match.")
    key = models.CharField(max_length=500, blank=True, help_text="The checked object's storage name.")
    detected_type = models.CharField(max_length=100, blank=True, help_text="Sniffed from the bytes.")
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    duration_seconds = models.PositiveIntegerField(null=True, blank=True)
    codec = models.CharField(max_length=50, blank=True)
    # Derived files by name ("thumb", "card", "poster"), each {"jpeg": key, "webp": key, width, height}.
    variants = models.JSONField(default=dict, blank=True)
    derived_at = models.DateTimeField(null=True, blank=True)
    rejected_reason = models.CharField(max_length=300, blank=True)
    attached_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(help_text="The upload step must be done by then.")
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["owner", "status"]),
            models.Index(fields=["status", "attached_at", "created_at"]),
        ]

    def __str__(self):
        return f"{self.filename} ({self.get_purpose_display()}, {self.status})"

    @property
    def incoming_key(self) -> str:
        return f"incoming/{self.pk}"

    @property
    def is_public(self) -> bool:
        return self.purpose in PUBLIC_PURPOSES

    def stored_keys(self) -> list[str]:
        """Every object this upload owns in storage: the client's, the checked one and the derived."""
        keys = [self.incoming_key]
        if self.key:
            keys.append(self.key)
        for variant in self.variants.values():
            keys.extend(value for name, value in variant.items() if name in ("jpeg", "webp"))
        return keys


class StorageQuota(models.Model):
    """A user's storage allowance, when an admin set one; everyone else has MEDIA_QUOTA_BYTES."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="storage_quota")
    bytes = models.PositiveBigIntegerField(help_text="The most this user's files may take, in bytes.")
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    def __str__(self):
        return f"{self.user}: {self.bytes} bytes"
