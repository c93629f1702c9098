"""Schedules on the dashboards: the student's `upcoming` (live sessions of their audience, their
cohort's start, work and quizzes due) and the instructor's current cohorts with their seats.
Hand-built fixtures read at a frozen instant, with the 14-day window's boundaries to the second."""

import datetime

import pytest
import time_machine

from accounts.tests.factories import StudentFactory
from assignments import services as assignments
from assignments.tests.factories import AssignmentFactory
from conftest import client_for
from courses.models import Enrollment
from courses.services import enrollment_revoke
from courses.tests.factories import EnrollmentFactory, PublishedCourseFactory, SectionFactory
from lms.tests.openapi import schema_errors
from quizzes.tests.factories import QuizFactory
from reports.api import examples
from schedules.models import CohortMember, MemberStatus
from schedules.tests.factories import CohortFactory, LiveSessionFactory

pytestmark = pytest.mark.django_db

STUDENT = "/api/v1/dashboard/student/"
INSTRUCTOR = "/api/v1/dashboard/instructor/"
NOW = datetime.datetime(2026, 11, 10, 12, 0, tzinfo=datetime.UTC)


def at(**delta) -> datetime.datetime:
    return NOW + datetime.timedelta(**delta)


def iso(when: datetime.datetime) -> str:
    return when.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z")


def read(client, path, when: datetime.datetime = NOW):
    with time_machine.travel(when, tick=False):
        return client_for(client.user).get(path)


def get(client, path, when: datetime.datetime = NOW) -> dict:
    response = read(client, path, when)
    assert response.status_code == 200, response.content
    return response.json()


def seat(cohort, student, status=MemberStatus.ENROLLED):
    """A membership; an `enrolled` one with the active enrollment in the cohort's course it stands for."""
    if status == MemberStatus.ENROLLED:
        EnrollmentFactory(student=student, course=cohort.course)
    return CohortMember.objects.create(
        cohort=cohort, student=student, status=status, waitlisted_at=NOW if status == MemberStatus.WAITLISTED else None
    )


def cohort(course, name, starts_at, *, ends_at=None, capacity=2):
    return CohortFactory(
        course=course, name=name, starts_at=starts_at, ends_at=ends_at or starts_at + datetime.timedelta(days=60),
        capacity=capacity,
    )  # fmt: skip


@pytest.fixture
def schedule(instructor, other_instructor, student, other_student):
    """Main (cohorts: Spring with the student seated, Later with the other student), Solo
    (self-paced, another instructor's), Left (revoked) and Elsewhere (not enrolled)."""
    main = PublishedCourseFactory(instructor=instructor, title="Main", slug="main")
    solo = PublishedCourseFactory(instructor=other_instructor, title="Solo", slug="solo")
    left = PublishedCourseFactory(instructor=instructor, title="Left", slug="left")
    elsewhere = PublishedCourseFactory(instructor=instructor, title="Elsewhere", slug="elsewhere")
    spring = cohort(main, "Spring", at(days=3), capacity=1)
    later = cohort(main, "Later", at(days=20))
    seat(spring, student)
    seat(later, other_student)
    EnrollmentFactory(student=student, course=solo)
    EnrollmentFactory(student=student, course=left)
    section = SectionFactory(course=main)
    items = {
        "all hands": LiveSessionFactory(course=main, title="All hands", starts_at=at(days=1)),
        "spring hours": LiveSessionFactory(course=main, cohort=spring, title="Spring hours", starts_at=at(days=2)),
        "later hours": LiveSessionFactory(course=main, cohort=later, title="Later hours", starts_at=at(days=4)),
        "too far": LiveSessionFactory(course=main, title="Too far", starts_at=at(days=14, seconds=1)),
        "past": LiveSessionFactory(course=main, title="Past", starts_at=at(seconds=-1)),
        "essay": AssignmentFactory(section=section, title="Essay", due_at=at(days=5)),
        "handed in": AssignmentFactory(section=section, title="Handed in", due_at=at(days=6)),
        "final": QuizFactory(course=main, title="Final quiz", due_at=at(days=14)),  # the upper bound is in
        "missed": QuizFactory(course=main, title="Missed quiz", due_at=at(seconds=-1)),
        "undated": QuizFactory(course=main, title="Undated quiz", due_at=None),
        "solo quiz": QuizFactory(course=solo, title="Solo quiz", due_at=NOW),  # the lower bound is in
        "solo live": LiveSessionFactory(course=solo, title="Solo live", starts_at=at(hours=6)),
        "left live": LiveSessionFactory(course=left, title="Left live", starts_at=at(days=1)),
        "left quiz": QuizFactory(course=left, title="Left quiz", due_at=at(days=1)),
        "elsewhere live": LiveSessionFactory(course=elsewhere, title="Elsewhere live", starts_at=at(days=1)),
        "spring": spring,
        "later": later,
    }
    with time_machine.travel(at(hours=-1), tick=False):
        assignments.submission_create(student=student, assignment=items["handed in"], text="Mine")
    enrollment_revoke(actor=None, enrollment=Enrollment.objects.get(student=student, course=left))
    return items


def event(kind, item, when, course):
    title = item.name if kind == "cohort_start" else item.title
    return {"type": kind, "course": course, "id": item.pk, "title": title, "at": iso(when)}


MAIN = {"slug": "main", "title": "Main"}
SOLO = {"slug": "solo", "title": "Solo"}


def test_upcoming_lists_the_students_events_soonest_first(clients, schedule):
    main = {"id": schedule["essay"].course_id, **MAIN}
    solo = {"id": schedule["solo quiz"].course_id, **SOLO}
    body = get(clients["student"], STUDENT)
    assert body["upcoming"] == [
        event("quiz_due", schedule["solo quiz"], NOW, solo),
        event("live_session", schedule["solo live"], at(hours=6), solo),
        event("live_session", schedule["all hands"], at(days=1), main),
        event("live_session", schedule["spring hours"], at(days=2), main),  # their cohort's
        event("cohort_start", schedule["spring"], at(days=3), main),
        event("assignment_due", schedule["essay"], at(days=5), main),
        event("quiz_due", schedule["final"], at(days=14), main),
    ]


def test_upcoming_never_shows_another_students_cohort_or_submissions(clients, schedule):
    """The other student is seated in Later (starting in 20 days, beyond the window) and has not
    handed in what the student did; Spring's session and the student's courses are not theirs."""
    main = {"id": schedule["essay"].course_id, **MAIN}
    body = get(clients["other_student"], STUDENT)
    assert body["upcoming"] == [
        event("live_session", schedule["all hands"], at(days=1), main),
        event("live_session", schedule["later hours"], at(days=4), main),
        event("assignment_due", schedule["essay"], at(days=5), main),
        event("assignment_due", schedule["handed in"], at(days=6), main),
        event("quiz_due", schedule["final"], at(days=14), main),
    ]
    # Six days later Later is within 14 days: its start shows, the sessions already past do not.
    later = get(clients["other_student"], STUDENT, at(days=6))["upcoming"]
    assert [(e["type"], e["title"]) for e in later] == [
        ("assignment_due", "Handed in"),
        ("quiz_due", "Final quiz"),
        ("live_session", "Too far"),  # no longer too far
        ("cohort_start", "Later"),
    ]


def test_upcoming_leaves_out_a_revoked_enrollment_and_a_waitlisted_place(clients, student, schedule):
    waiting = StudentFactory()
    seat(schedule["spring"], waiting, MemberStatus.WAITLISTED)
    assert get(client_for(waiting), STUDENT)["upcoming"] == []

    enrollment_revoke(actor=None, enrollment=Enrollment.objects.get(student=student, course=schedule["spring"].course))
    titles = [e["title"] for e in get(clients["student"], STUDENT)["upcoming"]]
    assert titles == ["Solo quiz", "Solo live"]  # Main (cohort, sessions, work) and Left are gone


def test_upcoming_keeps_the_ten_soonest(clients, student):
    course = PublishedCourseFactory(title="Busy", slug="busy")
    EnrollmentFactory(student=student, course=course)
    for hour in range(12, 0, -1):
        QuizFactory(course=course, title=f"Quiz {hour}", due_at=at(hours=hour))
        LiveSessionFactory(course=course, title=f"Live {hour}", starts_at=at(hours=hour, minutes=30))
    upcoming = get(clients["student"], STUDENT)["upcoming"]
    assert [e["title"] for e in upcoming] == [
        "Quiz 1", "Live 1", "Quiz 2", "Live 2", "Quiz 3", "Live 3", "Quiz 4", "Live 4", "Quiz 5", "Live 5",
    ]  # fmt: skip


def test_upcoming_same_instant_orders_by_type_then_id(clients, student):
    course = PublishedCourseFactory(title="Tied", slug="tied")
    EnrollmentFactory(student=student, course=course)
    quiz = QuizFactory(course=course, title="Q", due_at=at(days=1))
    live = LiveSessionFactory(course=course, title="L", starts_at=at(days=1))
    work = AssignmentFactory(section=SectionFactory(course=course), title="A", due_at=at(days=1))
    assert [(e["type"], e["id"]) for e in get(clients["student"], STUDENT)["upcoming"]] == [
        ("assignment_due", work.pk),
        ("live_session", live.pk),
        ("quiz_due", quiz.pk),
    ]


# --- instructor: cohorts -------------------------------------------------------------------------
@pytest.fixture
def cohorts(instructor, other_instructor, student, other_student):
    main = PublishedCourseFactory(instructor=instructor, title="Main")
    solo = PublishedCourseFactory(instructor=other_instructor, title="Solo")
    cohort(main, "Ended", at(days=-60), ends_at=at(days=-1))
    cohort(main, "Just ended", at(days=-60), ends_at=NOW)  # ends_at is not "not yet ended"
    running = cohort(main, "Running", at(days=-10), ends_at=at(days=50), capacity=None)
    later = cohort(main, "Later", at(days=20))
    spring = cohort(main, "Spring", at(days=3), capacity=1)
    seat(spring, student)
    for _ in range(2):
        seat(spring, StudentFactory(), MemberStatus.WAITLISTED)
    seat(later, other_student)
    seat(later, StudentFactory(), MemberStatus.HELD)
    gone = seat(running, StudentFactory())
    enrollment_revoke(actor=None, enrollment=Enrollment.objects.get(student=gone.student, course=main))
    cohort(solo, "Theirs", at(days=5))
    return {"running": running, "spring": spring, "later": later}


def test_instructor_dashboard_lists_current_cohorts_with_seats(clients, cohorts):
    body = get(clients["instructor"], INSTRUCTOR)
    courses = {c["title"]: c for c in body["courses"]}
    assert set(courses) == {"Main"}
    running, spring, later = cohorts["running"], cohorts["spring"], cohorts["later"]
    assert courses["Main"]["cohorts"] == [
        {
            "id": running.pk,
            "name": "Running",
            "starts_at": iso(at(days=-10)),
            "ends_at": iso(at(days=50)),
            "capacity": None,
            "seats_taken": 0,  # the one seated left with their revoked enrollment
            "waitlist_count": 0,
        },
        {
            "id": spring.pk,
            "name": "Spring",
            "starts_at": iso(at(days=3)),
            "ends_at": iso(at(days=63)),
            "capacity": 1,
            "seats_taken": 1,
            "waitlist_count": 2,
        },
        {
            "id": later.pk,
            "name": "Later",
            "starts_at": iso(at(days=20)),
            "ends_at": iso(at(days=80)),
            "capacity": 2,
            "seats_taken": 2,  # enrolled and held by a checkout
            "waitlist_count": 0,
        },
    ]


def test_instructor_dashboard_cohorts_of_another_instructor(clients, cohorts):
    body = get(clients["other_instructor"], INSTRUCTOR)
    assert [(c["title"], [k["name"] for k in c["cohorts"]]) for c in body["courses"]] == [("Solo", ["Theirs"])]


def test_self_paced_course_has_no_cohorts(clients, instructor):
    PublishedCourseFactory(instructor=instructor, title="Self-paced")
    assert [c["cohorts"] for c in get(clients["instructor"], INSTRUCTOR)["courses"]] == [[]]


# --- roles ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("role", "student_status", "instructor_status"),
    [
        ("anonymous", 401, 401),
        ("student", 200, 403),
        ("other_student", 200, 403),
        ("instructor", 403, 200),
        ("other_instructor", 403, 200),
        ("admin", 403, 403),
    ],
)
def test_dashboards_by_role(clients, schedule, role, student_status, instructor_status):
    client = clients[role]
    with time_machine.travel(NOW, tick=False):
        fresh = client if role == "anonymous" else client_for(client.user)
        assert fresh.get(STUDENT).status_code == student_status
        assert fresh.get(INSTRUCTOR).status_code == instructor_status


# --- queries -------------------------------------------------------------------------------------
def grow_schedules(*, student, instructor, courses: int) -> None:
    """`courses` more cohort courses of the instructor, each with three current cohorts (the student
    seated in one, others waiting and holding seats), sessions for the course and each cohort, and a
    quiz and an assignment due soon."""
    for n in range(courses):
        course = PublishedCourseFactory(instructor=instructor)
        runs = [cohort(course, f"Run {i}", at(days=1 + i), capacity=2) for i in range(3)]
        seat(runs[0], student)
        seat(runs[1], StudentFactory(), MemberStatus.HELD)
        seat(runs[1], StudentFactory())
        seat(runs[1], StudentFactory(), MemberStatus.WAITLISTED)
        LiveSessionFactory(course=course, starts_at=at(hours=n + 1))
        for run in runs:
            LiveSessionFactory(course=course, cohort=run, starts_at=at(hours=n + 2))
        QuizFactory(course=course, due_at=at(days=2))
        AssignmentFactory(section=SectionFactory(course=course), due_at=at(days=3))


def count_queries(client, path, django_assert_max_num_queries, bound) -> int:
    with time_machine.travel(NOW, tick=False):
        fresh = client_for(client.user)
        with django_assert_max_num_queries(bound) as captured:
            response = fresh.get(path)
    assert response.status_code == 200, response.content
    return len(captured.captured_queries)


def test_schedules_on_dashboards_run_in_constant_queries(clients, student, instructor, django_assert_max_num_queries):
    from reports.tests.test_queries import INSTRUCTOR_DASHBOARD_QUERIES, PINNED

    grow_schedules(student=student, instructor=instructor, courses=1)
    # A student seated in a cohort: the progress reads the items its release rules may leave out
    # (courses.release.left_out: one query per kind of item, lessons, quizzes and assignments).
    small_student = count_queries(
        clients["student"], STUDENT, django_assert_max_num_queries, PINNED[("student", STUDENT)] + 3
    )
    small_instructor = count_queries(
        clients["instructor"], INSTRUCTOR, django_assert_max_num_queries, INSTRUCTOR_DASHBOARD_QUERIES
    )
    # The course's session and Run 0's (not Run 1's or Run 2's), Run 0's start, the quiz and the work.
    assert len(get(clients["student"], STUDENT)["upcoming"]) == 5
    grow_schedules(student=student, instructor=instructor, courses=5)
    assert count_queries(clients["student"], STUDENT, django_assert_max_num_queries, small_student) == small_student
    assert (
        count_queries(clients["instructor"], INSTRUCTOR, django_assert_max_num_queries, small_instructor)
        == small_instructor
    )
    # The measurement saw the larger data.
    assert len(get(clients["student"], STUDENT)["upcoming"]) == 10
    courses = get(clients["instructor"], INSTRUCTOR)["courses"]
    assert len(courses) == 6
    assert all(
        [(k["seats_taken"], k["waitlist_count"]) for k in c["cohorts"]] == [(1, 0), (2, 1), (0, 0)] for c in courses
    )


# --- schema --------------------------------------------------------------------------------------
def test_dashboards_match_the_schema(clients, schedule):
    student = get(clients["student"], STUDENT)
    instructor = get(clients["instructor"], INSTRUCTOR)
    assert student["upcoming"] and any(c["cohorts"] for c in instructor["courses"])
    assert schema_errors(student, "StudentDashboard") == []
    assert schema_errors(instructor, "InstructorDashboard") == []
    assert schema_errors(examples.STUDENT_DASHBOARD, "StudentDashboard") == []
    assert schema_errors(examples.INSTRUCTOR_DASHBOARD, "InstructorDashboard") == []
