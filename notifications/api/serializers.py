from collections.abc import Callable
from functools import partial

from django.db import models
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.api.serializers import PublicUserSerializer
from courses import release
from lms.api.serializers import InputSerializer, WholeInputSerializer
from notifications.models import Announcement, Notification, NotificationType


class NotificationSerializer(serializers.ModelSerializer):
    """Renders a notification. Its schema is `Notification` (notifications/api/schema.py): one
    variant per `type`, each with the payload that type carries (NOTIFICATION_PAYLOADS)."""

    class Meta:
        model = Notification
        fields = ["id", "type", "title", "body", "payload", "read_at", "created_at"]
        read_only_fields = fields


# --- payloads: the ids a notification carries, by type (the services that notify set them) -------
class CoursePayloadSerializer(serializers.Serializer):
    course_id = serializers.IntegerField()


class EnrollmentPayloadSerializer(CoursePayloadSerializer):
    enrollment_id = serializers.IntegerField()


class NewEnrollmentPayloadSerializer(EnrollmentPayloadSerializer):
    student_id = serializers.IntegerField()


class LessonPayloadSerializer(CoursePayloadSerializer):
    lesson_id = serializers.IntegerField()


class OrderPayloadSerializer(CoursePayloadSerializer):
    order_id = serializers.UUIDField()


class AnnouncementPayloadSerializer(CoursePayloadSerializer):
    announcement_id = serializers.IntegerField()


class ForumReplyPayloadSerializer(CoursePayloadSerializer):
    post_id = serializers.IntegerField()
    comment_id = serializers.IntegerField()


class ForumReportPayloadSerializer(CoursePayloadSerializer):
    report_id = serializers.IntegerField()
    post_id = serializers.IntegerField(help_text="The reported post, or the thread of the reported comment.")
    comment_id = serializers.IntegerField(required=False, help_text="When a comment was reported.")


class CertificatePayloadSerializer(CoursePayloadSerializer):
    certificate_id = serializers.IntegerField()


class ReviewPayloadSerializer(CoursePayloadSerializer):
    review_id = serializers.IntegerField()


# payment_failed is a type users can switch off, but no service sends it (a declined card is told
# at checkout): its payload has no known shape.
FreeFormPayloadField = partial(serializers.DictField, help_text="No notification of this type is sent at present.")


class SubmissionPayloadSerializer(CoursePayloadSerializer):
    assignment_id = serializers.IntegerField()
    submission_id = serializers.IntegerField()
    student_id = serializers.IntegerField()


class GradedPayloadSerializer(CoursePayloadSerializer):
    assignment_id = serializers.IntegerField()
    submission_id = serializers.IntegerField()
    percent = serializers.DecimalField(max_digits=6, decimal_places=2, help_text="After any late penalty.")


class CohortSeatPayloadSerializer(CoursePayloadSerializer):
    cohort_id = serializers.IntegerField()
    offer_expires_at = serializers.DateTimeField(
        help_text="Enroll (or complete the checkout) before this, or the seat goes to the next student waiting."
    )


class LiveSessionPayloadSerializer(CoursePayloadSerializer):
    live_session_id = serializers.IntegerField()
    cohort_id = serializers.IntegerField(allow_null=True, help_text="Null: a session for every enrolled student.")
    starts_at = serializers.DateTimeField()


class CohortStartingPayloadSerializer(CoursePayloadSerializer):
    cohort_id = serializers.IntegerField()
    starts_at = serializers.DateTimeField()


class DueSoonPayloadSerializer(CoursePayloadSerializer):
    kind = serializers.ChoiceField(choices=release.REQUIRABLE_KINDS)
    item_id = serializers.IntegerField(help_text="The quiz's or the assignment's id.")
    due_at = serializers.DateTimeField(help_text="Your own due date.")


class ReleasedItemSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=release.ITEM_KINDS)
    id = serializers.IntegerField()
    course_id = serializers.IntegerField()
    title = serializers.CharField()
    available_at = serializers.DateTimeField()


class ContentReleasedPayloadSerializer(serializers.Serializer):
    date = serializers.DateField(help_text="The day (UTC) the items opened.")
    items = ReleasedItemSerializer(many=True)


class DataExportPayloadSerializer(serializers.Serializer):
    export_id = serializers.IntegerField(help_text="The export in GET /api/v1/me/data-exports/.")


# The payload field of each type, a class to instantiate (so each schema variant has its own field).
NOTIFICATION_PAYLOADS: dict[str, Callable[[], serializers.Field]] = {
    NotificationType.ENROLLMENT_CONFIRMED: EnrollmentPayloadSerializer,
    NotificationType.NEW_ENROLLMENT: NewEnrollmentPayloadSerializer,
    NotificationType.PAYMENT_SUCCEEDED: OrderPayloadSerializer,
    NotificationType.PAYMENT_FAILED: FreeFormPayloadField,
    NotificationType.PAYMENT_REFUNDED: OrderPayloadSerializer,
    NotificationType.COURSE_UPDATED: LessonPayloadSerializer,
    NotificationType.ANNOUNCEMENT: AnnouncementPayloadSerializer,
    NotificationType.FORUM_REPLY: ForumReplyPayloadSerializer,
    NotificationType.FORUM_REPORT: ForumReportPayloadSerializer,
    NotificationType.CERTIFICATE_ISSUED: CertificatePayloadSerializer,
    NotificationType.NEW_REVIEW: ReviewPayloadSerializer,
    NotificationType.REVIEW_REPLY: ReviewPayloadSerializer,
    NotificationType.COURSE_REMOVED: CoursePayloadSerializer,
    NotificationType.ASSIGNMENT_GRADED: GradedPayloadSerializer,
    NotificationType.SUBMISSION_RECEIVED: SubmissionPayloadSerializer,
    NotificationType.COHORT_SEAT_OFFERED: CohortSeatPayloadSerializer,
    NotificationType.LIVE_SESSION_SOON: LiveSessionPayloadSerializer,
    NotificationType.COHORT_STARTING: CohortStartingPayloadSerializer,
    NotificationType.DUE_SOON: DueSoonPayloadSerializer,
    NotificationType.CONTENT_RELEASED: ContentReleasedPayloadSerializer,
    NotificationType.DATA_EXPORT_READY: DataExportPayloadSerializer,
}


class UnreadCountSerializer(serializers.Serializer):
    count = serializers.IntegerField()


class MarkedReadSerializer(serializers.Serializer):
    updated = serializers.IntegerField(help_text="How many notifications were marked read.")


class PreferenceSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=NotificationType.choices)
    label = serializers.CharField(read_only=True)
    in_app = serializers.BooleanField()
    email = serializers.BooleanField()


class PreferencesSerializer(serializers.Serializer):
    preferences = PreferenceSerializer(many=True)


class PreferenceChangeSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=NotificationType.choices)
    in_app = serializers.BooleanField(required=False)
    email = serializers.BooleanField(required=False)


class PreferencesInputSerializer(WholeInputSerializer):
    preferences = PreferenceChangeSerializer(many=True, allow_empty=False, max_length=len(NotificationType))


class AnnouncementInputSerializer(InputSerializer):
    title = serializers.CharField(max_length=200)
    body = serializers.CharField(max_length=10000)


class AnnouncementStatus(models.TextChoices):
    """An announcement as the API shows it (the model stores `sent_at`; the schema's AnnouncementStatusEnum)."""

    QUEUED = "queued", _("Queued: being delivered in the background")
    SENT = "sent", _("Sent to every enrolled student")


class AnnouncementSerializer(serializers.ModelSerializer):
    author = PublicUserSerializer()
    status = serializers.SerializerMethodField()

    class Meta:
        model = Announcement
        fields = ["id", "course", "author", "title", "body", "status", "recipient_count", "created_at", "sent_at"]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=AnnouncementStatus.choices))
    def get_status(self, announcement):
        return AnnouncementStatus.SENT if announcement.sent_at else AnnouncementStatus.QUEUED
