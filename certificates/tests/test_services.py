"""certificate_issue, certificate_revoke and certificate_reissue, called as the task, the admin and
the command call them."""

import hashlib

import pytest
from django.utils import timezone

from accounts.models import Role, User
from activity.models import ActivityEvent
from certificates import services
from certificates.models import Certificate, CertificateStatus
from certificates.tasks import certificate_issue_task
from certificates.tests.factories import CertificateFactory, CompletedEnrollmentFactory
from certificates.tests.helpers import pdf_text
from courses.services import enrollment_revoke
from courses.tests.factories import EnrollmentFactory
from lms.errors import Conflict, InvalidInput, NotFound, NotPermitted
from notifications.models import Notification

pytestmark = pytest.mark.django_db


def read(field) -> bytes:
    with field.open("rb") as f:
        return f.read()


def test_issue_twice_keeps_one_certificate_one_notification_one_activity(django_capture_on_commit_callbacks):
    enrollment = CompletedEnrollmentFactory()
    with django_capture_on_commit_callbacks(execute=True):
        first = services.certificate_issue(enrollment_id=enrollment.pk)
    with django_capture_on_commit_callbacks(execute=True):
        second = services.certificate_issue(enrollment_id=enrollment.pk)
        # and as duplicate jobs (eager in tests)
        assert certificate_issue_task.delay(enrollment.pk).get() == first.pk
        assert certificate_issue_task.delay(enrollment.pk).get() == first.pk

    assert first is not None and second.pk == first.pk
    assert Certificate.objects.filter(enrollment=enrollment).count() == 1
    certificate = Certificate.objects.get()
    assert certificate.status == CertificateStatus.ISSUED and certificate.version == 1
    assert certificate.student_id == enrollment.student_id and certificate.course_id == enrollment.course_id
    assert certificate.completed_at == enrollment.completed_at
    assert hashlib.sha256(read(certificate.pdf)).hexdigest() == certificate.pdf_sha256

    [notification] = Notification.objects.filter(type="certificate_issued")
    assert notification.recipient_id == enrollment.student_id
    assert notification.payload == {"certificate_id": certificate.pk, "course_id": enrollment.course_id}
    assert certificate.verification_code in notification.body

    [event] = ActivityEvent.objects.filter(verb="certificate_issued")
    assert event.actor_id == enrollment.student_id
    assert event.course_id == enrollment.course_id
    assert event.target_id == str(certificate.pk)
    assert event.metadata == {"verification_code": certificate.verification_code}


def test_verification_codes_are_long_random_and_unique():
    codes = {CertificateFactory().verification_code for _ in range(5)}
    assert len(codes) == 5
    for code in codes:
        assert len(code) >= 16 and code.isalnum() and code == code.upper()


def test_not_issued_for_an_incomplete_enrollment():
    enrollment = EnrollmentFactory()
    assert services.certificate_issue(enrollment_id=enrollment.pk) is None
    assert certificate_issue_task.delay(enrollment.pk).get() is None
    assert not Certificate.objects.exists()
    assert not Notification.objects.filter(type="certificate_issued").exists()


def test_not_issued_for_a_revoked_enrollment():
    enrollment = CompletedEnrollmentFactory()
    enrollment_revoke(actor=None, enrollment=enrollment)
    assert services.certificate_issue(enrollment_id=enrollment.pk) is None
    assert not Certificate.objects.exists()


def test_not_issued_for_an_unknown_enrollment():
    assert services.certificate_issue(enrollment_id=999_999) is None


def test_a_revoked_certificate_is_not_replaced_by_a_later_issue_job():
    certificate = CertificateFactory(status=CertificateStatus.REVOKED, revoked_reason="Plagiarism")
    again = services.certificate_issue(enrollment_id=certificate.enrollment_id)
    assert again.pk == certificate.pk
    assert Certificate.objects.count() == 1
    assert Certificate.objects.get().status == CertificateStatus.REVOKED


def test_printed_names_stay_after_renames_and_reissue_prints_the_new_ones(django_capture_on_commit_callbacks):
    enrollment = CompletedEnrollmentFactory(
        student__first_name="Ada", student__last_name="Byron", course__title="Analytical Engines"
    )
    student, course = enrollment.student, enrollment.course
    instructor = course.instructor
    old_instructor_name = instructor.full_name
    with django_capture_on_commit_callbacks(execute=True):
        certificate = services.certificate_issue(enrollment_id=enrollment.pk)
    old_sha, old_code, old_issued_at = certificate.pdf_sha256, certificate.verification_code, certificate.issued_at
    old_pdf_name = certificate.pdf.name
    old_pdf = read(certificate.pdf)

    student.first_name, student.last_name = "Ada", "Lovelace"
    student.save()
    instructor.first_name = "Charles"
    instructor.save()
    course.title = "Analytical Engines, Second Edition"
    course.save()

    certificate.refresh_from_db()
    assert certificate.student_name == "Ada Byron"
    assert certificate.course_title == "Analytical Engines"
    assert certificate.instructor_name == old_instructor_name
    assert certificate.pdf_sha256 == old_sha

    with django_capture_on_commit_callbacks(execute=True):
        reissued = services.certificate_reissue(actor=instructor, certificate=certificate)

    reissued.refresh_from_db()
    assert reissued.pk == certificate.pk
    assert reissued.verification_code == old_code
    assert reissued.version == 2
    assert reissued.issued_at > old_issued_at
    assert reissued.status == CertificateStatus.ISSUED
    assert (reissued.student_name, reissued.course_title, reissued.instructor_name) == (
        "Ada Lovelace",
        "Analytical Engines, Second Edition",
        instructor.full_name,
    )
    new_pdf = read(reissued.pdf)
    assert reissued.pdf_sha256 != old_sha
    assert hashlib.sha256(new_pdf).hexdigest() == reissued.pdf_sha256
    new_text = pdf_text(new_pdf)
    assert "Ada Lovelace" in new_text and "Second Edition" in new_text and old_code in new_text

    [revision] = reissued.revisions.all()
    assert revision.version == 1
    assert revision.issued_at == old_issued_at
    assert (revision.student_name, revision.course_title, revision.instructor_name) == (
        "Ada Byron",
        "Analytical Engines",
        old_instructor_name,
    )
    assert revision.pdf_sha256 == old_sha
    assert read(revision.pdf) == old_pdf  # the superseded PDF is kept, byte for byte
    assert revision.pdf.name != reissued.pdf.name
    assert reissued.pdf.name != old_pdf_name


def test_revoke_needs_a_reason_and_happens_once(admin_user):
    certificate = CertificateFactory()
    with pytest.raises(InvalidInput):
        services.certificate_revoke(actor=admin_user, certificate=certificate, reason="   ")
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.ISSUED and certificate.revoked_at is None

    before = timezone.now()
    revoked = services.certificate_revoke(actor=admin_user, certificate=certificate, reason="  Plagiarised project  ")
    revoked.refresh_from_db()
    assert revoked.status == CertificateStatus.REVOKED
    assert revoked.revoked_reason == "Plagiarised project"
    assert revoked.revoked_at >= before
    assert not revoked.is_valid

    with pytest.raises(Conflict):
        services.certificate_revoke(actor=admin_user, certificate=revoked, reason="again")


def test_the_issue_job_retries_a_transient_failure(monkeypatch):
    from certificates import rendering

    real_render = rendering.render_pdf
    calls = []

    def flaky_render(**kwargs):
        calls.append(kwargs["code"])
        if len(calls) == 1:
            raise OSError("storage briefly unavailable")
        return real_render(**kwargs)

    monkeypatch.setattr(rendering, "render_pdf", flaky_render)
    enrollment = CompletedEnrollmentFactory()
    result = certificate_issue_task.apply(args=[enrollment.pk], throw=False)

    certificate = Certificate.objects.get(enrollment=enrollment)
    assert result.get() == certificate.pk
    assert len(calls) == 2
    assert Notification.objects.filter(type="certificate_issued").count() == 1


# --- who may revoke or re-issue: the course's staff, or the platform (actor None) -----------------
@pytest.fixture
def demoted(instructor):
    User.objects.filter(pk=instructor.pk).update(role=Role.STUDENT)
    instructor.refresh_from_db()
    return instructor


@pytest.fixture
def owned_certificate(student, instructor):
    return CertificateFactory(enrollment=CompletedEnrollmentFactory(student=student, course__instructor=instructor))


def _revoke(actor, certificate):
    return services.certificate_revoke(actor=actor, certificate=certificate, reason="Misconduct")


def _reissue(actor, certificate):
    return services.certificate_reissue(actor=actor, certificate=certificate)


@pytest.mark.parametrize("call", [_revoke, _reissue])
@pytest.mark.parametrize("wrong", ["student", "other_student", "other_instructor", "demoted"])
def test_revoke_and_reissue_refuse_who_does_not_manage_the_course(request, owned_certificate, call, wrong):
    with pytest.raises(NotPermitted) as refused:
        call(request.getfixturevalue(wrong), owned_certificate)
    assert refused.value.code == "not_course_staff"
    owned_certificate.refresh_from_db()
    assert (owned_certificate.status, owned_certificate.version) == (CertificateStatus.ISSUED, 1)


@pytest.mark.parametrize("right", ["instructor", "admin_user", None])
def test_the_course_staff_and_the_platform_revoke(request, owned_certificate, right):
    actor = None if right is None else request.getfixturevalue(right)
    assert _revoke(actor, owned_certificate).status == CertificateStatus.REVOKED


@pytest.mark.parametrize("right", ["instructor", "admin_user", None])
def test_the_course_staff_and_the_platform_reissue(request, owned_certificate, right):
    actor = None if right is None else request.getfixturevalue(right)
    assert _reissue(actor, owned_certificate).version == 2


def test_a_request_without_an_active_enrollment_is_404(student):
    enrollment = CompletedEnrollmentFactory(student=student)
    enrollment_revoke(actor=None, enrollment=enrollment)
    with pytest.raises(NotFound):
        services.certificate_request(student=student, course=enrollment.course)
