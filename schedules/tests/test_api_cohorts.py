"""The cohort routes for every role, bad input and the seat figures."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.tests.factories import StudentFactory
from courses.tests.factories import CourseFactory, PublishedCourseFactory
from schedules.models import Cohort, CohortMember, MemberStatus

from .factories import CohortFactory

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "student", "other_student", "instructor", "other_instructor", "admin")
START = timezone.now() + timedelta(days=30)
NEW = {
    "name": "Autumn",
    "starts_at": START.isoformat(),
    "ends_at": (START + timedelta(days=60)).isoformat(),
    "enrollment_closes_at": START.isoformat(),
    "capacity": 20,
}


@pytest.fixture
def course(instructor):
    return PublishedCourseFactory(instructor=instructor)


@pytest.fixture
def cohort(course):
    return CohortFactory(course=course, capacity=3)


def _seat(cohort, student, status=MemberStatus.ENROLLED):
    return CohortMember.objects.create(
        cohort=cohort,
        student=student,
        status=status,
        waitlisted_at=timezone.now() if status == MemberStatus.WAITLISTED else None,
        offer_expires_at=timezone.now() + timedelta(hours=1) if status == MemberStatus.OFFERED else None,
    )


@pytest.mark.parametrize("role", ROLES)
def test_anyone_who_sees_the_course_lists_its_cohorts_with_figures(clients, role, cohort, student, other_student):
    _seat(cohort, student)
    _seat(cohort, other_student, MemberStatus.WAITLISTED)
    response = clients[role].get(f"/api/v1/courses/{cohort.course_id}/cohorts/")
    assert response.status_code == 200
    [row] = response.json()
    assert (row["id"], row["capacity"], row["seats_taken"], row["waitlist_count"]) == (cohort.pk, 3, 1, 1)
    assert clients[role].get(f"/api/v1/cohorts/{cohort.pk}/").json()["seats_taken"] == 1


@pytest.mark.parametrize(("role", "expected"), [("anonymous", 404), ("student", 404), ("other_instructor", 404),
                                                ("instructor", 200), ("admin", 200)])  # fmt: skip
def test_a_draft_courses_cohorts_are_hidden_from_those_who_cannot_see_it(clients, instructor, role, expected):
    cohort = CohortFactory(course=CourseFactory(instructor=instructor))
    assert clients[role].get(f"/api/v1/courses/{cohort.course_id}/cohorts/").status_code == expected
    assert clients[role].get(f"/api/v1/cohorts/{cohort.pk}/").status_code == expected


def test_the_list_costs_the_same_queries_for_many_cohorts(client_for_anon, course, django_assert_max_num_queries):
    for _ in range(5):
        CohortFactory(course=course)
    with django_assert_max_num_queries(3):
        assert len(client_for_anon.get(f"/api/v1/courses/{course.pk}/cohorts/").json()) == 5


@pytest.fixture
def client_for_anon(anon_client):
    return anon_client


@pytest.mark.parametrize(
    ("role", "expected"),
    [("anonymous", 401), ("student", 403), ("other_student", 403), ("other_instructor", 403),
     ("instructor", 201), ("admin", 201)],
)  # fmt: skip
def test_only_the_owner_or_an_admin_adds_a_cohort(clients, course, role, expected):
    response = clients[role].post(f"/api/v1/courses/{course.pk}/cohorts/", NEW, format="json")
    assert response.status_code == expected, response.json()
    if expected == 201:
        body = response.json()
        assert (body["name"], body["capacity"], body["seats_taken"], body["waitlist_count"]) == ("Autumn", 20, 0, 0)
        assert body["enrollment_opens_at"] is None
        assert Cohort.objects.filter(course=course).count() == 1
    else:
        assert not Cohort.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"ends_at": START.isoformat()}, "ends_at"),
        ({"ends_at": (START - timedelta(days=1)).isoformat()}, "ends_at"),
        ({"enrollment_opens_at": START.isoformat(), "enrollment_closes_at": START.isoformat()}, "enrollment_closes_at"),
        ({"capacity": 0}, "capacity"),
        ({"capacity": "many"}, "capacity"),
        ({"starts_at": "soon"}, "starts_at"),
        ({"name": ""}, "name"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(instructor_client, course, change, field):
    response = instructor_client.post(f"/api/v1/courses/{course.pk}/cohorts/", {**NEW, **change}, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Cohort.objects.exists()


@pytest.mark.parametrize(
    ("role", "expected"),
    [("anonymous", 401), ("student", 403), ("other_student", 403), ("other_instructor", 403),
     ("instructor", 200), ("admin", 200)],
)  # fmt: skip
def test_only_the_owner_or_an_admin_changes_a_cohort(clients, cohort, role, expected):
    response = clients[role].patch(f"/api/v1/cohorts/{cohort.pk}/", {"name": "Renamed", "capacity": 5}, format="json")
    assert response.status_code == expected
    cohort.refresh_from_db()
    assert (cohort.name == "Renamed") is (expected == 200)
    put = clients[role].put(f"/api/v1/cohorts/{cohort.pk}/", NEW, format="json")
    assert put.status_code == expected
    if expected == 200:
        assert put.json()["name"] == "Autumn" and put.json()["capacity"] == 20


def test_a_patch_is_checked_against_the_stored_dates(instructor_client, cohort):
    response = instructor_client.patch(
        f"/api/v1/cohorts/{cohort.pk}/", {"ends_at": (cohort.starts_at - timedelta(hours=1)).isoformat()}, format="json"
    )
    assert response.status_code == 400 and "ends_at" in response.json()


def test_the_capacity_cannot_drop_below_the_seats_taken(instructor_client, cohort, student, other_student):
    _seat(cohort, student)
    _seat(cohort, other_student, MemberStatus.OFFERED)
    response = instructor_client.patch(f"/api/v1/cohorts/{cohort.pk}/", {"capacity": 1}, format="json")
    assert response.status_code == 400
    assert response.json()["capacity"] == ["2 seats are taken: the capacity cannot be less."]
    assert instructor_client.patch(f"/api/v1/cohorts/{cohort.pk}/", {"capacity": 2}, format="json").status_code == 200


def test_more_seats_go_to_the_waitlist_in_order(instructor_client, course, student, other_student):
    cohort = CohortFactory(course=course, capacity=1)
    _seat(cohort, student)
    first = _seat(cohort, other_student, MemberStatus.WAITLISTED)
    second = _seat(cohort, StudentFactory(), MemberStatus.WAITLISTED)
    assert (
        instructor_client.patch(f"/api/v1/cohorts/{cohort.pk}/", {"capacity": 2}, format="json").json()["seats_taken"]
        == 2
    )
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (MemberStatus.OFFERED, MemberStatus.WAITLISTED)


@pytest.mark.parametrize(
    ("role", "expected"),
    [("anonymous", 401), ("student", 403), ("other_student", 403), ("other_instructor", 403),
     ("instructor", 204), ("admin", 204)],
)  # fmt: skip
def test_only_the_owner_or_an_admin_deletes_a_cohort(clients, cohort, role, expected):
    assert clients[role].delete(f"/api/v1/cohorts/{cohort.pk}/").status_code == expected
    assert Cohort.objects.filter(pk=cohort.pk).exists() is (expected != 204)


@pytest.mark.parametrize("status", [MemberStatus.ENROLLED, MemberStatus.WAITLISTED, MemberStatus.OFFERED,
                                    MemberStatus.HELD])  # fmt: skip
def test_a_cohort_with_members_is_not_deleted(instructor_client, cohort, student, status):
    _seat(cohort, student, status)
    response = instructor_client.delete(f"/api/v1/cohorts/{cohort.pk}/")
    assert response.status_code == 409 and response.json()["code"] == "cohort_has_members"
    assert Cohort.objects.filter(pk=cohort.pk).exists()


def test_a_cohort_only_left_is_deleted_with_its_history(instructor_client, cohort, student):
    _seat(cohort, student, MemberStatus.LEFT)
    assert instructor_client.delete(f"/api/v1/cohorts/{cohort.pk}/").status_code == 204
    assert not CohortMember.objects.exists()


@pytest.mark.parametrize("pk", ["0", "99999999", "abc", "-1", "99999999999999999999"])
def test_unknown_ids_are_404(admin_client, pk):
    assert admin_client.get(f"/api/v1/cohorts/{pk}/").status_code == 404
    assert admin_client.get(f"/api/v1/courses/{pk}/cohorts/").status_code == 404
