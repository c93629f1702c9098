"""Certificates: a student's own list and requests, the PDF download (resolved through
certificates.access.certificate_for), and the public verify endpoint."""

from django.http import FileResponse
from django.utils.text import slugify
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from certificates import selectors, services
from certificates.access import certificate_for
from certificates.models import Certificate
from courses.access import course_for
from lms.api.access import AccessViewSetMixin
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


@extend_schema(tags=["certificates"])
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
        examples=[body(ex.REQUEST), ok(ex.CERTIFICATE, "It exists already"), ok(ex.QUEUED, "Queued", status=202)],
        summary="Ask for the certificate of a completed course that did not arrive",
    )
    def create(self, request, *args, **kwargs):
        data = CertificateRequestInputSerializer.validated(request)
        course = course_for(request.user, data["course"], need="read")
        certificate = services.certificate_request(student=request.user, course=course)
        if certificate is not None:
            return Response(CertificateSerializer(certificate, context={"request": request}).data)
        return Response(ex.QUEUED, status=status.HTTP_202_ACCEPTED)


@extend_schema(tags=["certificates"])
class CertificateViewSet(AccessViewSetMixin, viewsets.GenericViewSet):
    queryset = Certificate.objects.none()  # for the schema; requests resolve it through certificate_for
    serializer_class = CertificateSerializer
    permission_classes = [IsAuthenticated]
    access = staticmethod(certificate_for)
    needs = {"download": "read"}

    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiResponse(description="The PDF."),
            **errors(401, 404, 409, r409="The certificate was revoked (code `certificate_revoked`, with the reason)."),
        },
        summary="Download the PDF (owner, admin; not once revoked)",
    )
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        certificate = self.get_object()
        pdf = selectors.certificate_pdf_get(certificate)
        filename = f"certificate-{slugify(certificate.course_title)[:60]}-{certificate.verification_code}.pdf"
        response = FileResponse(pdf.open("rb"), as_attachment=True, filename=filename, content_type="application/pdf")
        response["Cache-Control"] = "private, no-store"
        return response


@extend_schema(tags=["certificates"])
class VerifyView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        responses={200: VerificationSerializer, **errors(404)},
        examples=[OpenApiExample("A valid certificate", value=ex.VERIFICATION, response_only=True)],
        summary="Check a certificate by its code (public)",
        auth=[],
    )
    def get(self, request, code):
        certificate = selectors.certificate_get_by_code(code)
        if certificate is None:
            return Response({"detail": "No certificate has this code."}, status=status.HTTP_404_NOT_FOUND)
        return Response(VerificationSerializer(certificate).data)
