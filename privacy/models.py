"""Data exports, erasure requests and the audit log of staff reads (README "Privacy")."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ExportStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("data export", "Pending")
    READY = "ready", pgettext_lazy("data export", "Ready")
    FAILED = "failed", pgettext_lazy("data export", "Failed")


class DataExport(models.Model):
    """A zip of everything the platform holds about `user`, built by a job and stored privately.
    Its link expires with it (`expires_at`); the sweep then deletes the zip."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
        help_text=_("The staff member who asked for it; empty when the user asked for it."),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=ExportStatus.choices, default=ExportStatus.PENDING, db_index=True
    )
    key = models.CharField(_("storage key"), max_length=300, blank=True)
    size = models.BigIntegerField(_("size in bytes"), default=0)
    error = models.CharField(_("error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    queued_at = models.DateTimeField(_("queued at"), auto_now_add=True)
    ready_at = models.DateTimeField(_("ready at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("data export")
        verbose_name_plural = _("data exports")
        indexes = [models.Index(fields=["user", "-created_at"])]

    def __str__(self):
        return _("Data export {id} of user {user}").format(id=self.pk, user=self.user_id)


class ErasureStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("erasure", "Pending")
    RUNNING = "running", pgettext_lazy("erasure", "Running")
    DONE = "done", pgettext_lazy("erasure", "Done")
    CANCELED = "canceled", pgettext_lazy("erasure", "Canceled")


class ErasureRequest(models.Model):
    """A user's erasure: pending until `scheduled_for` (cancellable), then run by a job that records
    each app's eraser in `steps_done` as it finishes, so a run cut short resumes where it stopped.
    Kept when done, as the record that the erasure happened (it holds no personal data)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("user")
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
        help_text=_("The administrator who erased the user; empty when the user asked for the erasure."),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=ErasureStatus.choices, default=ErasureStatus.PENDING, db_index=True
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    scheduled_for = models.DateTimeField(_("scheduled for"), db_index=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    canceled_at = models.DateTimeField(_("canceled at"), null=True, blank=True)
    steps_done = models.JSONField(_("steps done"), default=list, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("erasure request")
        verbose_name_plural = _("erasure requests")
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(status__in=["pending", "running"]),
                name="privacy_one_open_erasure_per_user",
            )
        ]

    def __str__(self):
        return _("Erasure of user {user}").format(user=self.user_id)


class AuditEvent(models.Model):
    """A staff member read a user's personal data (an admin page, the admin API, an export). Append
    only: rows are never changed, and deleted only by the retention prune (AUDIT_RETENTION_DAYS)."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("subject"),
        help_text=_("Whose personal data was read."),
    )
    action = models.CharField(_("action"), max_length=40)
    target = models.CharField(_("target"), max_length=100, help_text=_("What was read: model and id."))
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    path = models.CharField(_("path"), max_length=300, blank=True)
    at = models.DateTimeField(_("date and time"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [models.Index(fields=["subject", "-at"])]

    def __str__(self):
        return _("{actor} read {target}").format(actor=self.actor_id, target=self.target)

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Audit events are never changed.")
        super().save(*args, **kwargs)
