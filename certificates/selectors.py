from django.db.models import QuerySet
from django.db.models.fields.files import FieldFile
from django.utils.translation import gettext as _

from lms.errors import Conflict, NotFound

from .models import Certificate, CertificateRevision, CertificateStatus


def certificate_exists(*, student_id: int, course_id: int) -> bool:
    """Whether a valid (issued, not revoked) certificate exists for this student and course."""
    return Certificate.objects.filter(
        student_id=student_id, course_id=course_id, status=CertificateStatus.ISSUED
    ).exists()


def certificate_list_for_student(student) -> QuerySet[Certificate]:
    return Certificate.objects.filter(student=student).select_related("course").order_by("-issued_at", "-id")


def certificate_revision_list_for_student(student) -> QuerySet[CertificateRevision]:
    """The superseded versions of the student's certificates (kept by each re-issue)."""
    return CertificateRevision.objects.filter(certificate__student=student).order_by("certificate_id", "version")


def certificate_list_for_user(user) -> QuerySet[Certificate]:
    """The owner's own certificates; every certificate for admins."""
    if not user.is_authenticated:
        return Certificate.objects.none()
    if user.role == "admin":
        return Certificate.objects.all()
    return Certificate.objects.filter(student=user)


def certificate_get_by_code(code: str) -> Certificate | None:
    return Certificate.objects.filter(verification_code=code.strip().upper()).first()


def certificate_pdf_get(certificate: Certificate) -> FieldFile:
    """The certificate's PDF, for whoever may see the certificate. A revoked certificate's PDF is
    not served to anyone (409 `certificate_revoked`, with the reason, whatever it was revoked for):
    the verify endpoint is the record of it. No stored PDF: 404."""
    if certificate.status == CertificateStatus.REVOKED:
        raise Conflict(
            _("This certificate was revoked ({reason}); its PDF is no longer available.").format(
                reason=certificate.revoked_reason
            ),
            code="certificate_revoked",
            extra={"revoked_reason": certificate.revoked_reason},
        )
    if not certificate.pdf:
        raise NotFound(_("The PDF is not available."))
    return certificate.pdf
