from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class NotificationType(models.TextChoices):
    ENROLLMENT_CONFIRMED = "enrollment_confirmed", _("You enrolled in a course")
    NEW_ENROLLMENT = "new_enrollment", _("A student enrolled in your course")
    PAYMENT_SUCCEEDED = "payment_succeeded", _("Payment received")
    PAYMENT_FAILED = "payment_failed", _("Payment failed")
    PAYMENT_REFUNDED = "payment_refunded", _("Payment refunded")
    COURSE_UPDATED = "course_updated", _("New content in a course you take")
    ANNOUNCEMENT = "announcement", _("Announcements from your instructors")
    FORUM_REPLY = "forum_reply", _("Replies to your forum posts")
    FORUM_REPORT = "forum_report", _("Reports on the forums you moderate")
    CERTIFICATE_ISSUED = "certificate_issued", _("Your certificate is ready")
    NEW_REVIEW = "new_review", _("A new review of your course")
    REVIEW_REPLY = "review_reply", _("The instructor replied to your review")
    COURSE_REMOVED = "course_removed", _("A course of yours was removed")
    ASSIGNMENT_GRADED = "assignment_graded", _("Your work was graded")
    SUBMISSION_RECEIVED = "submission_received", _("A student submitted work")
    COHORT_SEAT_OFFERED = "cohort_seat_offered", _("A seat opened for you in a cohort")
    LIVE_SESSION_SOON = "live_session_soon", _("A live session starts within the hour")
    COHORT_STARTING = "cohort_starting", _("Your cohort starts within a day")
    CONTENT_RELEASED = "content_released", _("Content that opened for you (a daily digest)")
    DUE_SOON = "due_soon", _("Work or a quiz due within a day")
    DATA_EXPORT_READY = "data_export_ready", _("Your data export is ready")


# Channels on unless the user switches them off. E-mail stays off for the chattiest types.
DEFAULT_CHANNELS: dict[str, dict[str, bool]] = {t.value: {"in_app": True, "email": True} for t in NotificationType} | {
    NotificationType.NEW_ENROLLMENT: {"in_app": True, "email": False},
    NotificationType.COURSE_UPDATED: {"in_app": True, "email": False},
    NotificationType.SUBMISSION_RECEIVED: {"in_app": True, "email": False},
}


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("recipient")
    )
    type = models.CharField(verbose_name=_("type"), max_length=32, choices=NotificationType.choices)
    title = models.CharField(verbose_name=_("title"), max_length=200)
    body = models.TextField(verbose_name=_("body"), blank=True, max_length=10000)
    payload = models.JSONField(
        verbose_name=_("payload"), default=dict, blank=True, help_text=_("Ids the app needs to link to the thing.")
    )
    read_at = models.DateTimeField(verbose_name=_("read at"), null=True, blank=True)
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "-created_at", "-id"], name="notification_inbox"),
            # "My unread, newest first" and the unread badge read only this small partial index.
            models.Index(
                fields=["recipient", "-created_at", "-id"],
                condition=Q(read_at__isnull=True),
                name="notification_unread",
            ),
        ]

    def __str__(self):
        return _("{type} to {recipient}: {title}").format(type=self.type, recipient=self.recipient_id, title=self.title)


class NotificationWithdrawal(models.Model):
    """Text taken back from the notifications of one type whose payload names one thing (key and
    value: the forum comment a moderator hid is `comment_id` 17). When it is recorded the stored
    notifications are rewritten (notifications_withdraw); e-mail copies still queued then read it
    when they are sent, so they go out with the same neutral text. Kept, so that a retried job
    reads it too."""

    type = models.CharField(verbose_name=_("type"), max_length=32, choices=NotificationType.choices)
    key = models.CharField(verbose_name=_("key"), max_length=32)
    value = models.CharField(verbose_name=_("value"), max_length=64)
    title = models.CharField(
        verbose_name=_("title"),
        max_length=200,
        blank=True,
        help_text=_("Empty: the notifications keep their title."),
    )
    body = models.CharField(verbose_name=_("body"), max_length=1000)
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("notification withdrawal")
        verbose_name_plural = _("notification withdrawals")
        constraints = [
            models.UniqueConstraint(fields=["type", "key", "value"], name="notification_withdrawal_once"),
        ]

    def __str__(self):
        return _("{type} {key}={value} withdrawn").format(type=self.type, key=self.key, value=self.value)


class NotificationPreference(models.Model):
    """A user's choice for one type; types without a row use DEFAULT_CHANNELS."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    type = models.CharField(verbose_name=_("type"), max_length=32, choices=NotificationType.choices)
    in_app = models.BooleanField(verbose_name=_("in the app"), default=True)
    email = models.BooleanField(verbose_name=_("by e-mail"), default=True)
    updated_at = models.DateTimeField(verbose_name=_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [models.UniqueConstraint(fields=["user", "type"], name="notification_preference_once")]

    def __str__(self):
        return _("{user} {type}: in_app={in_app} email={email}").format(
            user=self.user_id, type=self.type, in_app=self.in_app, email=self.email
        )


class Announcement(models.Model):
    """An instructor's message to every enrolled student; sent once by a background job."""

    course = models.ForeignKey(
        "courses.Course", on_delete=models.CASCADE, related_name="announcements", verbose_name=_("course")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("author")
    )
    title = models.CharField(verbose_name=_("title"), max_length=200)
    body = models.TextField(verbose_name=_("body"), max_length=10000)
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(verbose_name=_("sent at"), null=True, blank=True)
    recipient_count = models.PositiveIntegerField(verbose_name=_("recipients"), default=0)

    class Meta:
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.title
