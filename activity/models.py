from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Verb(models.TextChoices):
    USER_SIGNED_UP = "user_signed_up", _("Signed up")
    USER_LOGGED_IN = "user_logged_in", _("Logged in")
    ENROLLMENT_CREATED = "enrollment_created", pgettext_lazy("activity", "Enrolled")
    ENROLLMENT_REVOKED = "enrollment_revoked", _("Enrollment revoked")
    LESSON_COMPLETED = "lesson_completed", _("Completed a lesson")
    COURSE_COMPLETED = "course_completed", _("Completed a course")
    QUIZ_ATTEMPT_STARTED = "quiz_attempt_started", _("Started a quiz attempt")
    QUIZ_ATTEMPT_SUBMITTED = "quiz_attempt_submitted", _("Submitted a quiz attempt")
    QUIZ_PASSED = "quiz_passed", _("Passed a quiz")
    ORDER_CREATED = "order_created", _("Started a checkout")
    PAYMENT_SUCCEEDED = "payment_succeeded", _("Paid for a course")
    PAYMENT_REFUNDED = "payment_refunded", _("Was refunded")
    CERTIFICATE_ISSUED = "certificate_issued", _("Received a certificate")
    FORUM_POST_CREATED = "forum_post_created", _("Started a forum thread")
    FORUM_COMMENT_CREATED = "forum_comment_created", _("Commented in a forum")
    REVIEW_CREATED = "review_created", _("Reviewed a course")
    ANNOUNCEMENT_SENT = "announcement_sent", _("Sent an announcement")


class ActivityEvent(models.Model):
    """Something a user did, for reporting and audit. Rows outlive what they point at: the target
    is a type and an id, not a foreign key, and a deleted actor or course leaves the row."""

    # No database constraints on the references: recording must never make the caller's commit
    # fail, even if the actor or course vanished meanwhile (Django still nulls them on delete).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
        verbose_name=_("actor"),
    )
    verb = models.CharField(max_length=40, choices=Verb.choices, verbose_name=_("verb"))
    target_type = models.CharField(max_length=40, blank=True, verbose_name=_("target type"))
    target_id = models.CharField(max_length=64, blank=True, verbose_name=_("target ID"))
    course = models.ForeignKey(
        "courses.Course",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
        verbose_name=_("course"),
    )
    metadata = models.JSONField(default=dict, blank=True, verbose_name=_("metadata"))
    ip = models.GenericIPAddressField(null=True, blank=True, verbose_name=_("IP address"))
    user_agent = models.CharField(max_length=300, blank=True, verbose_name=_("user agent"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("activity event")
        verbose_name_plural = _("activity events")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["-created_at"], name="activity_time"),
            # Covers the active-users report (distinct actors per day): an index-only scan.
            models.Index(fields=["created_at", "actor"], name="activity_time_actor"),
            models.Index(fields=["course", "-created_at"], name="activity_course_time"),
            models.Index(fields=["actor", "-created_at"], name="activity_actor_time"),
            models.Index(fields=["verb", "-created_at"], name="activity_verb_time"),
        ]

    def __str__(self):
        return f"{self.actor_id} {self.verb} {self.target_type}:{self.target_id}"
