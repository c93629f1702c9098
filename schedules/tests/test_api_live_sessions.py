"""The live-session routes for every role (anonymous, a student seated in the session's cohort, a
student of another cohort, a student not enrolled, the owner, another instructor, an admin), bad
input, what each sees, and the list's query count."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from accounts.tests.factories import StudentFactory
from conftest import client_for
from courses import services as courses
from courses.models import Enrollment
from courses.tests.factories import CourseFactory, PublishedCourseFactory
from schedules.models import Attendance, LiveSession, LiveSessionReminder

from .factories import CohortFactory, LiveSessionFactory

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "student", "cohort_b", "other_student", "instructor", "other_instructor", "admin")
START = timezone.now() + timedelta(days=3)
NEW = {
    "title": "Office hours",
    "starts_at": START.isoformat(),
    "duration_minutes": 45,
    "join_url": "https://meet.example.com/office-hours",
}


def E(anonymous, student, cohort_b, other_student, instructor, other_instructor, admin):
    return dict(zip(ROLES, (anonymous, student, cohort_b, other_student, instructor, other_instructor, admin),
                    strict=True))  # fmt: skip


READ = E(401, 200, 404, 404, 200, 404, 200)  # the cohort's session: its students and the course's staff
WRITE = lambda ok: E(401, 403, 404, 404, ok, 404, ok)  # noqa: E731


@pytest.fixture
def w(instructor, student):
    """The instructor's course in two cohorts: `student` seated in A, `b_student` in B; a session for
    the whole course and one for cohort A."""
    course = PublishedCourseFactory(instructor=instructor)
    a, b = CohortFactory(course=course, capacity=5), CohortFactory(course=course, capacity=5)
    b_student = StudentFactory()
    courses.enrollment_create(student=student, course=course, cohort=a.pk)
    courses.enrollment_create(student=b_student, course=course, cohort=b.pk)
    every = LiveSessionFactory(course=course, title="For all", starts_at=timezone.now() + timedelta(days=2))
    only_a = LiveSessionFactory(course=course, cohort=a, title="For A", starts_at=timezone.now() + timedelta(days=1))
    return type("W", (), {"course": course, "a": a, "b": b, "b_student": b_student, "every": every, "a_s": only_a})


@pytest.fixture
def c(clients, w):
    return {**clients, "cohort_b": client_for(w.b_student)}


# --- reads ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("role", "expected"),
    [("anonymous", 401), ("student", ["For A", "For all"]), ("cohort_b", ["For all"]), ("other_student", 403),
     ("instructor", ["For A", "For all"]), ("other_instructor", 403), ("admin", ["For A", "For all"])],
)  # fmt: skip
def test_the_list_shows_each_role_the_sessions_of_its_audience(c, w, role, expected):
    response = c[role].get(f"/api/v1/courses/{w.course.pk}/live-sessions/")
    if isinstance(expected, int):
        assert response.status_code == expected
        if expected == 403:
            assert response.json()["code"] == "not_enrolled"
        return
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == len(expected)
    assert [s["title"] for s in body["results"]] == expected  # soonest first
    first = body["results"][0]
    assert first["join_url"].startswith("https://meet.example.com/")
    ends = datetime.fromisoformat(first["ends_at"]) - datetime.fromisoformat(first["starts_at"])
    assert ends == timedelta(minutes=60)


@pytest.mark.parametrize("role", ROLES)
def test_a_cohorts_session_is_seen_only_by_its_students_and_staff(c, w, role):
    response = c[role].get(f"/api/v1/live-sessions/{w.a_s.pk}/")
    assert response.status_code == READ[role]
    if READ[role] == 200:
        body = response.json()
        assert (body["id"], body["cohort"], body["title"], body["duration_minutes"]) == (w.a_s.pk, w.a.pk, "For A", 60)
        assert body["join_url"] == w.a_s.join_url
    else:
        assert w.a_s.join_url not in response.content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_a_session_for_the_whole_course_is_seen_by_every_enrolled_student(c, w, role):
    expected = E(401, 200, 200, 404, 200, 404, 200)[role]
    assert c[role].get(f"/api/v1/live-sessions/{w.every.pk}/").status_code == expected


def test_a_revoked_student_no_longer_sees_the_sessions(c, w, student):
    courses.enrollment_revoke(actor=None, enrollment=Enrollment.objects.get(student=student, course=w.course))
    assert c["student"].get(f"/api/v1/live-sessions/{w.a_s.pk}/").status_code == 404
    assert c["student"].get(f"/api/v1/live-sessions/{w.every.pk}/").status_code == 404
    assert c["student"].get(f"/api/v1/courses/{w.course.pk}/live-sessions/").status_code == 403


def test_a_draft_courses_sessions_are_hidden(clients, instructor, student):
    session = LiveSessionFactory(course=CourseFactory(instructor=instructor))
    assert clients["other_instructor"].get(f"/api/v1/courses/{session.course_id}/live-sessions/").status_code == 404
    assert clients["student"].get(f"/api/v1/live-sessions/{session.pk}/").status_code == 404
    assert clients["instructor"].get(f"/api/v1/live-sessions/{session.pk}/").status_code == 200


def test_the_list_costs_the_same_queries_for_many_sessions(c, w, django_assert_num_queries):
    for n in range(8):
        LiveSessionFactory(course=w.course, cohort=w.a if n % 2 else None)
    # the course, the enrollment (learn; none for staff), course_audience's, the count, the page (the
    # user's row comes from the cache)
    for role, count, queries in (("student", 10, 5), ("cohort_b", 5, 5), ("instructor", 10, 4), ("admin", 10, 4)):
        with django_assert_num_queries(queries):
            body = c[role].get(f"/api/v1/courses/{w.course.pk}/live-sessions/", {"page_size": 100}).json()
        assert body["count"] == count == len(body["results"])


def test_the_list_is_paginated(c, w):
    for _ in range(3):
        LiveSessionFactory(course=w.course)
    body = c["instructor"].get(f"/api/v1/courses/{w.course.pk}/live-sessions/", {"page_size": 2}).json()
    assert (body["count"], len(body["results"])) == (5, 2)
    assert c["instructor"].get(f"/api/v1/courses/{w.course.pk}/live-sessions/", {"page_size": "x"}).status_code == 400


# --- writes --------------------------------------------------------------------------------------
@pytest.mark.parametrize("role", ROLES)
def test_only_the_owner_or_an_admin_schedules_a_session(c, w, role):
    expected = E(401, 403, 403, 403, 201, 403, 201)[role]
    response = c[role].post(f"/api/v1/courses/{w.course.pk}/live-sessions/", {**NEW, "cohort": w.b.pk}, format="json")
    assert response.status_code == expected
    created = LiveSession.objects.filter(title="Office hours")
    if expected == 201:
        body = response.json()
        assert (body["title"], body["cohort"], body["duration_minutes"], body["course"]) == (
            "Office hours", w.b.pk, 45, w.course.pk)  # fmt: skip
        assert created.get().starts_at == START
    else:
        assert not created.exists()
        if expected == 403:
            assert response.json()["code"] == "not_course_staff"


@pytest.mark.parametrize("role", ROLES)
def test_only_the_owner_or_an_admin_changes_a_session(c, w, role):
    expected = WRITE(200)[role]
    url = f"/api/v1/live-sessions/{w.a_s.pk}/"
    assert c[role].patch(url, {"title": "Renamed", "duration_minutes": 90}, format="json").status_code == expected
    w.a_s.refresh_from_db()
    assert (w.a_s.title == "Renamed") is (expected == 200)
    put = c[role].put(url, NEW, format="json")
    assert put.status_code == expected
    if expected == 200:
        body = put.json()
        assert (body["title"], body["duration_minutes"], body["cohort"]) == ("Office hours", 45, w.a.pk)
    elif expected == 403:
        assert put.json()["code"] == "not_course_staff"


@pytest.mark.parametrize("role", ROLES)
def test_only_the_owner_or_an_admin_deletes_a_session(c, w, role):
    expected = WRITE(204)[role]
    Attendance.objects.create(session=w.a_s, student=c["student"].user, marked_at=timezone.now())
    assert c[role].delete(f"/api/v1/live-sessions/{w.a_s.pk}/").status_code == expected
    assert LiveSession.objects.filter(pk=w.a_s.pk).exists() is (expected != 204)
    assert Attendance.objects.exists() is (expected != 204)


def test_a_patch_can_open_a_cohorts_session_to_the_whole_course_and_back(c, w):
    url = f"/api/v1/live-sessions/{w.a_s.pk}/"
    assert c["cohort_b"].get(url).status_code == 404
    assert c["instructor"].patch(url, {"cohort": None}, format="json").json()["cohort"] is None
    assert c["cohort_b"].get(url).status_code == 200
    assert c["instructor"].patch(url, {"cohort": w.a.pk}, format="json").json()["cohort"] == w.a.pk
    assert c["cohort_b"].get(url).status_code == 404


def test_moving_a_session_forgets_its_reminders_and_renaming_it_does_not(c, w, student):
    LiveSessionReminder.objects.create(session=w.a_s, student=student, batch="0" * 32, sent_at=timezone.now())
    url = f"/api/v1/live-sessions/{w.a_s.pk}/"
    c["instructor"].patch(url, {"title": "Renamed"}, format="json")
    c["instructor"].patch(url, {"starts_at": w.a_s.starts_at.isoformat()}, format="json")  # the same time
    assert LiveSessionReminder.objects.count() == 1
    c["instructor"].patch(url, {"starts_at": (w.a_s.starts_at + timedelta(hours=2)).isoformat()}, format="json")
    assert LiveSessionReminder.objects.count() == 0


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"duration_minutes": 0}, "duration_minutes"),
        ({"duration_minutes": 1441}, "duration_minutes"),
        ({"duration_minutes": "long"}, "duration_minutes"),
        ({"join_url": "http://meet.example.com/x"}, "join_url"),
        ({"join_url": "javascript:alert(1)"}, "join_url"),
        ({"join_url": "not a url"}, "join_url"),
        ({"starts_at": "soon"}, "starts_at"),
        ({"title": ""}, "title"),
        ({"title": "   "}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"cohort": 0}, "cohort"),
        ({"cohort": "a"}, "cohort"),
        ({"cohort": 99999999}, "cohort"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(c, w, change, field):
    response = c["instructor"].post(f"/api/v1/courses/{w.course.pk}/live-sessions/", {**NEW, **change}, format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()
    assert not LiveSession.objects.filter(title="Office hours").exists()
    patch = c["instructor"].patch(f"/api/v1/live-sessions/{w.a_s.pk}/", change, format="json")
    assert patch.status_code == 400 and field in patch.json()


def test_a_cohort_of_another_course_is_refused(c, w):
    other = CohortFactory()
    response = c["instructor"].post(
        f"/api/v1/courses/{w.course.pk}/live-sessions/", {**NEW, "cohort": other.pk}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["cohort"] == [f"This course has no cohort {other.pk}."]


def test_the_duration_bounds_and_a_past_start_are_accepted(c, w):
    url = f"/api/v1/courses/{w.course.pk}/live-sessions/"
    past = (timezone.now() - timedelta(days=2)).isoformat()
    for minutes in (1, 1440):
        response = c["instructor"].post(url, {**NEW, "duration_minutes": minutes, "starts_at": past}, format="json")
        assert response.status_code == 201 and response.json()["duration_minutes"] == minutes


@pytest.mark.parametrize("pk", ["0", "99999999", "abc", "-1", "99999999999999999999"])
def test_unknown_ids_are_404(admin_client, pk):
    assert admin_client.get(f"/api/v1/live-sessions/{pk}/").status_code == 404
    assert admin_client.get(f"/api/v1/live-sessions/{pk}/attendance/").status_code == 404
    assert admin_client.get(f"/api/v1/courses/{pk}/live-sessions/").status_code == 404
