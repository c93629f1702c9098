"""Attendance at a live session: marked by the course's staff only, for students of the session's
audience, listed with each expected student present or not; every role and bad input."""

import pytest
from django.core.exceptions import ValidationError

from accounts.tests.factories import StudentFactory
from conftest import client_for
from courses import services as courses
from courses.models import Enrollment
from courses.tests.factories import PublishedCourseFactory
from lms.errors import NotPermitted
from schedules import services
from schedules.models import Attendance

from .factories import CohortFactory, LiveSessionFactory

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "student", "cohort_b", "other_student", "instructor", "other_instructor", "admin")
WRITE = dict(zip(ROLES, (401, 403, 404, 404, 200, 404, 200), strict=True))


@pytest.fixture
def w(instructor, student):
    course = PublishedCourseFactory(instructor=instructor)
    a, b = CohortFactory(course=course, capacity=5), CohortFactory(course=course, capacity=5)
    classmate, b_student = StudentFactory(last_name="Aaron"), StudentFactory()
    student.last_name = "Zed"
    student.save()
    for who, cohort in ((student, a), (classmate, a), (b_student, b)):
        courses.enrollment_create(student=who, course=course, cohort=cohort.pk)
    session = LiveSessionFactory(course=course, cohort=a)
    return type("W", (), {"course": course, "a": a, "classmate": classmate, "b_student": b_student, "s": session})


@pytest.fixture
def c(clients, w):
    return {**clients, "cohort_b": client_for(w.b_student)}


def url(w):
    return f"/api/v1/live-sessions/{w.s.pk}/attendance/"


@pytest.mark.parametrize("role", ROLES)
def test_only_the_owner_or_an_admin_marks_attendance(c, w, student, role):
    response = c[role].post(url(w), {"present": [student.pk]}, format="json")
    assert response.status_code == WRITE[role]
    assert Attendance.objects.filter(session=w.s, student=student).exists() is (WRITE[role] == 200)
    if WRITE[role] == 403:
        assert response.json()["code"] == "not_course_staff"


@pytest.mark.parametrize("role", ROLES)
def test_only_the_owner_or_an_admin_reads_attendance(c, w, student, role):
    Attendance.objects.create(session=w.s, student=student, marked_at=w.s.starts_at)
    response = c[role].get(url(w))
    assert response.status_code == WRITE[role]
    if WRITE[role] == 200:
        rows = response.json()["results"]
        assert [(r["student"]["id"], r["present"]) for r in rows] == [(w.classmate.pk, False), (student.pk, True)]
        assert rows[0]["marked_at"] is None and rows[1]["marked_at"] is not None
        assert "email" not in rows[0]["student"]


def test_marking_present_and_absent(c, w, student, instructor):
    api = c["instructor"]
    body = api.post(url(w), {"present": [student.pk, w.classmate.pk]}, format="json").json()
    assert body["count"] == 2 and all(r["present"] for r in body["results"])
    first = Attendance.objects.get(student=student)
    assert first.marked_by == instructor
    assert api.post(url(w), {"present": [student.pk]}, format="json").status_code == 200  # again: unchanged
    assert Attendance.objects.get(student=student).marked_at == first.marked_at
    body = api.post(url(w), {"absent": [student.pk]}, format="json").json()
    assert {r["student"]["id"]: r["present"] for r in body["results"]} == {student.pk: False, w.classmate.pk: True}
    assert api.post(url(w), {}, format="json").status_code == 200  # nothing named: nothing changes
    assert list(Attendance.objects.values_list("student_id", flat=True)) == [w.classmate.pk]


def test_a_student_who_left_after_being_marked_stays_listed_and_can_be_unmarked(c, w, student):
    c["instructor"].post(url(w), {"present": [student.pk]}, format="json")
    courses.enrollment_revoke(actor=None, enrollment=Enrollment.objects.get(student=student, course=w.course))
    rows = c["instructor"].get(url(w)).json()["results"]
    assert [(r["student"]["id"], r["present"]) for r in rows] == [(w.classmate.pk, False), (student.pk, True)]
    assert c["instructor"].post(url(w), {"absent": [student.pk]}, format="json").status_code == 200
    assert c["instructor"].get(url(w)).json()["count"] == 1
    response = c["instructor"].post(url(w), {"present": [student.pk]}, format="json")
    assert response.status_code == 400
    assert response.json()["present"] == [f"Not students of this session: {student.pk}."]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"present": "everyone"}, "present"),
        ({"present": ["a"]}, "present.0"),
        ({"present": [0]}, "present.0"),
        ({"absent": [None]}, "absent.0"),
        ({"present": list(range(1, 1002))}, "present"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(c, w, body, field):
    response = c["instructor"].post(url(w), body, format="json")
    assert response.status_code == 400 and field in response.json()
    assert not Attendance.objects.exists()


def test_ids_outside_the_audience_are_a_400_naming_them(c, w, student, other_student):
    response = c["instructor"].post(
        url(w), {"present": [student.pk, w.b_student.pk, 99999999], "absent": [other_student.pk]}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {
        "present": [f"Not students of this session: {w.b_student.pk}, 99999999."],
        "absent": [f"Not students of this session: {other_student.pk}."],
    }
    assert not Attendance.objects.exists()  # all or nothing


def test_an_id_both_present_and_absent_is_a_400(c, w, student):
    response = c["instructor"].post(url(w), {"present": [student.pk], "absent": [student.pk]}, format="json")
    assert response.status_code == 400
    assert response.json()["absent"] == [f"Marked both present and absent: {student.pk}."]


def test_the_service_rechecks_its_actor(w, student, other_instructor):
    with pytest.raises(NotPermitted):
        services.attendance_mark(actor=student, session=w.s, present=[student.pk])
    with pytest.raises(NotPermitted):
        services.attendance_mark(actor=other_instructor, session=w.s, present=[student.pk])
    with pytest.raises(ValidationError):
        services.attendance_mark(actor=None, session=w.s, present=["1"])
    services.attendance_mark(actor=None, session=w.s, present=[student.pk])  # the platform
    assert Attendance.objects.get().marked_by is None


def test_the_attendance_list_costs_the_same_queries_for_many_students(c, w, django_assert_num_queries):
    services.cohort_update(actor=None, cohort=w.a, data={"capacity": 20})
    for s in StudentFactory.create_batch(6):
        courses.enrollment_create(student=s, course=w.course, cohort=w.a.pk)
    c["instructor"].post(url(w), {"present": [w.classmate.pk]}, format="json")
    # the session (with its course), the count, the page (the user's row comes from the cache)
    with django_assert_num_queries(3):
        body = c["instructor"].get(url(w), {"page_size": 100}).json()
    assert body["count"] == 8 and sum(r["present"] for r in body["results"]) == 1
