"""Enrolling in a course taught in cohorts: the cohort required, the window at its boundaries, a full
cohort, the waitlist's order and hand-off, offers and their expiry; self-paced courses untouched."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from accounts.tests.factories import AdminFactory, StudentFactory
from conftest import client_for
from courses import services as courses
from courses.models import Enrollment, EnrollmentSource, EnrollmentStatus
from courses.tests.factories import PublishedCourseFactory
from lms.errors import NotPermitted
from notifications.models import Notification
from schedules import services
from schedules.models import CohortMember, MemberStatus
from schedules.tasks import cohort_offers_expire_task

from .factories import CohortFactory

pytestmark = pytest.mark.django_db


def enroll(client, course, **body):
    return client.post(f"/api/v1/courses/{course.pk}/enroll/", body, format="json")


def status_of(cohort, student) -> str:
    return CohortMember.objects.filter(cohort=cohort, student=student).order_by("-id").first().status


@pytest.fixture
def cohort():
    return CohortFactory(capacity=1)


# --- self-paced -----------------------------------------------------------------------------------
def test_a_self_paced_course_enrolls_as_before(student_client):
    course = PublishedCourseFactory()
    assert enroll(student_client, course).status_code == 201
    assert not CohortMember.objects.exists()


def test_a_self_paced_course_has_no_cohort_to_name(student_client, student):
    course = PublishedCourseFactory()
    response = enroll(student_client, course, cohort=5)
    assert response.status_code == 400 and "cohort" in response.json()
    assert not Enrollment.objects.filter(student=student).exists()


# --- which cohort ---------------------------------------------------------------------------------
def test_a_course_with_cohorts_needs_one(student_client, cohort, student):
    response = enroll(student_client, cohort.course)
    assert response.status_code == 400
    assert response.json()["cohort"] == ["Choose a cohort: this course is taught in cohorts."]
    assert not Enrollment.objects.filter(student=student).exists()


@pytest.mark.parametrize("value", [0, -1, "x", 2**63])
def test_a_bad_cohort_value_is_a_400(student_client, cohort, value):
    response = enroll(student_client, cohort.course, cohort=value)
    assert response.status_code == 400 and "cohort" in response.json()


def test_a_cohort_of_another_course_is_a_400(student_client, cohort):
    other = CohortFactory()
    response = enroll(student_client, cohort.course, cohort=other.pk)
    assert response.status_code == 400
    assert response.json()["cohort"] == [f"This course has no cohort {other.pk}."]
    assert not CohortMember.objects.exists()


def test_enrolling_takes_a_seat(student_client, student, cohort):
    response = enroll(student_client, cohort.course, cohort=cohort.pk)
    assert response.status_code == 201
    assert status_of(cohort, student) == MemberStatus.ENROLLED
    assert student_client.get(f"/api/v1/cohorts/{cohort.pk}/").json()["seats_taken"] == 1


@pytest.mark.parametrize("role", ["instructor", "other_instructor", "admin"])
def test_only_students_enroll(clients, cohort, role):
    assert enroll(clients[role], cohort.course, cohort=cohort.pk).status_code == 403
    assert not CohortMember.objects.exists()


def test_anonymous_cannot_enroll(anon_client, cohort):
    assert enroll(anon_client, cohort.course, cohort=cohort.pk).status_code == 401


# --- the window -----------------------------------------------------------------------------------
def test_the_window_opens_at_its_opening_time(student):
    opens = timezone.now() + timedelta(days=1)
    cohort = CohortFactory(enrollment_opens_at=opens, starts_at=opens + timedelta(days=5))
    with time_machine.travel(opens - timedelta(microseconds=1), tick=False):
        response = enroll(client_for(student), cohort.course, cohort=cohort.pk)
        assert response.status_code == 409
        assert response.json()["code"] == "enrollment_closed" and response.json()["cohort"] == cohort.pk
    with time_machine.travel(opens, tick=False):
        assert enroll(client_for(student), cohort.course, cohort=cohort.pk).status_code == 201


def test_the_window_closes_at_its_closing_time(student, other_student):
    cohort = CohortFactory()
    closes = cohort.enrollment_closes_at
    with time_machine.travel(closes - timedelta(microseconds=1), tick=False):
        assert enroll(client_for(student), cohort.course, cohort=cohort.pk).status_code == 201
    with time_machine.travel(closes, tick=False):
        response = enroll(client_for(other_student), cohort.course, cohort=cohort.pk)
        assert response.status_code == 409 and response.json()["code"] == "enrollment_closed"
        # The waitlist closes with the window.
        waitlisted = enroll(client_for(other_student), cohort.course, cohort=cohort.pk, waitlist=True)
        assert waitlisted.status_code == 409 and waitlisted.json()["code"] == "enrollment_closed"
    assert not CohortMember.objects.filter(student=other_student).exists()


def test_without_a_closing_time_the_window_closes_when_the_cohort_ends(student, other_student):
    cohort = CohortFactory(enrollment_closes_at=None)
    with time_machine.travel(cohort.ends_at - timedelta(microseconds=1), tick=False):
        assert enroll(client_for(student), cohort.course, cohort=cohort.pk).status_code == 201
    with time_machine.travel(cohort.ends_at, tick=False):
        assert enroll(client_for(other_student), cohort.course, cohort=cohort.pk).status_code == 409


def test_an_admin_grant_ignores_the_window_but_not_the_capacity(cohort, student, other_student):
    with time_machine.travel(cohort.ends_at - timedelta(hours=1), tick=False):
        courses.enrollment_create(
            student=student, course=cohort.course, source=EnrollmentSource.ADMIN, cohort=cohort.pk
        )
        assert status_of(cohort, student) == MemberStatus.ENROLLED
        from lms.errors import Conflict

        with pytest.raises(Conflict) as refused:
            courses.enrollment_create(
                student=other_student, course=cohort.course, source=EnrollmentSource.ADMIN, cohort=cohort.pk
            )
        assert refused.value.code == "cohort_full"


# --- full cohorts and the waitlist ----------------------------------------------------------------
def test_a_full_cohort_is_a_409_or_a_place_on_its_waitlist(cohort, student, other_student):
    assert enroll(client_for(student), cohort.course, cohort=cohort.pk).status_code == 201
    full = enroll(client_for(other_student), cohort.course, cohort=cohort.pk)
    assert full.status_code == 409
    assert full.json()["code"] == "cohort_full" and full.json()["cohort"] == cohort.pk
    assert not CohortMember.objects.filter(student=other_student).exists()

    third = StudentFactory()
    first = enroll(client_for(other_student), cohort.course, cohort=cohort.pk, waitlist=True)
    second = enroll(client_for(third), cohort.course, cohort=cohort.pk, waitlist=True)
    assert (first.status_code, first.json()) == (202, {"waitlisted": True, "cohort": cohort.pk, "position": 1})
    assert (second.status_code, second.json()["position"]) == (202, 2)
    again = enroll(client_for(third), cohort.course, cohort=cohort.pk, waitlist=True)  # idempotent
    assert again.json()["position"] == 2
    assert not Enrollment.objects.filter(student__in=[other_student, third]).exists()
    figures = client_for(student).get(f"/api/v1/cohorts/{cohort.pk}/").json()
    assert (figures["seats_taken"], figures["waitlist_count"]) == (1, 2)


def test_waitlisting_where_a_seat_is_free_just_enrolls(student_client, student, cohort):
    assert enroll(student_client, cohort.course, cohort=cohort.pk, waitlist=True).status_code == 201
    assert status_of(cohort, student) == MemberStatus.ENROLLED


def test_a_freed_seat_is_offered_to_the_first_waiting_and_claimed(cohort, student, other_student, settings):
    settings.COHORT_CLAIM_HOURS = 10
    third = StudentFactory()
    enroll(client_for(student), cohort.course, cohort=cohort.pk)
    enroll(client_for(other_student), cohort.course, cohort=cohort.pk, waitlist=True)
    enroll(client_for(third), cohort.course, cohort=cohort.pk, waitlist=True)
    now = timezone.now()

    with time_machine.travel(now, tick=False):
        courses.enrollment_revoke(actor=None, enrollment=Enrollment.objects.get(student=student))

    offer = CohortMember.objects.get(cohort=cohort, student=other_student)
    assert offer.status == MemberStatus.OFFERED and offer.offer_expires_at == now + timedelta(hours=10)
    assert status_of(cohort, student) == MemberStatus.LEFT
    assert status_of(cohort, third) == MemberStatus.WAITLISTED
    note = Notification.objects.get(type="cohort_seat_offered")
    assert note.recipient == other_student
    assert note.payload == {
        "course_id": cohort.course_id,
        "cohort_id": cohort.pk,
        "offer_expires_at": offer.offer_expires_at.isoformat(),
    }
    # The seat is held for the offer: the third student cannot take it.
    assert enroll(client_for(third), cohort.course, cohort=cohort.pk).json()["code"] == "cohort_full"
    with time_machine.travel(offer.offer_expires_at - timedelta(microseconds=1), tick=False):
        assert enroll(client_for(other_student), cohort.course, cohort=cohort.pk).status_code == 201
    assert status_of(cohort, other_student) == MemberStatus.ENROLLED


def test_an_offer_claimed_after_the_window_closed(student, other_student, settings):
    settings.COHORT_CLAIM_HOURS = 48
    cohort = CohortFactory(capacity=1)
    enroll(client_for(student), cohort.course, cohort=cohort.pk)
    enroll(client_for(other_student), cohort.course, cohort=cohort.pk, waitlist=True)
    with time_machine.travel(cohort.enrollment_closes_at - timedelta(hours=1), tick=False):
        courses.enrollment_revoke(actor=None, enrollment=Enrollment.objects.get(student=student))
    with time_machine.travel(cohort.enrollment_closes_at + timedelta(hours=1), tick=False):
        assert enroll(client_for(other_student), cohort.course, cohort=cohort.pk).status_code == 201


def test_an_expired_offer_passes_to_the_next_in_line(cohort, student, other_student, settings):
    settings.COHORT_CLAIM_HOURS = 2
    third = StudentFactory()
    enroll(client_for(student), cohort.course, cohort=cohort.pk)
    enroll(client_for(other_student), cohort.course, cohort=cohort.pk, waitlist=True)
    enroll(client_for(third), cohort.course, cohort=cohort.pk, waitlist=True)
    courses.enrollment_revoke(actor=None, enrollment=Enrollment.objects.get(student=student))
    expires = CohortMember.objects.get(cohort=cohort, student=other_student).offer_expires_at

    with time_machine.travel(expires - timedelta(microseconds=1), tick=False):
        assert cohort_offers_expire_task.delay().get() == 0
    assert status_of(cohort, other_student) == MemberStatus.OFFERED
    with time_machine.travel(expires, tick=False):
        assert cohort_offers_expire_task.delay().get() == 1
        assert cohort_offers_expire_task.delay().get() == 0  # idempotent

    assert status_of(cohort, other_student) == MemberStatus.LEFT
    assert status_of(cohort, third) == MemberStatus.OFFERED
    assert Notification.objects.filter(type="cohort_seat_offered", recipient=third).count() == 1
    with time_machine.travel(expires + timedelta(minutes=1), tick=False):
        late = enroll(client_for(other_student), cohort.course, cohort=cohort.pk)
        assert late.status_code == 409 and late.json()["code"] == "cohort_full"
        assert enroll(client_for(third), cohort.course, cohort=cohort.pk).status_code == 201


def test_an_offer_lapsed_before_the_job_ran_is_not_claimed(cohort, student, other_student, settings):
    settings.COHORT_CLAIM_HOURS = 1
    third = StudentFactory()
    enroll(client_for(student), cohort.course, cohort=cohort.pk)
    enroll(client_for(other_student), cohort.course, cohort=cohort.pk, waitlist=True)
    enroll(client_for(third), cohort.course, cohort=cohort.pk, waitlist=True)
    courses.enrollment_revoke(actor=None, enrollment=Enrollment.objects.get(student=student))
    with time_machine.travel(timezone.now() + timedelta(hours=2), tick=False):
        assert enroll(client_for(other_student), cohort.course, cohort=cohort.pk).json()["code"] == "cohort_full"
        # The refusal rolled everything back; the job passes the offer on.
        assert status_of(cohort, other_student) == MemberStatus.OFFERED
        assert services.cohort_offers_expire() == 1
    assert status_of(cohort, other_student) == MemberStatus.LEFT
    assert status_of(cohort, third) == MemberStatus.OFFERED


def test_the_expiry_job_handles_many_cohorts_in_fixed_queries_per_cohort(settings, django_assert_max_num_queries):
    settings.COHORT_CLAIM_HOURS = 1
    for _ in range(3):
        cohort = CohortFactory(capacity=1)
        holder, waiting = StudentFactory(), StudentFactory()
        enroll(client_for(holder), cohort.course, cohort=cohort.pk)
        enroll(client_for(waiting), cohort.course, cohort=cohort.pk, waitlist=True)
        courses.enrollment_revoke(actor=None, enrollment=Enrollment.objects.get(student=holder))
    assert CohortMember.objects.filter(status=MemberStatus.OFFERED).count() == 3
    with time_machine.travel(timezone.now() + timedelta(hours=2), tick=False):
        assert services.cohort_offers_expire() == 3
    assert CohortMember.objects.filter(status=MemberStatus.OFFERED).count() == 0


def test_a_reenrollment_takes_a_seat_again(cohort, student, other_student):
    enroll(client_for(student), cohort.course, cohort=cohort.pk)
    courses.enrollment_revoke(actor=None, enrollment=Enrollment.objects.get(student=student))
    assert enroll(client_for(student), cohort.course, cohort=cohort.pk).status_code == 201
    assert Enrollment.objects.get(student=student).status == EnrollmentStatus.ACTIVE
    assert enroll(client_for(other_student), cohort.course, cohort=cohort.pk).json()["code"] == "cohort_full"


def test_enrolling_gives_up_places_in_the_courses_other_cohorts(student, other_student):
    full = CohortFactory(capacity=1)
    other = CohortFactory(course=full.course, capacity=1)
    enroll(client_for(other_student), full.course, cohort=full.pk)
    assert enroll(client_for(student), full.course, cohort=full.pk, waitlist=True).status_code == 202
    assert enroll(client_for(student), full.course, cohort=other.pk).status_code == 201
    assert status_of(full, student) == MemberStatus.LEFT
    assert status_of(other, student) == MemberStatus.ENROLLED


def test_an_admin_removes_a_waiting_student_and_an_enrolled_one(cohort, student, other_student):
    admin = AdminFactory()
    third = StudentFactory()
    enroll(client_for(student), cohort.course, cohort=cohort.pk)
    enroll(client_for(other_student), cohort.course, cohort=cohort.pk, waitlist=True)
    enroll(client_for(third), cohort.course, cohort=cohort.pk, waitlist=True)

    services.cohort_member_remove(actor=admin, member=CohortMember.objects.get(student=other_student))
    assert status_of(cohort, other_student) == MemberStatus.LEFT
    assert status_of(cohort, third) == MemberStatus.WAITLISTED  # no seat freed

    services.cohort_member_remove(actor=admin, member=CohortMember.objects.get(student=student))
    assert Enrollment.objects.get(student=student).status == EnrollmentStatus.REVOKED
    assert status_of(cohort, third) == MemberStatus.OFFERED


def test_only_an_admin_removes_a_member(cohort, student):
    enroll(client_for(student), cohort.course, cohort=cohort.pk)
    with pytest.raises(NotPermitted):
        services.cohort_member_remove(actor=cohort.course.instructor, member=CohortMember.objects.get())
    assert status_of(cohort, student) == MemberStatus.ENROLLED
