"""Issuing, revoking and re-issuing certificates."""

import logging
from datetime import datetime

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.models import User
from activity.models import Verb
from activity.services import activity_record
from courses.models import Course, Enrollment, EnrollmentStatus
from courses.progress import progress_for
from courses.selectors import enrollment_get_active
from courses.services import enrollment_evaluate_completion
from lms.errors import Conflict, InvalidInput, NotFound
from lms.events import publish
from lms.i18n import language_of, supported
from lms.jobs import enqueue_on_commit
from notifications.services import notify

from . import rendering
from .access import certificate_manager_require
from .models import Certificate, CertificateRevision, CertificateStatus
from .tasks import certificate_issue_task

logger = logging.getLogger(__name__)


def _render_into(certificate: Certificate) -> None:
    """Renders the PDF from the certificate's printed fields, in its language, and stores it with
    its hash."""
    pdf = rendering.render_pdf(
        code=certificate.verification_code,
        student_name=certificate.student_name,
        course_title=certificate.course_title,
        instructor_name=certificate.instructor_name,
        completed_at=certificate.completed_at,
        language=certificate.language,
    )
    certificate.pdf_sha256 = rendering.sha256(pdf)
    certificate.pdf.save(f"{certificate.verification_code}.pdf", ContentFile(pdf), save=False)


def certificate_language(enrollment: Enrollment) -> str:
    """The language a certificate of `enrollment` is printed in (README "Languages"): the course's
    `language` when the platform ships it (a course taught in Spanish gets Spanish certificates,
    whoever takes it), else the student's profile language, else LANGUAGE_CODE. Never the active
    language: the issue job, a sweep or someone else's request prints it."""
    return supported(enrollment.course.language) or language_of(enrollment.student)


def certificate_printed_names(enrollment: Enrollment, *, language: str | None = None) -> dict[str, str]:
    """Names as printed. Never an e-mail address: a user without a name is printed generically, in
    the certificate's `language` (when it is one the platform ships; else certificate_language)."""

    def name(user, fallback: str) -> str:
        return f"{user.first_name} {user.last_name}".strip() or fallback

    with translation.override(supported(language) or certificate_language(enrollment)):
        return {
            "student_name": name(enrollment.student, _("{platform} learner").format(platform=settings.PLATFORM_NAME)),
            "course_title": enrollment.course.title,
            "instructor_name": name(
                enrollment.course.instructor, _("{platform} instructor").format(platform=settings.PLATFORM_NAME)
            ),
        }


@transaction.atomic
def certificate_issue(*, enrollment_id: int) -> Certificate | None:
    """Issues the certificate of a completed, active enrollment: once, however often or however
    concurrently it is called (the enrollment row is locked and the certificate is one-to-one with
    it). Renders and stores the PDF in certificate_language, notifies `certificate_issued` (in the
    student's own language, whatever the certificate's). Returns None when the enrollment is not
    (or no longer) eligible. The platform acts here (the issue job, the sweep): there is no actor.
    Takes the enrollment's row lock (the one a refund and course completion take) through
    courses.selectors.enrollment_get_active: whether it is still the student's active enrollment,
    and completed, is decided under that lock."""
    owner = Enrollment.objects.filter(pk=enrollment_id).values("student_id", "course_id").first()
    if owner is None:
        return None
    enrollment = enrollment_get_active(student=owner["student_id"], course=owner["course_id"], for_update=True)
    if enrollment is None or enrollment.pk != enrollment_id or enrollment.completed_at is None:
        return None  # revoked (a refund), or another enrollment of the same student and course
    existing = Certificate.objects.filter(enrollment=enrollment).first()
    if existing is not None:
        return existing
    language = certificate_language(enrollment)
    certificate = Certificate(
        enrollment=enrollment,
        student=enrollment.student,
        course=enrollment.course,
        issued_at=timezone.now(),
        completed_at=enrollment.completed_at,
        language=language,
        **certificate_printed_names(enrollment, language=language),
    )
    _render_into(certificate)
    certificate.save()
    notify(
        recipients=[enrollment.student_id],
        type="certificate_issued",
        title=format_lazy(_("Your certificate for {course} is ready"), course=certificate.course_title),
        body=format_lazy(
            _("Congratulations! Anyone can check it with the code {code}."), code=certificate.verification_code
        ),
        payload={"certificate_id": certificate.pk, "course_id": enrollment.course_id},
        link=rendering.verify_url(certificate.verification_code),
    )
    activity_record(
        actor=enrollment.student_id,
        verb=Verb.CERTIFICATE_ISSUED,
        target=certificate,
        course=enrollment.course_id,
        metadata={"verification_code": certificate.verification_code},
    )
    publish("certificate.issued", certificate)
    return certificate


def certificate_issue_later(enrollment_id: int) -> None:
    """The completion handler: queue the issue job once the completion has committed. If the broker
    is down then, the periodic `certificates_issue_missing` issues it later."""
    enqueue_on_commit(certificate_issue_task, enrollment_id)


def certificates_issue_missing(*, completed_before: datetime, limit: int = 100) -> int:
    """The safety net behind the issue job: issues the certificate of every active enrollment
    completed before `completed_before` that has none (its job was never queued because the broker
    was down, or was lost with a worker). Oldest first, at most `limit` per call; one enrollment's
    failure is logged and does not stop the others. Returns how many were issued.

    A sweep over many enrollments, not one student's: hence its own query rather than
    courses.selectors.enrollment_get_active (certificate_issue re-checks each under its lock)."""
    pending = list(
        Enrollment.objects.filter(
            status=EnrollmentStatus.ACTIVE,
            completed_at__isnull=False,
            completed_at__lt=completed_before,
            certificate__isnull=True,
        )
        .order_by("completed_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    issued = 0
    for enrollment_id in pending:
        try:
            if certificate_issue(enrollment_id=enrollment_id) is not None:
                issued += 1
        except Exception:  # a bad row must not block the rest; the next sweep tries it again
            logger.exception("Could not issue the missing certificate of enrollment %s", enrollment_id)
    if pending:
        logger.info("Issued %s of %s missing certificates", issued, len(pending))
    return issued


@transaction.atomic
def certificate_request(*, student: User, course: Course) -> Certificate | None:
    """A student asks for a certificate that did not arrive. Returns the existing one, or None
    when an issue job was queued. Not eligible: 400 saying what is missing; no active enrollment:
    404. `student` is the actor (only a student asks for their own certificate); the course is one
    they may see (courses.access.course_for). Takes no lock: issuing is certificate_issue's job,
    which takes the enrollment's."""
    enrollment = enrollment_get_active(student=student, course=course)
    if enrollment is None:
        raise NotFound(_("You are not enrolled in this course."))
    existing = Certificate.objects.filter(enrollment=enrollment).first()
    if existing is not None:
        return existing
    if enrollment.completed_at is None and enrollment_evaluate_completion(enrollment=enrollment):
        return None  # complete after all (e.g. a lesson was removed): completing queues the certificate
    if enrollment.completed_at is None:
        progress = progress_for([enrollment])[enrollment.pk]
        # Whole sentences: this one, then one per requirement not met yet.
        sentences = [str(_("The course is not completed yet."))]
        sentences.extend(
            _still_to_do(name, left=part.total - part.done, total=part.total)
            for name, part in progress.parts.items()
            if part.done < part.total
        )
        if len(sentences) == 1:
            sentences = [str(_("The course is not completed yet: it has nothing to complete yet."))]
        raise InvalidInput(
            " ".join(sentences),
            code="not_completed",
            extra={"progress_percent": progress.percent},
        )
    certificate_issue_later(enrollment.pk)
    return None


def _still_to_do(requirement: str, *, left: int, total: int) -> str:
    """One sentence: what is left of one requirement (courses.progress: lessons, quizzes, assignments)."""
    if requirement == "lessons":
        text = ngettext("Still to do: {left} of {total} lesson.", "Still to do: {left} of {total} lessons.", total)
    elif requirement == "quizzes":
        text = ngettext("Still to do: {left} of {total} quiz.", "Still to do: {left} of {total} quizzes.", total)
    elif requirement == "assignments":
        text = ngettext(
            "Still to do: {left} of {total} assignment.", "Still to do: {left} of {total} assignments.", total
        )
    else:  # a requirement registered by an app this message does not know yet
        text = ngettext(
            "Still to do: {left} of {total} other requirement.",
            "Still to do: {left} of {total} other requirements.",
            total,
        )
    return text.format(left=left, total=total)


def _mark_revoked(certificate: Certificate, reason: str) -> None:
    certificate.status = CertificateStatus.REVOKED
    certificate.revoked_at = timezone.now()
    certificate.revoked_reason = reason[:500]
    certificate.save(update_fields=["status", "revoked_at", "revoked_reason"])
    publish("certificate.revoked", certificate)


@transaction.atomic
def certificate_revoke(*, actor: User | None, certificate: Certificate, reason: str) -> Certificate:
    """Revokes with a reason, shown on the public verify endpoint; the PDF is no longer served.
    `actor` manages the certificate's course (an admin, or its instructor while they hold the
    role; 403 `not_course_staff` otherwise), or is None for the platform. Takes the certificate's
    row lock; a second revoke is a 409."""
    certificate_manager_require(actor, certificate)
    reason = reason.strip()
    if not reason:
        raise InvalidInput(_("Give a reason for revoking."), extra={"field": "reason"})
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if certificate.status == CertificateStatus.REVOKED:
        raise Conflict(_("This certificate is already revoked."), code="already_revoked")
    _mark_revoked(certificate, reason)
    return certificate


# The reason a refund gives (README, "Payments (Stripe)").
REFUNDED = "refunded"


@transaction.atomic
def certificates_revoke_for_refund(*, student_id: int, course_id: int) -> list[Certificate]:
    """A refund took the course back: the student's valid certificates of it are revoked with the
    reason "refunded" (verify then says so; the PDF is no longer served). One already revoked keeps
    its first reason. Returns the certificates this call revoked.

    The platform acts here, as a consequence of the refund (whoever refunded: the buyer, an admin
    or Stripe; payments decided who may), so there is no actor. The caller (payments) holds the
    enrollment's row lock, which certificate_issue takes as well: a certificate issued just before
    is found here, and none can be issued after for the enrollment the refund revokes. Takes the
    certificates' row locks."""
    revoked = list(
        Certificate.objects.select_for_update()
        .filter(student_id=student_id, course_id=course_id, status=CertificateStatus.ISSUED)
        .order_by("pk")
    )
    for certificate in revoked:
        _mark_revoked(certificate, REFUNDED)
    return revoked


NAME_WITHHELD = _(
    "The holder's name on this certificate is withheld (their account was erased), so it cannot be re-issued."
)


@transaction.atomic
def certificate_reissue(*, actor: User | None, certificate: Certificate) -> Certificate:
    """Prints the certificate anew with today's names (after a rename, a fix), under the same
    code, as a new version with a new PDF and hash, in the language it was printed in (one issued
    before certificates had a language, or in one no longer shipped, gets certificate_language).
    The previous version is kept in the history; the old PDF file is deleted after commit. `actor`
    manages the certificate's course (an admin, or its instructor while they hold the role; 403
    `not_course_staff` otherwise), or is None for the platform (the reissue_certificates command).
    Takes the certificate's row lock. A certificate whose holder's name is withheld (their account
    was erased) is never printed again: 409 `name_withheld`."""
    certificate_manager_require(actor, certificate)
    certificate = (
        Certificate.objects.select_for_update(of=("self",))
        .select_related("enrollment__student", "enrollment__course__instructor")
        .get(pk=certificate.pk)
    )
    if certificate.name_withheld:
        raise Conflict(NAME_WITHHELD, code="name_withheld")
    revision = CertificateRevision(
        certificate=certificate,
        version=certificate.version,
        issued_at=certificate.issued_at,
        student_name=certificate.student_name,
        course_title=certificate.course_title,
        instructor_name=certificate.instructor_name,
        pdf_sha256=certificate.pdf_sha256,
    )
    if certificate.pdf:
        with certificate.pdf.open("rb") as old:
            revision.pdf.save(f"{certificate.verification_code}.pdf", ContentFile(old.read()), save=False)
    revision.save()
    certificate.language = supported(certificate.language) or certificate_language(certificate.enrollment)
    for field, value in certificate_printed_names(certificate.enrollment, language=certificate.language).items():
        setattr(certificate, field, value)
    certificate.version += 1
    certificate.issued_at = timezone.now()
    old_name = certificate.pdf.name
    _render_into(certificate)
    certificate.save()
    if old_name and old_name != certificate.pdf.name:
        transaction.on_commit(lambda: certificate.pdf.storage.delete(old_name))
    return certificate


@transaction.atomic
def certificates_erase_for_user(*, user: User) -> int:
    """Erasure of a person (privacy's erasure job: the platform acts, there is no actor and no other
    caller). Returns how many certificates it changed.

    As the holder: their certificates stay verifiable by their code (valid or revoked, with the
    course, instructor and dates), with their name withheld: the printed name is blanked on each
    certificate and its earlier versions, every PDF (which shows the name) is deleted with its
    hash, and `name_withheld_at` is set, so the verify endpoint says the name is withheld and
    certificate_reissue refuses to print it again. Runs after the courses eraser has revoked their
    enrollments, so no certificate can be issued to them afterwards (certificate_issue needs an
    active enrollment).

    As an instructor: on the certificates of the courses they teach (and their earlier versions),
    the instructor's name printed as theirs is replaced by the generic one a re-issue would now
    print ("<platform> instructor", in the certificate's language). The students' PDFs are their
    documents as issued and are not reprinted, so the hash a student's copy carries still verifies.

    Takes the certificates' row locks (in pk order). Idempotent and resumable: files are deleted
    before the rows stop naming them, so a run that dies half way (the rows rolled back, some files
    gone) is finished by the next run, which deletes what is left (a missing file is not an error)
    and blanks the rows; with nothing left to change, nothing is touched."""
    return _holder_name_withhold(user) + _instructor_name_withhold(user)


def _holder_name_withhold(user: User) -> int:
    certificates = list(Certificate.objects.select_for_update().filter(student=user).order_by("pk"))
    revisions = list(CertificateRevision.objects.filter(certificate__in=certificates).order_by("pk"))
    pending = [c for c in certificates if not c.name_withheld or c.student_name or c.pdf or c.pdf_sha256]
    pending_revisions = [r for r in revisions if r.student_name or r.pdf or r.pdf_sha256]
    for item in [*pending, *pending_revisions]:
        if item.pdf:
            item.pdf.storage.delete(item.pdf.name)
    now = timezone.now()
    for certificate in pending:
        certificate.student_name, certificate.pdf, certificate.pdf_sha256 = "", "", ""
        certificate.name_withheld_at = certificate.name_withheld_at or now
        certificate.save(update_fields=["student_name", "pdf", "pdf_sha256", "name_withheld_at"])
    for revision in pending_revisions:
        revision.student_name, revision.pdf, revision.pdf_sha256 = "", "", ""
        revision.save(update_fields=["student_name", "pdf", "pdf_sha256"])
    return len(pending)


def _generic_instructor_name(language: str) -> str:
    """What certificate_printed_names prints for an instructor without a name, in `language`."""
    with translation.override(supported(language) or settings.LANGUAGE_CODE):
        return str(_("{platform} instructor").format(platform=settings.PLATFORM_NAME))


def _instructor_name_withhold(user: User) -> int:
    printed = f"{user.first_name} {user.last_name}".strip()
    if not printed or getattr(user, "erased_at", None) is not None:
        return 0
    taught = Q(course__instructor=user, instructor_name=printed)
    certificates = list(Certificate.objects.select_for_update(of=("self",)).filter(taught).order_by("pk"))
    for certificate in certificates:
        certificate.instructor_name = _generic_instructor_name(certificate.language)
        certificate.save(update_fields=["instructor_name"])
    revisions = CertificateRevision.objects.filter(
        certificate__course__instructor=user, instructor_name=printed
    ).select_related("certificate")
    for revision in revisions.order_by("pk"):
        revision.instructor_name = _generic_instructor_name(revision.certificate.language)
        revision.save(update_fields=["instructor_name"])
    return len(certificates)
