from rest_framework import serializers

from lms.api.serializers import InputSerializer

from .. import storage
from ..models import Upload, UploadPurpose, UploadStatus

UPLOAD_METHODS = [("POST", "POST"), ("PUT", "PUT")]


def absolute(request, url: str | None) -> str | None:
    """A URL of this server made absolute (an SPA on another origin uses it as it is); a bucket's or
    CDN's URL is already absolute."""
    if url and url.startswith("/") and request is not None:
        return request.build_absolute_uri(url)
    return url


class UploadInputSerializer(InputSerializer):
    purpose = serializers.ChoiceField(choices=UploadPurpose.choices)
    filename = serializers.CharField(max_length=255)
    content_type = serializers.CharField(max_length=100, help_text="The file's MIME type, e.g. `image/png`.")
    size = serializers.IntegerField(min_value=1, max_value=2**62, help_text="Bytes.")


class UploadStepSerializer(serializers.Serializer):
    method = serializers.ChoiceField(choices=UPLOAD_METHODS)
    url = serializers.CharField(
        help_text="S3: the bucket's URL, to POST a multipart form of `fields` followed by the `file`. "
        "Local storage: this API's URL, to PUT the raw bytes with the bearer token and `headers`."
    )
    fields = serializers.DictField(child=serializers.CharField(), help_text="Form fields for a POST; empty for PUT.")
    headers = serializers.DictField(child=serializers.CharField(), help_text="Headers to send with the bytes.")


class UploadSerializer(serializers.ModelSerializer):
    status = serializers.ChoiceField(choices=UploadStatus.choices, read_only=True)
    attached = serializers.SerializerMethodField(help_text="True once a course, lesson, submission or profile uses it.")
    url = serializers.SerializerMethodField(
        help_text="The file, once ready: public and stable for covers and avatars; signed and expiring otherwise."
    )

    class Meta:
        model = Upload
        fields = [
            "id",
            "purpose",
            "status",
            "filename",
            "content_type",
            "size",
            "detected_type",
            "width",
            "height",
            "duration_seconds",
            "codec",
            "rejected_reason",
            "attached",
            "url",
            "created_at",
            "expires_at",
            "completed_at",
        ]
        read_only_fields = fields

    def get_attached(self, upload) -> bool:
        return upload.attached_at is not None

    def get_url(self, upload) -> str | None:
        if upload.status != UploadStatus.READY:
            return None
        if upload.is_public:
            return absolute(self.context.get("request"), storage.public_url(upload.key))
        return absolute(self.context.get("request"), storage.private_url(upload.key, filename=upload.filename))


class UploadCreatedSerializer(UploadSerializer):
    upload = serializers.SerializerMethodField()

    class Meta(UploadSerializer.Meta):
        fields = [*UploadSerializer.Meta.fields, "upload"]
        read_only_fields = fields

    def get_upload(self, upload) -> UploadStepSerializer:
        from .. import services

        step = services.upload_instructions(upload)
        return {**step, "url": absolute(self.context.get("request"), step["url"])}
