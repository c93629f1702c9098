"""The cohort admin writes through the services: seat use and waitlists shown, refusals on the form."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.tests.factories import StudentFactory
from courses.models import Enrollment, EnrollmentStatus
from courses.tests.factories import PublishedCourseFactory
from schedules.models import Cohort, CohortMember, MemberStatus

from .factories import CohortFactory

pytestmark = pytest.mark.django_db


def _form(course, **values):
    start = timezone.now() + timedelta(days=10)
    data = {
        "course": course.pk,
        "name": "Admin cohort",
        "starts_at_0": start.strftime("%Y-%m-%d"),
        "starts_at_1": "09:00:00",
        "ends_at_0": (start + timedelta(days=30)).strftime("%Y-%m-%d"),
        "ends_at_1": "09:00:00",
        "enrollment_opens_at_0": "",
        "enrollment_opens_at_1": "",
        "enrollment_closes_at_0": "",
        "enrollment_closes_at_1": "",
        "capacity": "2",
        "members-TOTAL_FORMS": "0",
        "members-INITIAL_FORMS": "0",
    }
    return {**data, **values}


def test_staff_add_a_cohort_through_the_service(staff):
    course = PublishedCourseFactory()
    response = staff.post("/admin/schedules/cohort/add/", _form(course))
    assert response.status_code == 302, response.content[:2000]
    assert Cohort.objects.get().capacity == 2


def test_a_capacity_below_the_seats_taken_is_refused_on_the_form(staff):
    cohort = CohortFactory(capacity=2)
    for student in StudentFactory.create_batch(2):
        CohortMember.objects.create(cohort=cohort, student=student, status=MemberStatus.ENROLLED)
    data = _form(cohort.course, capacity="1", **{"members-INITIAL_FORMS": "2", "members-TOTAL_FORMS": "2"})
    response = staff.post(f"/admin/schedules/cohort/{cohort.pk}/change/", data)
    assert response.status_code == 200
    assert "2 seats are taken" in response.content.decode()
    cohort.refresh_from_db()
    assert cohort.capacity == 2


def test_the_list_shows_seat_use_and_waitlists(staff):
    cohort = CohortFactory(capacity=1)
    CohortMember.objects.create(cohort=cohort, student=StudentFactory(), status=MemberStatus.ENROLLED)
    CohortMember.objects.create(
        cohort=cohort, student=StudentFactory(), status=MemberStatus.WAITLISTED, waitlisted_at=timezone.now()
    )
    response = staff.get("/admin/schedules/cohort/")
    assert response.status_code == 200
    assert response.context["cl"].result_list[0].seats_taken == 1
    assert response.context["cl"].result_list[0].waitlist_count == 1


def test_deleting_a_cohort_with_members_is_refused(staff):
    cohort = CohortFactory()
    CohortMember.objects.create(cohort=cohort, student=StudentFactory(), status=MemberStatus.ENROLLED)
    response = staff.post(f"/admin/schedules/cohort/{cohort.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert Cohort.objects.filter(pk=cohort.pk).exists()


def test_the_remove_action_revokes_and_offers_the_seat_on(staff, student, other_student):
    from conftest import client_for

    cohort = CohortFactory(capacity=1)
    url = f"/api/v1/courses/{cohort.course_id}/enroll/"
    client_for(student).post(url, {"cohort": cohort.pk}, format="json")
    client_for(other_student).post(url, {"cohort": cohort.pk, "waitlist": True}, format="json")
    seat = CohortMember.objects.get(student=student)

    response = staff.post(
        "/admin/schedules/cohortmember/", {"action": "remove", "_selected_action": [seat.pk]}, follow=True
    )

    assert response.status_code == 200
    assert Enrollment.objects.get(student=student).status == EnrollmentStatus.REVOKED
    assert CohortMember.objects.get(student=other_student).status == MemberStatus.OFFERED
