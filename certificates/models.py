import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def new_verification_code() -> str:
    """20 characters from a 32-letter alphabet without look-alikes: 100 bits, unguessable."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(20))


def certificate_path(certificate, filename: str) -> str:
    return f"certificates/{certificate.verification_code}-v{certificate.version}.pdf"


class CertificateStatus(models.TextChoices):
    ISSUED = "issued", _("Issued")
    REVOKED = "revoked", _("Revoked")


class Certificate(models.Model):
    """One per completed enrollment. The names and titles are stored as printed, so the record
    stays true when the user or course is renamed; re-issuing prints them anew."""

    enrollment = models.OneToOneField(
        "courses.Enrollment", on_delete=models.PROTECT, related_name="certificate", verbose_name=_("enrollment")
    )
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="certificates", verbose_name=_("student")
    )
    course = models.ForeignKey(
        "courses.Course", on_delete=models.PROTECT, related_name="certificates", verbose_name=_("course")
    )
    verification_code = models.CharField(
        verbose_name=_("verification code"), max_length=32, unique=True, default=new_verification_code, editable=False
    )
    status = models.CharField(
        verbose_name=_("status"), max_length=8, choices=CertificateStatus.choices, default=CertificateStatus.ISSUED
    )
    issued_at = models.DateTimeField(verbose_name=_("issued at"))
    completed_at = models.DateTimeField(verbose_name=_("completed at"))
    revoked_at = models.DateTimeField(verbose_name=_("revoked at"), null=True, blank=True)
    revoked_reason = models.CharField(verbose_name=_("revoked reason"), max_length=500, blank=True)
    student_name = models.CharField(verbose_name=_("student name"), max_length=300)
    course_title = models.CharField(verbose_name=_("course title"), max_length=200)
    instructor_name = models.CharField(verbose_name=_("instructor name"), max_length=300)
    # The language it is printed in (certificates.services.certificate_language), kept so that a
    # re-issue prints it in the same one. Blank: issued before certificates had a language.
    language = models.CharField(
        verbose_name=_("language"),
        max_length=8,
        blank=True,
        help_text=_("The language the certificate is printed in; a re-issue keeps it."),
    )
    version = models.PositiveIntegerField(verbose_name=_("version"), default=1, help_text=_("Raised by each re-issue."))
    pdf = models.FileField(verbose_name=_("PDF"), upload_to=certificate_path, blank=True)
    pdf_sha256 = models.CharField(verbose_name=_("PDF SHA256"), max_length=64, blank=True)
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)
    # Set when the holder's account was erased (certificates_erase_for_user): the printed name and
    # the PDFs are gone for good, the certificate stays verifiable by its code, and it is never
    # printed again.
    name_withheld_at = models.DateTimeField(
        verbose_name=_("name withheld at"),
        null=True,
        blank=True,
        help_text=_(
            "When the holder's name was withheld (their account was erased): the certificate stays verifiable "
            "without it and cannot be re-issued."
        ),
    )

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-issued_at", "-id"]
        indexes = [models.Index(fields=["student", "course"]), models.Index(fields=["issued_at"])]

    def __str__(self):
        holder = "(name withheld)" if self.name_withheld else self.student_name
        return f"{self.verification_code}: {holder}, {self.course_title}"

    @property
    def is_valid(self) -> bool:
        return self.status == CertificateStatus.ISSUED

    @property
    def name_withheld(self) -> bool:
        return self.name_withheld_at is not None


def revision_path(revision, filename: str) -> str:
    return f"certificates/history/{revision.certificate.verification_code}-v{revision.version}.pdf"


class CertificateRevision(models.Model):
    """A superseded version of a certificate, kept when it is re-issued."""

    certificate = models.ForeignKey(
        Certificate, on_delete=models.CASCADE, related_name="revisions", verbose_name=_("certificate")
    )
    version = models.PositiveIntegerField(verbose_name=_("version"))
    issued_at = models.DateTimeField(verbose_name=_("issued at"))
    student_name = models.CharField(verbose_name=_("student name"), max_length=300)
    course_title = models.CharField(verbose_name=_("course title"), max_length=200)
    instructor_name = models.CharField(verbose_name=_("instructor name"), max_length=300)
    pdf = models.FileField(verbose_name=_("PDF"), upload_to=revision_path, blank=True)
    pdf_sha256 = models.CharField(verbose_name=_("PDF SHA256"), max_length=64, blank=True)
    superseded_at = models.DateTimeField(verbose_name=_("superseded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("certificate revision")
        verbose_name_plural = _("certificate revisions")
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["certificate", "version"], name="certificates_revision_once"),
        ]

    def __str__(self):
        return f"{self.certificate.verification_code} v{self.version}"
