from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.utils.text import slugify
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from certificates import selectors, services
from certificates.models import Certificate
from courses.selectors import course_list_for_user
from lms.api.responses import body, ok
from lms.api.responses import errors as shared_errors

from . import examples as ex
from .serializers import CertificateRequestInputSerializer, CertificateSerializer, VerificationSerializer

Queued = inline_serializer("CertificateQueued", {"detail": serializers.CharField(), "status": serializers.CharField()})


def errors(*statuses: int, **descriptions: str):
    return shared_errors(
        *statuses,
        **{"r400": "Not eligible; the message says what is missing.", "r404": "Unknown, or not yours.", **descriptions},
    )


class MyCertificateViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = Certificate.objects.none()  # for the schema; requests use get_queryset
    serializer_class = CertificateSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        return selectors.certificate_list_for_student(self.request.user)

    @extend_schema(
        examples=[ok(ex.CERTIFICATE)],
        summary="My certificates",
        responses={200: CertificateSerializer(many=True), **errors(401, 404)},
        tags=["certificates"],
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(
        request=CertificateRequestInputSerializer,
        responses={
            200: OpenApiResponse(CertificateSerializer, description="It exists already."),
            202: OpenApiResponse(Queued, description="Being issued; it appears in this list shortly."),
            **errors(400, 401, 404),
        },
        examples=[
            body({"course": 1}),
            ok(ex.CERTIFICATE, "It exists already"),
            ok({"detail": "Your certificate is being issued.", "status": "queued"}, "Queued", status=202),
        ],
        summary="Ask for the certificate of a completed course that did not arrive",
        tags=["certificates"],
    )
    def create(self, request, *args, **kwargs):
        data = CertificateRequestInputSerializer.validated(request)
        course = get_object_or_404(course_list_for_user(request.user), pk=data["course"])
        certificate = services.certificate_request(student=request.user, course=course)
        if certificate is not None:
            return Response(CertificateSerializer(certificate, context={"request": request}).data)
        return Response(
            {"detail": "Your certificate is being issued.", "status": "queued"}, status=status.HTTP_202_ACCEPTED
        )


class CertificateViewSet(viewsets.GenericViewSet):
    queryset = Certificate.objects.none()  # for the schema; requests use get_queryset
    serializer_class = CertificateSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        return selectors.certificate_list_for_user(self.request.user).select_related("course")

    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiResponse(description="The PDF."),
            **errors(401, 404, 409, r409="The certificate was revoked (code `certificate_revoked`, with the reason)."),
        },
        summary="Download the PDF (owner, admin; not once revoked)",
        tags=["certificates"],
    )
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        certificate = self.get_object()
        pdf = selectors.certificate_pdf_get(certificate)
        filename = f"certificate-{slugify(certificate.course_title)[:60]}-{certificate.verification_code}.pdf"
        response = FileResponse(pdf.open("rb"), as_attachment=True, filename=filename, content_type="application/pdf")
        response["Cache-Control"] = "private, no-store"
        return response


class VerifyView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        responses={200: VerificationSerializer, **errors(404)},
        examples=[
            OpenApiExample(
                "A valid certificate",
                response_only=True,
                value={
                    "valid": True,
                    "status": "issued",
                    "verification_code": "K7QX2M9TB4HZ",
                    "student_name": "Ada Lovelace",
                    "course_title": "Python from scratch",
                    "instructor_name": "Alan Turing",
                    "issued_at": "2026-11-02T10:15:00Z",
                    "completed_at": "2026-11-02T10:14:31Z",
                    "version": 1,
                    "sha256": "9f2c1e0b7a4d3c2b1a09f8e7d6c5b4a39281706f5e4d3c2b1a0f9e8d7c6b5a43",
                    "revoked_at": None,
                    "revoked_reason": "",
                },
            )
        ],
        summary="Check a certificate by its code (public)",
        tags=["certificates"],
        auth=[],
    )
    def get(self, request, code):
        certificate = selectors.certificate_get_by_code(code)
        if certificate is None:
            return Response({"detail": "No certificate has this code."}, status=status.HTTP_404_NOT_FOUND)
        return Response(VerificationSerializer(certificate).data)
