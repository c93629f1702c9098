import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext


class UploadPurpose(models.TextChoices):
    COURSE_COVER = "course_cover", _("Course cover")
    LESSON_VIDEO = "lesson_video", _("Lesson video")
    LESSON_ATTACHMENT = "lesson_attachment", _("Lesson attachment")
    SUBMISSION_FILE = "submission_file", _("Submission file")
    AVATAR = "avatar", _("Avatar")


# Covers and avatars are shown to anyone (the catalog, forum posts): served publicly, with immutable
# URLs. Everything else is served only through signed, expiring links to those entitled to it.
PUBLIC_PURPOSES = frozenset({UploadPurpose.COURSE_COVER, UploadPurpose.AVATAR})
# Purposes whose files get derived files (cover variants, an avatar thumbnail, a video poster).
DERIVED_PURPOSES = frozenset({UploadPurpose.COURSE_COVER, UploadPurpose.AVATAR, UploadPurpose.LESSON_VIDEO})


class UploadStatus(models.TextChoices):
    PENDING = "pending", _("Pending")  # asked for; the bytes may or may not have arrived
    READY = "ready", _("Ready")  # checked, and may be attached
    REJECTED = "rejected", _("Rejected")  # the check refused it; the object is gone


class Upload(models.Model):
    """One file, uploaded in three steps (ask, upload, complete). Its bytes first land under
    `incoming_key` (where the client may write), and completion moves them to `key` (where no client
    can) before checking them, so nothing replaces a file after it was checked. Attaching it to a
    course, lesson, submission or profile sets `attached_at`; uploads never attached are swept."""

    id = models.UUIDField(verbose_name=_("id"), primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="uploads", verbose_name=_("owner")
    )
    purpose = models.CharField(verbose_name=_("purpose"), max_length=20, choices=UploadPurpose.choices)
    status = models.CharField(
        verbose_name=_("status"), max_length=10, choices=UploadStatus.choices, default=UploadStatus.PENDING
    )
    filename = models.CharField(
        verbose_name=_("file name"), max_length=255, help_text=_("As the uploader named it (made safe).")
    )
    content_type = models.CharField(
        verbose_name=_("content type"), max_length=100, help_text=_("As declared when asking.")
    )
    size = models.PositiveBigIntegerField(
        verbose_name=_("size"), help_text=_("Bytes, as declared when asking; the stored object must match.")
    )
    key = models.CharField(
        verbose_name=_("storage key"), max_length=500, blank=True, help_text=_("The checked object's storage name.")
    )
    detected_type = models.CharField(
        verbose_name=_("detected type"), max_length=100, blank=True, help_text=_("Sniffed from the bytes.")
    )
    width = models.PositiveIntegerField(verbose_name=_("width"), null=True, blank=True)
    height = models.PositiveIntegerField(verbose_name=_("height"), null=True, blank=True)
    duration_seconds = models.PositiveIntegerField(verbose_name=_("duration (seconds)"), null=True, blank=True)
    codec = models.CharField(verbose_name=_("codec"), max_length=50, blank=True)
    # Derived files by name ("thumb", "card", "poster"), each {"jpeg": key, "webp": key, width, height}.
    variants = models.JSONField(verbose_name=_("derived files"), default=dict, blank=True)
    derived_at = models.DateTimeField(verbose_name=_("derived at"), null=True, blank=True)
    rejected_reason = models.CharField(verbose_name=_("reason for rejection"), max_length=300, blank=True)
    attached_at = models.DateTimeField(verbose_name=_("attached at"), null=True, blank=True)
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(
        verbose_name=_("expires at"), help_text=_("The upload step must be done by then.")
    )
    completed_at = models.DateTimeField(verbose_name=_("completed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("upload")
        verbose_name_plural = _("uploads")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["owner", "status"]),
            models.Index(fields=["status", "attached_at", "created_at"]),
        ]

    def __str__(self):
        return _("{filename} ({purpose}, {status})").format(
            filename=self.filename, purpose=self.get_purpose_display(), status=self.status
        )

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

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="storage_quota", verbose_name=_("user")
    )
    bytes = models.PositiveBigIntegerField(
        verbose_name=_("bytes"), help_text=_("The most this user's files may take, in bytes.")
    )
    updated_at = models.DateTimeField(verbose_name=_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("updated by"),
    )

    class Meta:
        verbose_name = _("storage quota")
        verbose_name_plural = _("storage quotas")

    def __str__(self):
        return ngettext("{user}: {count} byte", "{user}: {count} bytes", self.bytes).format(
            user=self.user, count=self.bytes
        )
