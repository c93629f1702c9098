"""The seat race on PostgreSQL: threads released together, each with its own client and database
connection, so the cohort's row lock (not Python) decides who gets the seats."""

import pytest

from accounts.tests.factories import StudentFactory
from conftest import client_for
from courses.models import Enrollment, EnrollmentStatus
from lms.testing import run_together
from schedules.models import CohortMember, MemberStatus

from .factories import CohortFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 6


def race(requests) -> list:
    return [getattr(r, "status_code", r) for r in run_together(requests, timeout=30)]


@pytest.mark.parametrize("capacity", [1, 2])
def test_students_racing_for_the_last_seats_never_overbook(postgres, capacity):
    cohort = CohortFactory(capacity=capacity)
    clients = [client_for(s) for s in StudentFactory.create_batch(THREADS)]
    url = f"/api/v1/courses/{cohort.course_id}/enroll/"

    statuses = race([lambda c=c: c.post(url, {"cohort": cohort.pk}, format="json") for c in clients])

    assert sorted(statuses) == [201] * capacity + [409] * (THREADS - capacity), statuses
    assert CohortMember.objects.filter(cohort=cohort, status=MemberStatus.ENROLLED).count() == capacity
    assert Enrollment.objects.filter(course=cohort.course, status=EnrollmentStatus.ACTIVE).count() == capacity


def test_racing_for_the_waitlist_gives_each_a_distinct_place(postgres):
    cohort = CohortFactory(capacity=1)
    students = StudentFactory.create_batch(THREADS)
    clients = [client_for(s) for s in students]
    url = f"/api/v1/courses/{cohort.course_id}/enroll/"
    body = {"cohort": cohort.pk, "waitlist": True}

    responses = run_together([lambda c=c: c.post(url, body, format="json") for c in clients], timeout=30)

    assert sorted(r.status_code for r in responses) == [201] + [202] * (THREADS - 1)
    positions = sorted(r.json()["position"] for r in responses if r.status_code == 202)
    assert positions == list(range(1, THREADS))
    order = list(
        CohortMember.objects.filter(cohort=cohort, status=MemberStatus.WAITLISTED)
        .order_by("waitlisted_at", "id")
        .values_list("student_id", flat=True)
    )
    by_position = {
        r.json()["position"]: c.user.pk for r, c in zip(responses, clients, strict=True) if r.status_code == 202
    }
    assert order == [by_position[p] for p in positions]


def test_a_revoke_racing_enrollments_gives_the_seat_to_one_only(postgres):
    from courses import services

    cohort = CohortFactory(capacity=1)
    holder = StudentFactory()
    client_for(holder).post(f"/api/v1/courses/{cohort.course_id}/enroll/", {"cohort": cohort.pk}, format="json")
    enrollment = Enrollment.objects.get(student=holder)
    clients = [client_for(s) for s in StudentFactory.create_batch(THREADS - 1)]
    url = f"/api/v1/courses/{cohort.course_id}/enroll/"
    requests = [lambda c=c: c.post(url, {"cohort": cohort.pk}, format="json") for c in clients]
    requests.append(lambda: services.enrollment_revoke(actor=None, enrollment=enrollment))

    statuses = race(requests)

    seated = set(
        CohortMember.objects.filter(cohort=cohort, status=MemberStatus.ENROLLED).values_list("student_id", flat=True)
    )
    active = set(
        Enrollment.objects.filter(course=cohort.course, status=EnrollmentStatus.ACTIVE).values_list(
            "student_id", flat=True
        )
    )
    assert seated == active and len(seated) == statuses.count(201) <= 1, statuses
    assert holder.pk not in seated
