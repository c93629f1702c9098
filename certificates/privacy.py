"""What certificates holds about a person, for privacy's export and erasure (privacy.registry): the
certificates issued to them, every printed version of each, and the PDFs.

Erasure keeps each certificate verifiable by its code (valid, or revoked with its reason) with the
holder's name withheld: the printed name is blanked, the PDFs (which show it) are deleted, and the
verify endpoint answers `name_withheld: true` (certificates.services.certificates_erase_for_user).
Revoking them instead would tell an employer holding the code that the course was never completed.
An erased instructor's name, printed on their students' certificates, is replaced by the generic one."""

from collections.abc import Iterator

from privacy.registry import Eraser, Exporter

from .models import Certificate
from .rendering import verify_url
from .selectors import certificate_list_for_student, certificate_revision_list_for_student
from .services import certificates_erase_for_user


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def _pdf_path(certificate_id: int, version: int) -> str:
    """A PDF's path in the export zip: one folder per certificate, one file per printed version."""
    return f"certificates/{certificate_id}/v{version}.pdf"


def certificates_export(user) -> dict:
    """The person's certificates and their earlier versions as JSON-able rows, each PDF named by
    its path in the zip (null: none stored). Two queries."""
    return {
        "certificates": [
            {
                "id": certificate.pk,
                "course_id": certificate.course_id,
                "enrollment_id": certificate.enrollment_id,
                "verification_code": certificate.verification_code,
                "verify_url": verify_url(certificate.verification_code),
                "status": certificate.status,
                "student_name": certificate.student_name,
                "course_title": certificate.course_title,
                "instructor_name": certificate.instructor_name,
                "language": certificate.language,
                "version": certificate.version,
                "completed_at": _iso(certificate.completed_at),
                "issued_at": _iso(certificate.issued_at),
                "revoked_at": _iso(certificate.revoked_at),
                "revoked_reason": certificate.revoked_reason,
                "pdf": _pdf_path(certificate.pk, certificate.version) if certificate.pdf else None,
                "pdf_sha256": certificate.pdf_sha256,
            }
            for certificate in certificate_list_for_student(user)
        ],
        "earlier_versions": [
            {
                "certificate_id": revision.certificate_id,
                "version": revision.version,
                "student_name": revision.student_name,
                "course_title": revision.course_title,
                "instructor_name": revision.instructor_name,
                "issued_at": _iso(revision.issued_at),
                "superseded_at": _iso(revision.superseded_at),
                "pdf": _pdf_path(revision.certificate_id, revision.version) if revision.pdf else None,
                "pdf_sha256": revision.pdf_sha256,
            }
            for revision in certificate_revision_list_for_student(user)
        ],
    }


def certificates_files(user) -> Iterator[tuple[str, str]]:
    """(path in the zip, storage key) of every stored PDF of the person's certificates: the current
    version of each and the earlier ones kept by re-issues."""
    for certificate in certificate_list_for_student(user):
        if certificate.pdf:
            yield _pdf_path(certificate.pk, certificate.version), certificate.pdf.name
    for revision in certificate_revision_list_for_student(user):
        if revision.pdf:
            yield _pdf_path(revision.certificate_id, revision.version), revision.pdf.name


def certificates_erase(user) -> None:
    """certificates.services.certificates_erase_for_user: idempotent and resumable (see the service)."""
    certificates_erase_for_user(user=user)


EXPORTER = Exporter(
    name="certificates",
    models=(Certificate,),
    export=certificates_export,
    files=certificates_files,
    describe={
        "certificates": "The certificates issued to you, one per completed course, valid or revoked.",
        "certificates.verification_code": "The code anyone can check the certificate with, at `verify_url`.",
        "certificates.status": "issued (valid) or revoked.",
        "certificates.student_name": "Your name as printed on the certificate.",
        "certificates.course_title": "The course's title as printed.",
        "certificates.instructor_name": "The instructor's name as printed.",
        "certificates.language": "The language the certificate is printed in.",
        "certificates.version": "Raised by each re-issue (a reprint with current names); earlier versions are in "
        "`earlier_versions`.",
        "certificates.completed_at": "When you completed the course.",
        "certificates.issued_at": "When this version was printed.",
        "certificates.revoked_at": "When it was revoked (null: it is valid).",
        "certificates.revoked_reason": "Why it was revoked (e.g. refunded).",
        "certificates.pdf": "The PDF of this version, in this zip (null: no PDF stored).",
        "certificates.pdf_sha256": "The SHA-256 hash of the PDF, which the verify page shows, so a copy can be "
        "checked.",
        "earlier_versions": "Versions of your certificates replaced by a re-issue, as they were printed.",
        "earlier_versions.superseded_at": "When the next version replaced it.",
        "earlier_versions.pdf": "That version's PDF, in this zip (null: none stored).",
    },
)

ERASER = Eraser(
    name="certificates",
    models=(Certificate,),
    erase=certificates_erase,
    # After the courses eraser (order 20): with the person's enrollments revoked, no certificate can
    # be issued to them once this has run.
    order=25,
    policy={
        "Certificate.student": "kept, pseudonymised: the certificate stays verifiable by its code (course, "
        "instructor, dates, valid or revoked), with the holder's name withheld",
        "Certificate.student_name": 'deleted (blanked); the verify endpoint answers "name_withheld": true',
        "Certificate.pdf": "deleted (the file too): it shows the name; the certificate is never printed again "
        "(re-issue refused)",
        "Certificate.pdf_sha256": "deleted (blanked): it fingerprints the deleted PDF, which showed the name",
        "Certificate.name_withheld_at": "set to the time of the erasure",
        "Certificate.revoked_reason": "kept: why the certificate is not valid, part of what verify answers",
        "CertificateRevision.student_name": "deleted (blanked), on every earlier version",
        "CertificateRevision.pdf": "deleted (the file too), on every earlier version, with its hash",
        "Certificate.instructor_name, CertificateRevision.instructor_name (courses the person teaches)": "kept, "
        'pseudonymised: their printed name replaced with the generic "<platform> instructor" a re-issue would now '
        "print; the students' PDFs, their documents as issued, are not reprinted (their hashes still verify)",
    },
)
