from rest_framework import serializers

from lms.api.serializers import InputSerializer
from privacy import services
from privacy.models import DataExport, ErasureRequest


class DataExportSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField(
        help_text="A signed link to the zip while it is ready and not expired; null otherwise."
    )

    class Meta:
        model = DataExport
        fields = ["id", "status", "created_at", "ready_at", "download_url", "expires_at"]
        read_only_fields = fields

    def get_download_url(self, export) -> str | None:
        url = services.data_export_download_url(export)
        request = self.context.get("request")
        return request.build_absolute_uri(url) if url and request is not None and url.startswith("/") else url


class ErasureInputSerializer(InputSerializer):
    password = serializers.CharField(max_length=128, style={"input_type": "password"})


class ErasureScheduledSerializer(serializers.ModelSerializer):
    class Meta:
        model = ErasureRequest
        fields = ["scheduled_for"]
        read_only_fields = fields


class AdminErasureSerializer(serializers.ModelSerializer):
    user_id = serializers.IntegerField(read_only=True)
    requested_by_id = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = ErasureRequest
        fields = [
            "id",
            "user_id",
            "requested_by_id",
            "status",
            "requested_at",
            "scheduled_for",
            "started_at",
            "done_at",
            "canceled_at",
        ]
        read_only_fields = fields
