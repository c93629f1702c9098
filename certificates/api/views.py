"""Certificates: a student's own list and requests, the PDF download (resolved through
certificates.access.certificate_for), and the public verify endpoint."""

from django.http import FileResponse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from certificates import selectors, services
from certificates.access import certificate_for
from certificates.models import Certificate
from courses.access import course_for
from lms.api.access import AccessViewSetMixin
from lms.api.negotiation import FileOrJSONErrors

from . import schema
from .serializers import CertificateRequestInputSerializer, CertificateSerializer, VerificationSerializer


@schema.MY_CERTIFICATES
class MyCertificateViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = Certificate.objects.none()  # for the schema; requests use get_queryset
    serializer_class = CertificateSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        return selectors.certificate_list_for_student(self.request.user)

    def create(self, request, *args, **kwargs):
        data = CertificateRequestInputSerializer.validated(request)
        course = course_for(request.user, data["course"], need="read")
        certificate = services.certificate_request(student=request.user, course=course)
        if certificate is not None:
            return Response(CertificateSerializer(certificate, context={"request": request}).data)
        return Response(
            {"detail": _("Your certificate is being issued."), "status": "queued"}, status=status.HTTP_202_ACCEPTED
        )


@schema.CERTIFICATES
class CertificateViewSet(AccessViewSetMixin, viewsets.GenericViewSet):
    queryset = Certificate.objects.none()  # for the schema; requests resolve it through certificate_for
    serializer_class = CertificateSerializer
    permission_classes = [IsAuthenticated]
    access = staticmethod(certificate_for)
    needs = {"download": "read"}
    content_negotiation_class = FileOrJSONErrors

    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        certificate = self.get_object()
        pdf = selectors.certificate_pdf_get(certificate)
        filename = f"certificate-{slugify(certificate.course_title)[:60]}-{certificate.verification_code}.pdf"
        response = FileResponse(pdf.open("rb"), as_attachment=True, filename=filename, content_type="application/pdf")
        response["Cache-Control"] = "private, no-store"
        return response


@schema.VERIFY
class VerifyView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    def get(self, request, code):
        certificate = selectors.certificate_get_by_code(code)
        if certificate is None:
            return Response({"detail": _("No certificate has this code.")}, status=status.HTTP_404_NOT_FOUND)
        return Response(VerificationSerializer(certificate).data)
