"""The OpenAPI description of certificates/api/views.py (drf-spectacular), one `described` class
decorator per view class: request and response bodies, every status code each operation answers, and
examples (examples.py). Kept apart from the views so these read as behaviour."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers

from lms.api.responses import ValidationErrorSerializer, body, described, error_of, ok
from lms.api.responses import errors as shared_errors

from . import examples as ex
from .serializers import CertificateRequestInputSerializer, CertificateSerializer, VerificationSerializer

# The 202 of a request: its own shape (`status` queued), told apart from the 200's Certificate
# (`status` issued or revoked) by the status code and by `status`.
Queued = inline_serializer(
    "CertificateQueued",
    {"detail": serializers.CharField(), "status": serializers.ChoiceField(choices=[("queued", "Queued")])},
)


class CertificateRequestErrorSerializer(ValidationErrorSerializer):
    """A 400 of a certificate request: a bad `course`, or the course is not completed yet (code
    `not_completed`, with how far the student is)."""

    progress_percent = serializers.IntegerField(required=False, help_text="With `not_completed`.")


RevokedError = inline_serializer(
    "CertificateRevokedError",
    {
        "detail": serializers.CharField(),
        "code": serializers.CharField(help_text="`certificate_revoked`."),
        "revoked_reason": serializers.CharField(),
    },
)


def errors(*statuses: int, **descriptions: str):
    return shared_errors(
        *statuses,
        **{"r404": "Unknown, or not yours.", **descriptions},
    )


MY_CERTIFICATES = described(
    "certificates",
    list=extend_schema(
        examples=[ok(ex.CERTIFICATE)],
        summary="My certificates",
        responses={200: CertificateSerializer(many=True), **errors(401, 404)},
    ),
    create=extend_schema(
        request=CertificateRequestInputSerializer,
        responses={
            200: OpenApiResponse(CertificateSerializer, description="It exists already."),
            202: OpenApiResponse(Queued, description="Being issued; it appears in this list shortly."),
            **errors(401, 404),
            **error_of(
                400,
                CertificateRequestErrorSerializer,
                "Not eligible (the message says what is missing), or a bad `course`.",
                ex.REQUEST_ERRORS,
            ),
        },
        examples=[body(ex.REQUEST), ok(ex.CERTIFICATE, "It exists already"), ok(ex.QUEUED, "Queued", status=202)],
        summary="Ask for the certificate of a completed course that did not arrive",
    ),
)

CERTIFICATES = described(
    "certificates",
    download=extend_schema(
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="The PDF, a file download."),
            **errors(401, 404),
            **error_of(409, RevokedError, "The certificate was revoked.", ex.REVOKED_ERRORS),
        },
        summary="Download the PDF (owner, admin; not once revoked)",
    ),
)

VERIFY = described(
    "certificates",
    get=extend_schema(
        responses={200: VerificationSerializer, **errors(404)},
        examples=[
            OpenApiExample("A valid certificate", value=ex.VERIFICATION, response_only=True),
            OpenApiExample(
                "The holder's name withheld (their account was erased)",
                value=ex.VERIFICATION_NAME_WITHHELD,
                response_only=True,
            ),
        ],
        summary="Check a certificate by its code (public)",
        auth=[],
    ),
)
