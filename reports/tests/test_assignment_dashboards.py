"""The assignments on the dashboards: a student's work due soon and recently graded, an instructor's
submissions to grade per course with the oldest waiting. Figures against hand-built fixtures at a
frozen time, with the boundaries of "due soon" to the second."""

import datetime
from decimal import Decimal

import pytest
import time_machine

from accounts.tests.factories import StudentFactory
from assignments import services
from assignments.models import Submission
from assignments.tests.factories import AssignmentFactory
from conftest import client_for
from courses.models import Enrollment
from courses.services import enrollment_revoke
from courses.tests.factories import EnrollmentFactory, PublishedCourseFactory, SectionFactory
from lms.tests.openapi import schema_errors
from reports.api import examples

pytestmark = pytest.mark.django_db

STUDENT = "/api/v1/dashboard/student/"
INSTRUCTOR = "/api/v1/dashboard/instructor/"
NOW = datetime.datetime(2026, 11, 10, 12, 0, tzinfo=datetime.UTC)  # the dashboards are read at this instant


def at(**delta) -> datetime.datetime:
    return NOW + datetime.timedelta(**delta)


def iso(when: datetime.datetime) -> str:
    return when.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z")


def assignment(course, title: str, **fields):
    return AssignmentFactory(section=SectionFactory(course=course), title=title, **fields)


def submit(student, work, when: datetime.datetime):
    with time_machine.travel(when, tick=False):
        return services.submission_create(student=student, assignment=work, text="My work")


def grade(grader, submission, when: datetime.datetime, score):
    with time_machine.travel(when, tick=False):
        return services.submission_grade(actor=grader, submission=submission, score=score)


def read(client, path, when: datetime.datetime = NOW):
    """`path` read at `when` by the client's user, signed in then (a token of theirs issued at `when`)."""
    with time_machine.travel(when, tick=False):
        return client_for(client.user).get(path)


def get(client, path, when: datetime.datetime = NOW) -> dict:
    response = read(client, path, when)
    assert response.status_code == 200, response.content
    return response.json()


# --- student: due soon ---------------------------------------------------------------------------
@pytest.fixture
def due(instructor, other_instructor, student, other_student):
    """Hand-built: the student's list is now, +3 days, +5 days (another instructor's course), +14 days."""
    main = PublishedCourseFactory(instructor=instructor, title="Main", slug="main")
    left = PublishedCourseFactory(instructor=instructor, title="Left")
    theirs = PublishedCourseFactory(instructor=other_instructor, title="Theirs", slug="theirs")
    for course in (main, left, theirs):
        EnrollmentFactory(student=student, course=course)
    EnrollmentFactory(student=other_student, course=main)
    works = {
        "now": assignment(main, "Due now", due_at=NOW, points=40),  # the lower bound is included
        "missed": assignment(main, "Missed", due_at=at(seconds=-1)),  # past due: not "soon"
        "last day": assignment(main, "Last day", due_at=at(days=14)),  # the upper bound is included
        "too far": assignment(main, "Too far", due_at=at(days=14, seconds=1)),
        "undated": assignment(main, "Undated"),
        "handed in": assignment(main, "Handed in", due_at=at(days=2)),
        "theirs done": assignment(main, "Others handed in", due_at=at(days=3)),
        "left": assignment(left, "In a course I left", due_at=at(days=1)),
        "elsewhere": assignment(theirs, "Elsewhere", due_at=at(days=5)),
    }
    submit(student, works["handed in"], at(hours=-1))
    submit(other_student, works["theirs done"], at(hours=-1))
    enrollment_revoke(actor=None, enrollment=Enrollment.objects.get(student=student, course=left))
    return works


def test_due_soon_lists_unsubmitted_work_of_active_enrollments_nearest_first(clients, due):
    body = get(clients["student"], STUDENT)
    assert body["assignments_due_soon"] == [
        {
            "id": due["now"].pk,
            "title": "Due now",
            "course": {"id": due["now"].course_id, "slug": "main", "title": "Main"},
            "due_at": iso(NOW),
            "points": 40,
        },
        {
            "id": due["theirs done"].pk,
            "title": "Others handed in",
            "course": {"id": due["now"].course_id, "slug": "main", "title": "Main"},
            "due_at": iso(at(days=3)),
            "points": 100,
        },
        {
            "id": due["elsewhere"].pk,
            "title": "Elsewhere",
            "course": {"id": due["elsewhere"].course_id, "slug": "theirs", "title": "Theirs"},
            "due_at": iso(at(days=5)),
            "points": 100,
        },
        {
            "id": due["last day"].pk,
            "title": "Last day",
            "course": {"id": due["now"].course_id, "slug": "main", "title": "Main"},
            "due_at": iso(at(days=14)),
            "points": 100,
        },
    ]


def test_due_soon_of_another_student_is_their_own(clients, due):
    """other_student is enrolled in Main only and handed in what the student did not."""
    body = get(clients["other_student"], STUDENT)
    assert [a["title"] for a in body["assignments_due_soon"]] == ["Due now", "Handed in", "Last day"]


def test_due_soon_moves_with_the_clock(clients, due):
    """A second later "Due now" has passed and "Too far" is 14 days ahead: the window moved."""
    body = get(clients["student"], STUDENT, at(seconds=1))
    titles = [a["title"] for a in body["assignments_due_soon"]]
    assert titles == ["Others handed in", "Elsewhere", "Last day", "Too far"]
    body = get(clients["student"], STUDENT, at(days=3, seconds=1))
    assert [a["title"] for a in body["assignments_due_soon"]] == ["Elsewhere", "Last day", "Too far"]


def test_due_soon_shows_the_nearest_five(clients, instructor, student):
    course = PublishedCourseFactory(instructor=instructor)
    EnrollmentFactory(student=student, course=course)
    later = [assignment(course, f"Day {day}", due_at=at(days=day)) for day in (7, 6, 5, 4, 3, 2, 1)]
    same_time = assignment(course, "Also day 1", due_at=at(days=1))  # ties: the older assignment first

    titles = [a["title"] for a in get(clients["student"], STUDENT)["assignments_due_soon"]]

    assert titles == ["Day 1", "Also day 1", "Day 2", "Day 3", "Day 4"]
    assert later[-1].pk < same_time.pk


def test_a_submission_takes_the_assignment_off_the_list(clients, due, student):
    submit(student, due["elsewhere"], NOW)
    assert "Elsewhere" not in [a["title"] for a in get(clients["student"], STUDENT)["assignments_due_soon"]]


# --- student: recently graded --------------------------------------------------------------------
@pytest.fixture
def graded(instructor, other_instructor, student, other_student):
    """Hand-built grades; the expected list is in test_recently_graded_figures."""
    main = PublishedCourseFactory(instructor=instructor, title="Main", slug="main")
    left = PublishedCourseFactory(instructor=instructor, title="Left")
    theirs = PublishedCourseFactory(instructor=other_instructor, title="Theirs", slug="theirs")
    for course in (main, left, theirs):
        EnrollmentFactory(student=student, course=course)
    EnrollmentFactory(student=other_student, course=main)
    essay = assignment(main, "Essay", points=50)
    late = assignment(
        main, "Late work", due_at=at(days=-3), penalty_percent_per_day=Decimal("10"), max_attempts=2
    )  # 100 points, 10% off per day late
    project = assignment(theirs, "Project", points=20)
    gone = assignment(left, "Gone")
    waiting = assignment(main, "Waiting")

    essay_work = submit(student, essay, at(days=-4))
    grade(instructor, essay_work, at(hours=-5), 30)  # 60%
    late_work = submit(student, late, at(days=-2, hours=-12))  # 12 h late: one day's penalty
    grade(instructor, late_work, at(hours=-4), 80)  # 80 - 8 = 72
    late_again = submit(student, late, at(days=-2))  # a second attempt (24 h late: still one day)
    grade(instructor, late_again, at(hours=-3), 90)  # 90 - 9 = 81
    project_work = submit(student, project, at(days=-1))
    grade(other_instructor, project_work, at(hours=-2), 15)  # 75%
    grade(instructor, essay_work, at(hours=-1), 45)  # re-graded: 90%, now the most recent
    grade(instructor, submit(student, gone, at(days=-1)), at(minutes=-30), 100)  # then the student left
    enrollment_revoke(actor=None, enrollment=Enrollment.objects.get(student=student, course=left))
    submit(student, waiting, at(hours=-1))  # not graded
    grade(instructor, submit(other_student, essay, at(days=-1)), at(minutes=-10), 10)  # someone else's
    return {"essay": essay_work, "late": late_work, "late again": late_again, "project": project_work}


def test_recently_graded_figures(clients, graded):
    body = get(clients["student"], STUDENT)
    essay, late, again, project = (graded[k] for k in ("essay", "late", "late again", "project"))
    main = {"id": essay.assignment.course_id, "slug": "main", "title": "Main"}
    assert body["recently_graded"] == [
        {
            "submission": essay.pk,
            "attempt": 1,
            "assignment": {"id": essay.assignment_id, "title": "Essay", "points": 50},
            "course": main,
            "points": "45.00",
            "percent": "90.00",
            "graded_at": iso(at(hours=-1)),
        },
        {
            "submission": project.pk,
            "attempt": 1,
            "assignment": {"id": project.assignment_id, "title": "Project", "points": 20},
            "course": {"id": project.assignment.course_id, "slug": "theirs", "title": "Theirs"},
            "points": "15.00",
            "percent": "75.00",
            "graded_at": iso(at(hours=-2)),
        },
        {
            "submission": again.pk,
            "attempt": 2,
            "assignment": {"id": late.assignment_id, "title": "Late work", "points": 100},
            "course": main,
            "points": "81.00",
            "percent": "81.00",
            "graded_at": iso(at(hours=-3)),
        },
        {
            "submission": late.pk,
            "attempt": 1,
            "assignment": {"id": late.assignment_id, "title": "Late work", "points": 100},
            "course": main,
            "points": "72.00",
            "percent": "72.00",
            "graded_at": iso(at(hours=-4)),
        },
    ]


def test_recently_graded_of_another_student_is_their_own(clients, graded):
    body = get(clients["other_student"], STUDENT)
    assert [(g["assignment"]["title"], g["points"]) for g in body["recently_graded"]] == [("Essay", "10.00")]


def test_recently_graded_shows_the_five_latest(clients, instructor, student):
    course = PublishedCourseFactory(instructor=instructor)
    EnrollmentFactory(student=student, course=course)
    for hours in range(7, 0, -1):  # graded 7 hours ago, 6, ... 1
        work = assignment(course, f"{hours} h ago")
        grade(instructor, submit(student, work, at(hours=-8)), at(hours=-hours), 50)
    titles = [g["assignment"]["title"] for g in get(clients["student"], STUDENT)["recently_graded"]]
    assert titles == ["1 h ago", "2 h ago", "3 h ago", "4 h ago", "5 h ago"]


def test_grades_come_back_with_a_new_enrollment(clients, instructor, student):
    """Left out while the enrollment is revoked (its assignment is closed to the student); back when
    they enroll again."""
    course = PublishedCourseFactory(instructor=instructor)
    enrollment = EnrollmentFactory(student=student, course=course)
    grade(instructor, submit(student, assignment(course, "Essay"), at(days=-1)), at(hours=-1), 70)
    enrollment_revoke(actor=None, enrollment=enrollment)
    assert get(clients["student"], STUDENT)["recently_graded"] == []
    EnrollmentFactory(student=student, course=course)
    assert [g["percent"] for g in get(clients["student"], STUDENT)["recently_graded"]] == ["70.00"]


# --- instructor ----------------------------------------------------------------------------------
@pytest.fixture
def to_grade(instructor, other_instructor, student, other_student):
    """Main: four submissions waiting, the oldest 20 hours ago (a student who has since left: their
    work still waits in next-ungraded); Quiet: graded only; Empty: nothing; Theirs: another
    instructor's, one waiting."""
    s3, s4 = StudentFactory(), StudentFactory()
    main = PublishedCourseFactory(instructor=instructor, title="Main")
    quiet = PublishedCourseFactory(instructor=instructor, title="Quiet")
    PublishedCourseFactory(instructor=instructor, title="Empty")
    theirs = PublishedCourseFactory(instructor=other_instructor, title="Theirs")
    for who in (student, other_student, s3, s4):
        for course in (main, quiet, theirs):
            EnrollmentFactory(student=who, course=course)
    essay, quiz_like = assignment(main, "Essay"), assignment(main, "Short answers", max_attempts=3)
    submit(student, essay, at(hours=-5))
    submit(other_student, essay, at(hours=-3))
    grade(instructor, submit(s3, essay, at(hours=-10)), at(hours=-9), 50)  # graded: not waiting
    submit(s4, quiz_like, at(hours=-20))
    enrollment_revoke(actor=None, enrollment=Enrollment.objects.get(student=s4, course=main))
    regraded = submit(student, quiz_like, at(hours=-30))
    grade(instructor, regraded, at(hours=-29), 40)
    grade(instructor, regraded, at(hours=-28), 60)  # re-graded: still graded
    submit(student, quiz_like, at(hours=-2))  # a second attempt after a grade: waiting
    grade(instructor, submit(student, assignment(quiet, "Done"), at(hours=-8)), at(hours=-7), 90)
    submit(student, assignment(theirs, "Theirs"), at(hours=-40))
    return {"main": main, "essay": essay, "quiz_like": quiz_like}


def test_instructor_submissions_to_grade(clients, to_grade):
    body = get(clients["instructor"], INSTRUCTOR)
    courses = {c["title"]: c for c in body["courses"]}
    assert set(courses) == {"Main", "Quiet", "Empty"}
    assert (courses["Main"]["submissions_to_grade"], courses["Main"]["oldest_waiting_at"]) == (4, iso(at(hours=-20)))
    assert (courses["Quiet"]["submissions_to_grade"], courses["Quiet"]["oldest_waiting_at"]) == (0, None)
    assert (courses["Empty"]["submissions_to_grade"], courses["Empty"]["oldest_waiting_at"]) == (0, None)
    assert body["totals"]["submissions_to_grade"] == 4
    assert body["totals"]["oldest_waiting_at"] == iso(at(hours=-20))


def test_the_oldest_waiting_is_what_next_ungraded_gives(clients, to_grade):
    """The dashboard's queue is the grading queue: the same submissions, the same oldest."""
    for work, hours in ((to_grade["quiz_like"], -20), (to_grade["essay"], -5)):
        response = read(clients["instructor"], f"/api/v1/assignments/{work.pk}/next-ungraded/")
        assert response.status_code == 200 and response.json()["submitted_at"] == iso(at(hours=hours))
    course = get(clients["instructor"], INSTRUCTOR)["courses"]
    assert [c["oldest_waiting_at"] for c in course if c["title"] == "Main"] == [iso(at(hours=-20))]


def test_grading_empties_the_queue(clients, instructor, to_grade):
    for submission in Submission.objects.filter(assignment__course=to_grade["main"], status="submitted"):
        grade(instructor, submission, NOW, 50)
    row = next(c for c in get(clients["instructor"], INSTRUCTOR)["courses"] if c["title"] == "Main")
    assert (row["submissions_to_grade"], row["oldest_waiting_at"]) == (0, None)


def test_another_instructor_sees_only_their_own_queue(clients, to_grade):
    body = get(clients["other_instructor"], INSTRUCTOR)
    assert [(c["title"], c["submissions_to_grade"], c["oldest_waiting_at"]) for c in body["courses"]] == [
        ("Theirs", 1, iso(at(hours=-40)))
    ]
    assert body["totals"]["submissions_to_grade"] == 1


# --- roles and the schema ------------------------------------------------------------------------
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
def test_who_reads_which_dashboard_with_assignments(clients, due, to_grade, role, student_status, instructor_status):
    student, instructor = read(clients[role], STUDENT), read(clients[role], INSTRUCTOR)
    assert (student.status_code, instructor.status_code) == (student_status, instructor_status)
    if student_status == 200:  # never another student's work
        mine = {a["id"] for a in student.json()["assignments_due_soon"]} | {
            g["assignment"]["id"] for g in student.json()["recently_graded"]
        }
        user = clients[role].user
        assert mine and all(Enrollment.objects.filter(student=user, course__assignments=pk).exists() for pk in mine)


def test_dashboards_match_their_schema_and_examples(clients, graded, to_grade):
    assert schema_errors(get(clients["student"], STUDENT), "StudentDashboard") == []
    assert schema_errors(get(clients["instructor"], INSTRUCTOR), "InstructorDashboard") == []
    assert schema_errors(examples.STUDENT_DASHBOARD, "StudentDashboard") == []
    assert schema_errors(examples.INSTRUCTOR_DASHBOARD, "InstructorDashboard") == []
    assert schema_errors({**examples.STUDENT_DASHBOARD, "recently_graded": [{"submission": 1}]}, "StudentDashboard")
