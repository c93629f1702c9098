from rest_framework import serializers

from accounts.api.serializers import PublicUserSerializer
from lms.api.serializers import InputSerializer, WholeInputSerializer
from notifications.models import Announcement, Notification, NotificationType


class NotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "type", "title", "body", "payload", "read_at", "created_at"]
        read_only_fields = fields


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


class AnnouncementSerializer(serializers.ModelSerializer):
    author = PublicUserSerializer()
    status = serializers.SerializerMethodField()

    class Meta:
        model = Announcement
        fields = ["id", "course", "author", "title", "body", "status", "recipient_count", "created_at", "sent_at"]
        read_only_fields = fields

    def get_status(self, announcement) -> str:
        return "sent" if announcement.sent_at else "queued"
