from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from certificates.models import Certificate
from certificates.rendering import verify_url
from courses.api.serializers import CourseRefSerializer
from lms.api.serializers import InputSerializer


class CertificateRequestInputSerializer(InputSerializer):
    # A plain id, looked up among the courses the caller can see: an unknown course and one they may
    # not see (a draft) get the same 404, so the answer tells nothing about which ids exist.
    course = serializers.IntegerField(min_value=1, max_value=2**63 - 1)


class CertificateSerializer(serializers.ModelSerializer):
    course = CourseRefSerializer()
    download_url = serializers.SerializerMethodField()
    verify_url = serializers.SerializerMethodField()

    class Meta:
        model = Certificate
        fields = [
            "id",
            "course",
            "status",
            "issued_at",
            "completed_at",
            "verification_code",
            "student_name",
            "course_title",
            "instructor_name",
            "version",
            "pdf_sha256",
            "revoked_at",
            "revoked_reason",
            "download_url",
            "verify_url",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.URLField())
    def get_download_url(self, certificate):
        path = reverse("certificate-download", args=[certificate.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path

    @extend_schema_field(serializers.URLField())
    def get_verify_url(self, certificate):
        return verify_url(certificate.verification_code)


class VerificationSerializer(serializers.ModelSerializer):
    """What anyone may learn from a code: every printed field, the status and the PDF's hash (so
    an edited PDF can be told apart), never an e-mail address. Once the holder's account is erased
    the certificate still verifies, with `name_withheld` true, `student_name` empty and no hash
    (the PDF, which showed the name, is deleted)."""

    valid = serializers.BooleanField(source="is_valid")
    name_withheld = serializers.BooleanField(
        help_text="True when the holder's account was erased: the certificate is genuine (see `valid`), but its "
        "holder's name is withheld, so `student_name` and `sha256` are empty."
    )
    sha256 = serializers.CharField(source="pdf_sha256")

    class Meta:
        model = Certificate
        fields = [
            "valid",
            "status",
            "verification_code",
            "student_name",
            "name_withheld",
            "course_title",
            "instructor_name",
            "issued_at",
            "completed_at",
            "version",
            "sha256",
            "revoked_at",
            "revoked_reason",
        ]
        read_only_fields = fields
