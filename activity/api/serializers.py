from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from activity.models import ActivityEvent


class ActorSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    full_name = serializers.CharField()


class TargetSerializer(serializers.Serializer):
    type = serializers.CharField()
    id = serializers.CharField()


class ActivityEventSerializer(serializers.ModelSerializer):
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
