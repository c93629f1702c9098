from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from lms.api.serializers import InputSerializer
from lms.events import EVENT_TYPES
from webhooks import services
from webhooks.models import Delivery, DeliveryStatus, DisabledReason, Endpoint

# The enum of event types in the schema (settings: ENUM_NAME_OVERRIDES "WebhookEventTypeEnum").
EVENT_TYPE_CHOICES = [(name, description) for name, (_model, description) in EVENT_TYPES.items()]


class WebhookEndpointInputSerializer(InputSerializer):
    url = serializers.CharField(
        max_length=2000,
        help_text="The receiver's https:// URL. Refused: plain http (unless WEBHOOKS_ALLOW_PRIVATE_TARGETS), "
        "user names or passwords in the URL, and hosts on private, loopback, link-local or cloud metadata "
        "addresses.",
    )
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=EVENT_TYPE_CHOICES),
        min_length=1,
        max_length=len(EVENT_TYPE_CHOICES) * 2,
        help_text="The event types sent to this URL (at least one).",
    )
    description = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    is_active = serializers.BooleanField(required=False, default=True)


class WebhookEndpointSerializer(serializers.ModelSerializer):
    events = serializers.ListField(child=serializers.ChoiceField(choices=EVENT_TYPE_CHOICES))
    created_by = serializers.IntegerField(
        source="created_by_id", allow_null=True, help_text="The owner (the admin who created it), or null."
    )
    disabled_reason = serializers.SerializerMethodField(
        help_text="Why the platform turned it off: `gone` (the receiver answered 410) or `failing` (no success "
        "for WEBHOOKS_DISABLE_AFTER_DAYS); null while on, or when an admin turned it off."
    )
    previous_secret_expires_at = serializers.SerializerMethodField(
        help_text="After a rotation, until when the previous secret still signs (a second `v1`); null otherwise."
    )

    class Meta:
        model = Endpoint
        fields = [
            "id",
            "url",
            "description",
            "events",
            "is_active",
            "created_by",
            "failing_since",
            "disabled_at",
            "disabled_reason",
            "previous_secret_expires_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=DisabledReason.choices, allow_null=True))
    def get_disabled_reason(self, endpoint) -> str | None:
        return (endpoint.disabled_reason or None) if not endpoint.is_active else None

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_previous_secret_expires_at(self, endpoint) -> str | None:
        until = services.previous_secret_expires_at(endpoint)
        return serializers.DateTimeField().to_representation(until) if until else None


class WebhookEndpointCreatedSerializer(WebhookEndpointSerializer):
    secret = serializers.CharField(
        help_text="The signing secret (`whsec_...`). Shown in this response only: store it with the receiver."
    )

    class Meta(WebhookEndpointSerializer.Meta):
        fields = [*WebhookEndpointSerializer.Meta.fields, "secret"]
        read_only_fields = fields


class WebhookSecretSerializer(serializers.Serializer):
    secret = serializers.CharField(help_text="The new signing secret, shown this once.")
    previous_secret_expires_at = serializers.DateTimeField(
        help_text="Until when the previous secret still signs deliveries (a second `v1`)."
    )


class WebhookDeliverySerializer(serializers.ModelSerializer):
    event = serializers.CharField(source="event.public_id", help_text="The event's id (`evt_...`), as sent.")
    type = serializers.ChoiceField(source="event.type", choices=EVENT_TYPE_CHOICES)
    status = serializers.ChoiceField(choices=DeliveryStatus.choices)

    class Meta:
        model = Delivery
        fields = [
            "id",
            "event",
            "type",
            "status",
            "attempts",
            "response_status",
            "next_attempt_at",
            "last_attempt_at",
            "created_at",
        ]
        read_only_fields = fields


class WebhookDeliveryQuerySerializer(InputSerializer):
    status = serializers.ChoiceField(choices=DeliveryStatus.choices, required=False)
