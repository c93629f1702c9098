from collections.abc import Callable

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import Role
from activity.models import ActivityEvent, Verb
from courses.models import EnrollmentSource


class ActorSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    full_name = serializers.CharField()


class TargetSerializer(serializers.Serializer):
    type = serializers.CharField()
    id = serializers.CharField()


class ActivityEventSerializer(serializers.ModelSerializer):
    """Renders an event. Its schema is `ActivityEvent` (activity/api/schema.py): one variant per
    `verb`, each with the metadata that verb records (ACTIVITY_METADATA)."""

    actor = ActorSerializer(allow_null=True)
    target = serializers.SerializerMethodField()
    course = serializers.IntegerField(source="course_id", allow_null=True)

    class Meta:
        model = ActivityEvent
        fields = ["id", "actor", "verb", "target", "course", "metadata", "ip", "user_agent", "created_at"]
        read_only_fields = fields

    @extend_schema_field(TargetSerializer(allow_null=True))
    def get_target(self, event):
        return {"type": event.target_type, "id": event.target_id} if event.target_type else None


# --- metadata: what each verb records besides its target (the services that record it set it) ----
class SignupMetadataSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices)


class EnrollmentMetadataSerializer(serializers.Serializer):
    source = serializers.ChoiceField(choices=EnrollmentSource.choices)


class AttemptStartedMetadataSerializer(serializers.Serializer):
    quiz_id = serializers.IntegerField()
    number = serializers.IntegerField(help_text="The student's how-manyth attempt at the quiz.")


class AttemptGradedMetadataSerializer(serializers.Serializer):
    quiz_id = serializers.IntegerField()
    percent = serializers.DecimalField(max_digits=5, decimal_places=2)
    passed = serializers.BooleanField()
    auto = serializers.BooleanField(help_text="Closed by its deadline rather than submitted.")


class OrderMetadataSerializer(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=10, decimal_places=2)
    currency = serializers.CharField(help_text="ISO 4217, e.g. `USD`.")


class PaymentMetadataSerializer(OrderMetadataSerializer):
    reason = serializers.CharField(help_text="Empty, or why no payment was taken (`fully discounted`).")


class CertificateMetadataSerializer(serializers.Serializer):
    verification_code = serializers.CharField()


class ReviewMetadataSerializer(serializers.Serializer):
    rating = serializers.IntegerField(min_value=1, max_value=5)


@extend_schema_field({"type": "object", "additionalProperties": False, "description": "Nothing: always {}."})
class NoMetadataField(serializers.DictField):
    """The metadata of a verb that records none."""


# The metadata field of each verb, a class to instantiate (so each schema variant has its own field).
ACTIVITY_METADATA: dict[str, Callable[[], serializers.Field]] = {
    Verb.USER_SIGNED_UP: SignupMetadataSerializer,
    Verb.USER_LOGGED_IN: NoMetadataField,
    Verb.ENROLLMENT_CREATED: EnrollmentMetadataSerializer,
    Verb.ENROLLMENT_REVOKED: NoMetadataField,
    Verb.LESSON_COMPLETED: NoMetadataField,
    Verb.COURSE_COMPLETED: NoMetadataField,
    Verb.QUIZ_ATTEMPT_STARTED: AttemptStartedMetadataSerializer,
    Verb.QUIZ_ATTEMPT_SUBMITTED: AttemptGradedMetadataSerializer,
    Verb.QUIZ_PASSED: AttemptGradedMetadataSerializer,
    Verb.ORDER_CREATED: OrderMetadataSerializer,
    Verb.PAYMENT_SUCCEEDED: PaymentMetadataSerializer,
    Verb.PAYMENT_REFUNDED: OrderMetadataSerializer,
    Verb.CERTIFICATE_ISSUED: CertificateMetadataSerializer,
    Verb.FORUM_POST_CREATED: NoMetadataField,
    Verb.FORUM_COMMENT_CREATED: NoMetadataField,
    Verb.REVIEW_CREATED: ReviewMetadataSerializer,
    Verb.ANNOUNCEMENT_SENT: NoMetadataField,
}
