import secrets

from django.conf import settings
from django.db import models


def new_verification_code() -> str:
    """20 characters from a 32-letter alphabet without look-alikes: 100 bits, unguessable."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(20))


def certificate_path(certificate, filename: str) -> str:
    return f"certificates/{certificate.verification_code}-v{certificate.version}.pdf"


class CertificateStatus(models.TextChoices):
    ISSUED = "issued", "Issued"
    REVOKED = "revoked", "Revoked"


class Certificate(models.Model):
    """One per completed enrollment. The names and titles are stored as printed, so the record
    stays true when the user or course is renamed; re-issuing prints them anew."""

    enrollment = models.OneToOneField("courses.Enrollment", on_delete=models.PROTECT, related_name="certificate")
    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="certificates")
    course = models.ForeignKey("courses.Course", on_delete=models.PROTECT, related_name="certificates")
    verification_code = models.CharField(max_length=32, unique=True, default=new_verification_code, editable=False)
    status = models.CharField(max_length=8, choices=CertificateStatus.choices, default=CertificateStatus.ISSUED)
    issued_at = models.DateTimeField()
    completed_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.CharField(max_length=500, blank=True)
    student_name = models.CharField(max_length=300)
    course_title = models.CharField(max_length=200)
    instructor_name = models.CharField(max_length=300)
    version = models.PositiveIntegerField(default=1, help_text="Raised by each re-issue.")
    pdf = models.FileField(upload_to=certificate_path, blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-issued_at", "-id"]
        indexes = [models.Index(fields=["student", "course"]), models.Index(fields=["issued_at"])]

    def __str__(self):
        return f"{self.verification_code}: {self.student_name}, {self.course_title}"

    @property
    def is_valid(self) -> bool:
        return self.status == CertificateStatus.ISSUED


def revision_path(revision, filename: str) -> str:
    return f"certificates/history/{revision.certificate.verification_code}-v{revision.version}.pdf"


class CertificateRevision(models.Model):
    """A superseded version of a certificate, kept when it is re-issued."""

    certificate = models.ForeignKey(Certificate, on_delete=models.CASCADE, related_name="revisions")
    version = models.PositiveIntegerField()
    issued_at = models.DateTimeField()
    student_name = models.CharField(max_length=300)
    course_title = models.CharField(max_length=200)
    instructor_name = models.CharField(max_length=300)
    pdf = models.FileField(upload_to=revision_path, blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    superseded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["certificate", "version"], name="certificates_revision_once"),
        ]

    def __str__(self):
        return f"{self.certificate.verification_code} v{self.version}"
