from django.conf import settings
from django.db import models
from django.db.models import Q


class NotificationType(models.TextChoices):
    ENROLLMENT_CONFIRMED = "enrollment_confirmed", "You enrolled in a course"
    NEW_ENROLLMENT = "new_enrollment", "A student enrolled in your course"
    PAYMENT_SUCCEEDED = "payment_succeeded", "Payment received"
    PAYMENT_FAILED = "payment_failed", "Payment failed"
    PAYMENT_REFUNDED = "payment_refunded", "Payment refunded"
    COURSE_UPDATED = "course_updated", "New content in a course you take"
    ANNOUNCEMENT = "announcement", "Announcements from your instructors"
    FORUM_REPLY = "forum_reply", "Replies to your forum posts"
    FORUM_REPORT = "forum_report", "Reports on the forums you moderate"
    CERTIFICATE_ISSUED = "certificate_issued", "Your certificate is ready"
    NEW_REVIEW = "new_review", "A new review of your course"
    REVIEW_REPLY = "review_reply", "The instructor replied to your review"
    COURSE_REMOVED = "course_removed", "A course of yours was removed"
    ASSIGNMENT_GRADED = "assignment_graded", "Your work was graded"
    SUBMISSION_RECEIVED = "submission_received", "A student submitted work"
    COHORT_SEAT_OFFERED = "cohort_seat_offered", "A seat opened for you in a cohort"
    LIVE_SESSION_SOON = "live_session_soon", "A live session starts within the hour"
    COHORT_STARTING = "cohort_starting", "Your cohort starts within a day"
    CONTENT_RELEASED = "content_released", "Content that opened for you (a daily digest)"
    DUE_SOON = "due_soon", "Work or a quiz due within a day"


# Channels on unless the user switches them off. E-mail stays off for the chattiest types.
DEFAULT_CHANNELS: dict[str, dict[str, bool]] = {t.value: {"in_app": True, "email": True} for t in NotificationType} | {
    NotificationType.NEW_ENROLLMENT: {"in_app": True, "email": False},
    NotificationType.COURSE_UPDATED: {"in_app": True, "email": False},
    NotificationType.SUBMISSION_RECEIVED: {"in_app": True, "email": False},
}


class Notification(models.Model):
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    type = models.CharField(max_length=32, choices=NotificationType.choices)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True, max_length=10000)
    payload = models.JSONField(default=dict, blank=True, help_text="Ids the app needs to link to the thing.")
    read_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
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
        return f"{self.type} to {self.recipient_id}: {self.title}"


class NotificationWithdrawal(models.Model):
    """Text taken back from the notifications of one type whose payload names one thing (key and
    value: the forum comment a moderator hid is `comment_id` 17). When it is recorded the stored
    notifications are rewritten (notifications_withdraw); e-mail copies still queued then read it
    when they are sent, so they go out with the same neutral text. Kept, so that a retried job
    reads it too."""

    type = models.CharField(max_length=32, choices=NotificationType.choices)
    key = models.CharField(max_length=32)
    value = models.CharField(max_length=64)
    title = models.CharField(max_length=200, blank=True, help_text="Empty: the notifications keep their title.")
    body = models.CharField(max_length=1000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["type", "key", "value"], name="notification_withdrawal_once"),
        ]

    def __str__(self):
        return f"{self.type} {self.key}={self.value} withdrawn"


class NotificationPreference(models.Model):
    """A user's choice for one type; types without a row use DEFAULT_CHANNELS."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    type = models.CharField(max_length=32, choices=NotificationType.choices)
    in_app = models.BooleanField(default=True)
    email = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "type"], name="notification_preference_once")]

    def __str__(self):
        return f"{self.user_id} {self.type}: in_app={self.in_app} email={self.email}"


class Announcement(models.Model):
    """An instructor's message to every enrolled student; sent once by a background job."""

    course = models.ForeignKey("courses.Course", on_delete=models.CASCADE, related_name="announcements")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=200)
    body = models.TextField(max_length=10000)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    recipient_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.title
