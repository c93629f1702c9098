"""`GET /me/calendar/`: each type of event at its date for a student (lessons opening, their own due
dates, the live sessions of their audience, their cohort's start) and for an instructor (what is
the same for every student of the courses they teach), the range and its boundaries to the second,
the order, bad input, and a query count that does not grow with the courses and items.

The clock is frozen at NOW for every test (time_machine, tick=False)."""

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
import time_machine

from accounts.tests.factories import InstructorFactory, StudentFactory
from assignments.tests.factories import AssignmentFactory
from conftest import client_for
from courses import services as courses
from courses.models import Enrollment, EnrollmentStatus
from courses.tests.factories import EnrollmentFactory, LessonFactory, PublishedCourseFactory, SectionFactory
from quizzes.tests.factories import QuizFactory
from schedules.models import CohortMember, MemberStatus

from .factories import CohortFactory, LiveSessionFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/me/calendar/"
NOW = datetime(2030, 6, 15, 10, 30, 0, tzinfo=UTC)
TODAY = datetime(2030, 6, 15, tzinfo=UTC)  # the default range: from the start of today (UTC) ...
DEFAULT_END = TODAY + timedelta(days=31)  # ... to 31 days later
ENROLLED_AT = NOW - timedelta(days=2, hours=3, seconds=7)
DAY = timedelta(days=1)
SECOND = timedelta(seconds=1)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


# --- helpers -------------------------------------------------------------------------------------
def enroll(student, course, *, at=None, status=EnrollmentStatus.ACTIVE):
    enrollment = EnrollmentFactory(student=student, course=course, status=status)
    if at is not None:
        Enrollment.objects.filter(pk=enrollment.pk).update(enrolled_at=at)
        enrollment.refresh_from_db()
    return enrollment


def seat(student, cohort, status=MemberStatus.ENROLLED):
    extra = {"waitlisted_at": NOW} if status == MemberStatus.WAITLISTED else {}
    return CohortMember.objects.create(cohort=cohort, student=student, status=status, **extra)


def when(value: str) -> datetime:
    return datetime.fromisoformat(value)


def iso(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


def calendar(client, **params):
    response = client.get(URL, params)
    assert response.status_code == 200, response.content
    return response.json()


def keys(events) -> list[tuple[str, int]]:
    return [(e["type"], e["id"]) for e in events]


def key(kind, item) -> tuple[str, int]:
    return (kind, item.pk)


def api_url(route: str, pk: int) -> str:
    return f"http://testserver/api/v1/{route}/{pk}/"


# --- a student -----------------------------------------------------------------------------------
@pytest.fixture
def w(student, instructor):
    """`student` in a self-paced course (enrolled at ENROLLED_AT) and in a course with cohorts, seated
    in cohort A and waitlisted in cohort B; a course they are not enrolled in. Each kind of item
    with an absolute date and a relative one, previews, and sessions for everyone and per cohort."""
    w = SimpleNamespace()
    w.course = PublishedCourseFactory(instructor=instructor)
    section = SectionFactory(course=w.course)
    enroll(student, w.course, at=ENROLLED_AT)
    w.lesson_from = LessonFactory(
        section=section, available_from=NOW + timedelta(days=1, hours=2, minutes=3, seconds=4)
    )
    w.lesson_after = LessonFactory(section=section, available_after_days=5)
    w.preview_from = LessonFactory(section=section, is_preview=True, available_from=NOW + DAY)
    w.preview_after = LessonFactory(section=section, is_preview=True, available_after_days=3)
    w.prerequisite_only = LessonFactory(section=section)
    w.quiz_at = QuizFactory(course=w.course, due_at=NOW + timedelta(days=3, minutes=1))
    w.quiz_after = QuizFactory(course=w.course, due_after_days=4)
    w.quiz_undated = QuizFactory(course=w.course)
    w.assignment_at = AssignmentFactory(section=section, due_at=NOW + timedelta(days=6, seconds=1))
    w.assignment_after = AssignmentFactory(section=section, due_after_days=6)
    w.assignment_undated = AssignmentFactory(section=section)
    w.session = LiveSessionFactory(course=w.course, starts_at=NOW + 2 * DAY, duration_minutes=90)

    w.cohorted = PublishedCourseFactory(instructor=instructor)
    c_section = SectionFactory(course=w.cohorted)
    w.a = CohortFactory(course=w.cohorted, starts_at=NOW + timedelta(days=7, seconds=11), capacity=5)
    w.b = CohortFactory(course=w.cohorted, starts_at=NOW + 10 * DAY, capacity=5)
    enroll(student, w.cohorted, at=ENROLLED_AT)
    seat(student, w.a)
    seat(student, w.b, MemberStatus.WAITLISTED)
    seat(StudentFactory(), w.b)
    w.c_lesson_after = LessonFactory(section=c_section, available_after_days=3)
    w.c_lesson_from = LessonFactory(section=c_section, available_from=NOW + timedelta(hours=5))
    w.c_quiz_after = QuizFactory(course=w.cohorted, due_after_days=8)
    w.c_assignment_after = AssignmentFactory(section=c_section, due_after_days=9)
    w.session_all = LiveSessionFactory(course=w.cohorted, starts_at=NOW + 5 * DAY)
    w.session_a = LiveSessionFactory(course=w.cohorted, cohort=w.a, starts_at=NOW + 8 * DAY)
    w.session_b = LiveSessionFactory(course=w.cohorted, cohort=w.b, starts_at=NOW + 9 * DAY)

    w.stranger = PublishedCourseFactory(instructor=instructor)
    LessonFactory(section=SectionFactory(course=w.stranger), available_from=NOW + DAY)
    QuizFactory(course=w.stranger, due_at=NOW + DAY)
    LiveSessionFactory(course=w.stranger, starts_at=NOW + DAY)
    CohortFactory(course=w.stranger, starts_at=NOW + 3 * DAY)
    return w


def expected_for_student(w) -> list[dict]:
    a_start = w.a.starts_at
    rows = [
        ("lesson_release", w.lesson_from, w.course, NOW + timedelta(days=1, hours=2, minutes=3, seconds=4)),
        ("lesson_release", w.lesson_after, w.course, ENROLLED_AT + 5 * DAY),  # from the enrollment
        ("quiz_due", w.quiz_at, w.course, NOW + timedelta(days=3, minutes=1)),
        ("quiz_due", w.quiz_after, w.course, ENROLLED_AT + 4 * DAY),
        ("assignment_due", w.assignment_at, w.course, NOW + timedelta(days=6, seconds=1)),
        ("assignment_due", w.assignment_after, w.course, ENROLLED_AT + 6 * DAY),
        ("live_session", w.session, w.course, NOW + 2 * DAY),
        ("cohort_start", w.a, w.cohorted, a_start),
        ("lesson_release", w.c_lesson_after, w.cohorted, a_start + 3 * DAY),  # from the cohort's start
        ("lesson_release", w.c_lesson_from, w.cohorted, NOW + timedelta(hours=5)),
        ("quiz_due", w.c_quiz_after, w.cohorted, a_start + 8 * DAY),
        ("assignment_due", w.c_assignment_after, w.cohorted, a_start + 9 * DAY),
        ("live_session", w.session_all, w.cohorted, NOW + 5 * DAY),
        ("live_session", w.session_a, w.cohorted, NOW + 8 * DAY),
    ]
    routes = {"lesson_release": "lessons", "quiz_due": "quizzes", "assignment_due": "assignments",
              "cohort_start": "cohorts"}  # fmt: skip
    expected = []
    for kind, item, course, at in rows:
        session = kind == "live_session"
        expected.append(
            {
                "type": kind,
                "id": item.pk,
                "course": {"id": course.pk, "slug": course.slug, "title": course.title},
                "title": item.name if kind == "cohort_start" else item.title,
                "at": at,
                "ends_at": at + timedelta(minutes=item.duration_minutes) if session else None,
                "url": item.join_url if session else api_url(routes[kind], item.pk),
            }
        )
    return sorted(expected, key=lambda e: (e["at"], e["type"], e["id"]))


def parsed(events) -> list[dict]:
    return [{**e, "at": when(e["at"]), "ends_at": e["ends_at"] and when(e["ends_at"])} for e in events]


def test_a_student_sees_each_type_at_its_own_date(w, student_client):
    body = calendar(student_client)
    assert parsed(body) == expected_for_student(w)


def test_times_are_utc_to_the_second(w, student_client):
    body = calendar(student_client)
    by_key = {(e["type"], e["id"]): e for e in body}
    assert by_key[key("lesson_release", w.lesson_from)]["at"] == "2030-06-16T12:33:04Z"
    assert by_key[key("lesson_release", w.lesson_after)]["at"] == "2030-06-18T07:29:53Z"  # ENROLLED_AT + 5 days
    assert by_key[key("live_session", w.session)]["ends_at"] == "2030-06-17T12:00:00Z"


def test_a_student_never_sees_previews_other_cohorts_or_courses_they_are_not_in(w, student_client):
    shown = set(keys(calendar(student_client, **{"from": iso(NOW - 30 * DAY), "to": iso(NOW + 300 * DAY)})))
    hidden = {
        key("lesson_release", w.preview_from),
        key("lesson_release", w.preview_after),
        key("lesson_release", w.prerequisite_only),
        key("quiz_due", w.quiz_undated),
        key("assignment_due", w.assignment_undated),
        key("live_session", w.session_b),  # another cohort's session
        key("cohort_start", w.b),  # waitlisted there: no seat
    }
    assert not shown & hidden
    assert {e["course"]["id"] for e in calendar(student_client)} == {w.course.pk, w.cohorted.pk}


def test_another_student_of_cohort_b_sees_b_not_a(w):
    b_student = StudentFactory()
    enroll(b_student, w.cohorted)
    seat(b_student, w.b)
    body = calendar(client_for(b_student))
    shown = keys(body)
    assert key("cohort_start", w.b) in shown and key("live_session", w.session_b) in shown
    assert key("cohort_start", w.a) not in shown and key("live_session", w.session_a) not in shown
    assert key("live_session", w.session_all) in shown
    lesson = next(e for e in body if e["type"] == "lesson_release" and e["id"] == w.c_lesson_after.pk)
    assert when(lesson["at"]) == w.b.starts_at + 3 * DAY  # their own cohort's start


def test_a_revoked_enrollment_shows_nothing_of_its_course(w, student, student_client):
    """Even with the cohort seat row left behind: the calendar reads the active enrollment."""
    Enrollment.objects.filter(student=student, course=w.cohorted).update(status=EnrollmentStatus.REVOKED)
    assert {e["course"]["id"] for e in calendar(student_client)} == {w.course.pk}
    Enrollment.objects.filter(student=student, course=w.course).update(status=EnrollmentStatus.REVOKED)
    assert calendar(student_client) == []
    assert calendar(student_client, **{"from": iso(NOW - 300 * DAY), "to": iso(NOW + 60 * DAY)}) == []


def test_through_the_services_a_seat_shows_its_cohort_and_a_revoke_takes_it_away(student, instructor, admin_user):
    course = PublishedCourseFactory(instructor=instructor)
    a = CohortFactory(course=course, starts_at=NOW + 4 * DAY, capacity=1)
    b = CohortFactory(course=course, starts_at=NOW + 5 * DAY, capacity=1)
    lesson = LessonFactory(section=SectionFactory(course=course), available_after_days=1)
    session_a = LiveSessionFactory(course=course, cohort=a, starts_at=NOW + 6 * DAY)
    enrollment = courses.enrollment_create(student=student, course=course, cohort=a.pk)
    courses.enrollment_create(student=StudentFactory(), course=course, cohort=b.pk)
    body = calendar(client_for(student))
    assert keys(body) == [key("cohort_start", a), key("lesson_release", lesson), key("live_session", session_a)]
    assert when(body[1]["at"]) == a.starts_at + DAY
    courses.enrollment_revoke(actor=admin_user, enrollment=enrollment)
    assert calendar(client_for(student)) == []


def test_a_user_without_courses_gets_an_empty_list(db):
    assert calendar(client_for(StudentFactory())) == []
    assert calendar(client_for(InstructorFactory())) == []


def test_urls_are_absolute_api_addresses_and_join_links(w, student_client):
    for event in calendar(student_client):
        if event["type"] == "live_session":
            assert event["url"].startswith("https://meet.example.com/session-")
        else:
            assert event["url"].startswith("http://testserver/api/v1/")
            response = student_client.get(event["url"].removeprefix("http://testserver"))
            assert response.status_code in (200, 403), (event, response.status_code)  # it exists (403: not yet open)


# --- the range -----------------------------------------------------------------------------------
FROM = datetime(2030, 6, 20, 8, 0, 5, tzinfo=UTC)
TO = datetime(2030, 7, 1, 18, 45, 30, tzinfo=UTC)
EDGES = {"before": FROM - SECOND, "from": FROM, "to": TO, "after": TO + SECOND}


def one_of_each_at(at, *, student, instructor) -> dict[str, set]:
    """Every kind of event at `at`: for `student` (relative dates landing on it too) in courses
    `instructor` teaches. Returns the keys each should see."""
    course = PublishedCourseFactory(instructor=instructor)
    section = SectionFactory(course=course)
    enroll(student, course, at=at - 2 * DAY)
    lesson = LessonFactory(section=section, available_from=at)
    lesson_after = LessonFactory(section=section, available_after_days=2)
    quiz = QuizFactory(course=course, due_at=at)
    quiz_after = QuizFactory(course=course, due_after_days=2)
    assignment = AssignmentFactory(section=section, due_at=at)
    assignment_after = AssignmentFactory(section=section, due_after_days=2)
    session = LiveSessionFactory(course=course, starts_at=at)
    cohorted = PublishedCourseFactory(instructor=instructor)
    cohort = CohortFactory(course=cohorted, starts_at=at)
    enroll(student, cohorted)
    seat(student, cohort)
    cohort_lesson = LessonFactory(section=SectionFactory(course=cohorted), available_after_days=0)
    cohort_session = LiveSessionFactory(course=cohorted, cohort=cohort, starts_at=at)
    teaching = {
        key("lesson_release", lesson),
        key("quiz_due", quiz),
        key("assignment_due", assignment),
        key("live_session", session),
        key("live_session", cohort_session),
        key("cohort_start", cohort),
    }
    relative = {
        key("lesson_release", lesson_after),
        key("quiz_due", quiz_after),
        key("assignment_due", assignment_after),
        key("lesson_release", cohort_lesson),
    }
    return {"student": teaching | relative, "instructor": teaching}


@pytest.mark.parametrize("role", ["student", "instructor"])
@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("2030-06-20T08:00:05Z", "2030-07-01T18:45:30Z"),
        ("2030-06-20T10:00:05+02:00", "2030-07-01T13:45:30-05:00"),
        ("2030-06-20T08:00:05.000000+00:00", "2030-07-01T18:45:30.000000"),  # naive: UTC
    ],
)
def test_both_ends_of_the_range_are_included_to_the_second(student, instructor, role, start, end):
    made = {edge: one_of_each_at(at, student=student, instructor=instructor) for edge, at in EDGES.items()}
    client = client_for(student if role == "student" else instructor)
    body = calendar(client, **{"from": start, "to": end})
    assert set(keys(body)) == made["from"][role] | made["to"][role]
    assert len(body) == len(made["from"][role]) + len(made["to"][role])
    assert {when(e["at"]) for e in body} == {FROM, TO}


def test_the_default_range_is_today_utc_to_31_days_later(student, instructor, student_client):
    made = {
        edge: one_of_each_at(at, student=student, instructor=instructor)
        for edge, at in {
            "before": TODAY - SECOND,
            "from": TODAY,
            "to": DEFAULT_END,
            "after": DEFAULT_END + SECOND,
        }.items()
    }
    body = calendar(student_client)
    assert set(keys(body)) == made["from"]["student"] | made["to"]["student"]
    assert {when(e["at"]) for e in body} == {TODAY, DEFAULT_END}
    assert keys(calendar(client_for(instructor))) == keys(calendar(client_for(instructor), **{"from": iso(TODAY)}))


def test_a_date_is_its_midnight_utc(student, instructor, student_client):
    made = {edge: one_of_each_at(at, student=student, instructor=instructor)
            for edge, at in {"before": TODAY + DAY - SECOND, "from": TODAY + DAY, "to": TODAY + 3 * DAY,
                             "after": TODAY + 3 * DAY + SECOND}.items()}  # fmt: skip
    body = calendar(student_client, **{"from": "2030-06-16", "to": "2030-06-18"})
    assert set(keys(body)) == made["from"]["student"] | made["to"]["student"]


def test_only_from_given_the_range_is_31_days_from_it(student, instructor, student_client):
    start = datetime(2030, 9, 1, 12, tzinfo=UTC)
    made = {edge: one_of_each_at(at, student=student, instructor=instructor)
            for edge, at in {"to": start + 31 * DAY, "after": start + 31 * DAY + SECOND}.items()}  # fmt: skip
    assert set(keys(calendar(student_client, **{"from": iso(start)}))) == made["to"]["student"]


def test_a_range_of_exactly_366_days_is_allowed(student_client):
    assert calendar(student_client, **{"from": iso(NOW), "to": iso(NOW + 366 * DAY)}) == []
    assert calendar(student_client, **{"from": iso(NOW), "to": iso(NOW)}) == []


# --- order ---------------------------------------------------------------------------------------
def test_events_are_sorted_by_time_then_type_then_id(student, instructor, student_client):
    course = PublishedCourseFactory(instructor=instructor)
    section = SectionFactory(course=course)
    enroll(student, course)
    t1, t2 = NOW + 2 * DAY, NOW + 3 * DAY
    # made in an order, and with `order` values, unlike the expected one
    q_late = QuizFactory(course=course, due_at=t2, order=1)
    s1 = LiveSessionFactory(course=course, starts_at=t1)
    q_low = QuizFactory(course=course, due_at=t1, order=9)
    q_high = QuizFactory(course=course, due_at=t1, order=2)
    a1 = AssignmentFactory(section=section, due_at=t1, order=9)
    lesson = LessonFactory(section=section, available_from=t1, order=1)
    s0 = LiveSessionFactory(course=course, starts_at=t1 - SECOND)
    assert q_low.pk < q_high.pk
    assert keys(calendar(student_client)) == [
        key("live_session", s0),
        key("assignment_due", a1),
        key("lesson_release", lesson),
        key("live_session", s1),
        key("quiz_due", q_low),
        key("quiz_due", q_high),
        key("quiz_due", q_late),
    ]


# --- an instructor -------------------------------------------------------------------------------
def teaching_world(teacher):
    """A course `teacher` teaches with two cohorts and each kind of item, absolute and relative."""
    t = SimpleNamespace()
    t.course = PublishedCourseFactory(instructor=teacher)
    section = SectionFactory(course=t.course)
    t.a = CohortFactory(course=t.course, starts_at=NOW + 4 * DAY)
    t.b = CohortFactory(course=t.course, starts_at=NOW + 6 * DAY)
    t.lesson_from = LessonFactory(section=section, available_from=NOW + DAY)
    t.lesson_after = LessonFactory(section=section, available_after_days=1)
    t.preview = LessonFactory(section=section, is_preview=True, available_from=NOW + DAY)
    t.quiz_at = QuizFactory(course=t.course, due_at=NOW + 2 * DAY)
    t.quiz_after = QuizFactory(course=t.course, due_after_days=2)
    t.assignment_at = AssignmentFactory(section=section, due_at=NOW + 3 * DAY)
    t.assignment_after = AssignmentFactory(section=section, due_after_days=3)
    t.session_all = LiveSessionFactory(course=t.course, starts_at=NOW + 5 * DAY)
    t.session_a = LiveSessionFactory(course=t.course, cohort=t.a, starts_at=NOW + 7 * DAY)
    t.session_b = LiveSessionFactory(course=t.course, cohort=t.b, starts_at=NOW + 8 * DAY)
    enroll(StudentFactory(), t.course, at=NOW - DAY)  # students change nothing for the teacher
    t.shown = [
        key("lesson_release", t.lesson_from),
        key("quiz_due", t.quiz_at),
        key("assignment_due", t.assignment_at),
        key("cohort_start", t.a),
        key("live_session", t.session_all),
        key("cohort_start", t.b),
        key("live_session", t.session_a),
        key("live_session", t.session_b),
    ]
    return t


def test_an_instructor_sees_what_is_the_same_for_every_student_of_their_courses(instructor, other_instructor):
    mine, theirs = teaching_world(instructor), teaching_world(other_instructor)
    body = calendar(client_for(instructor))
    assert keys(body) == mine.shown  # no relative dates, no preview, nothing of another instructor's
    by_key = {(e["type"], e["id"]): e for e in body}
    assert when(by_key[key("cohort_start", mine.a)]["at"]) == mine.a.starts_at
    assert by_key[key("cohort_start", mine.a)]["url"] == api_url("cohorts", mine.a.pk)
    assert by_key[key("live_session", mine.session_a)]["url"] == mine.session_a.join_url
    assert by_key[key("quiz_due", mine.quiz_at)]["course"]["id"] == mine.course.pk
    assert keys(calendar(client_for(other_instructor))) == theirs.shown


def test_an_admin_sees_only_the_courses_they_teach(instructor, admin_user, admin_client):
    teaching_world(instructor)
    assert calendar(admin_client) == []
    own = teaching_world(admin_user)
    assert keys(calendar(admin_client)) == own.shown


def test_an_instructor_enrolled_elsewhere_sees_both(instructor, other_instructor):
    mine, theirs = teaching_world(instructor), teaching_world(other_instructor)
    enroll(instructor, theirs.course, at=NOW - DAY)
    seat(instructor, theirs.a)
    shown = keys(calendar(client_for(instructor)))
    assert set(mine.shown) <= set(shown)
    learning = {key("lesson_release", theirs.lesson_after), key("quiz_due", theirs.quiz_after),
                key("live_session", theirs.session_a), key("cohort_start", theirs.a)}  # fmt: skip
    assert learning <= set(shown)
    assert key("live_session", theirs.session_b) not in shown and key("cohort_start", theirs.b) not in shown
    assert len(shown) == len(set(shown))


def test_a_teacher_enrolled_in_their_own_course_gets_each_event_once(instructor):
    t = teaching_world(instructor)
    enroll(instructor, t.course, at=NOW - DAY)
    seat(instructor, t.a)
    shown = keys(calendar(client_for(instructor)))
    assert len(shown) == len(set(shown))
    assert set(t.shown) <= set(shown)


# --- bad input -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2030-06-20T00:00:00Z", "to": "2030-06-19T23:59:59Z"}, "to"),  # to before from
        ({"to": "2030-06-14T23:59:59Z"}, "to"),  # before the default from (today)
        ({"from": "2030-01-01T00:00:00Z", "to": "2031-01-02T00:00:01Z"}, "to"),  # 366 days and a second
        ({"from": "2030-01-01", "to": "2032-01-01"}, "to"),
        ({"from": "soon"}, "from"),
        ({"to": "2030-13-01"}, "to"),
        ({"from": "2030-06-20T25:00:00Z"}, "from"),
        ({"from": "9999-01-01T00:00:00Z"}, "from"),
        ({"from": "9999-12-31T23:59:59Z"}, "from"),
        ({"to": "9999-12-31T23:59:59Z"}, "to"),
        ({"from": "9999-12-31T00:00:00Z", "to": "9999-12-31T23:59:59Z"}, "from"),
        ({"from": "9999-12-31T23:59:59-05:00"}, "from"),  # past the largest time once in UTC
        ({"from": "0001-01-01T00:00:00+05:00"}, "from"),  # before the smallest time once in UTC
    ],
)
def test_bad_input_is_a_400_naming_the_field(student_client, params, field):
    response = student_client.get(URL, params)
    assert response.status_code == 400, response.content
    body = response.json()
    assert field in body and isinstance(body[field], list) and body[field], body


def test_the_latest_and_earliest_ranges_work(student, instructor, student_client):
    teaching_world(instructor)
    enroll(student, PublishedCourseFactory(instructor=instructor))
    assert calendar(student_client, **{"from": "9997-12-31T23:59:59Z"}) == []
    assert calendar(student_client, **{"from": "0001-01-01T00:00:00Z"}) == []
    assert calendar(client_for(instructor), **{"from": "0001-01-01T00:00:00Z", "to": "0001-12-31"}) == []


def test_anonymous_is_a_401(anon_client):
    response = anon_client.get(URL)
    assert response.status_code == 401
    assert "detail" in response.json()


def test_a_bad_bearer_token_is_a_401(db):
    client = client_for(None)
    client.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")
    assert client.get(URL).status_code == 401


# --- queries -------------------------------------------------------------------------------------
def busy_world(n: int, *, student, instructor):
    """`n` courses `instructor` teaches and `student` is enrolled in (every other one seated in a
    cohort), each with several lessons, quizzes, assignments, sessions and cohorts in range."""
    for i in range(n):
        course = PublishedCourseFactory(instructor=instructor)
        section = SectionFactory(course=course)
        a, b = CohortFactory(course=course, starts_at=NOW + DAY), CohortFactory(course=course, starts_at=NOW + 2 * DAY)
        enroll(student, course, at=NOW - DAY)
        if i % 2:
            seat(student, a)
        for d in range(1, 4):
            LessonFactory(section=section, available_from=NOW + d * DAY)
            LessonFactory(section=section, available_after_days=d)
            QuizFactory(course=course, due_at=NOW + d * DAY)
            QuizFactory(course=course, due_after_days=d)
            AssignmentFactory(section=section, due_at=NOW + d * DAY)
            AssignmentFactory(section=section, due_after_days=d)
            LiveSessionFactory(course=course, starts_at=NOW + d * DAY)
            LiveSessionFactory(course=course, cohort=a, starts_at=NOW + d * DAY)
            LiveSessionFactory(course=course, cohort=b, starts_at=NOW + d * DAY)


# The signed-in user (JWT), then calendar.events_for_user: 13 queries in all for someone who both
# studies and teaches (the student part: enrollments, the cohort anchors, seats, lessons, quizzes,
# assignments, sessions; the teaching part: courses, sessions, cohorts, lessons, quizzes,
# assignments). A part with nothing to read stops after its first query.
STUDENT_QUERIES = 1 + 7 + 1
INSTRUCTOR_QUERIES = 1 + 1 + 6
BOTH_QUERIES = 1 + 7 + 6


@pytest.mark.parametrize(
    ("role", "most"), [("student", STUDENT_QUERIES), ("instructor", INSTRUCTOR_QUERIES), ("both", BOTH_QUERIES)]
)
def test_the_query_count_does_not_grow_with_courses_and_items(role, most, django_assert_max_num_queries):
    counts, lengths = [], []
    for n in (2, 8):
        student, instructor = StudentFactory(), InstructorFactory()
        busy_world(n, student=student, instructor=instructor)
        if role == "both":
            busy_world(n, student=instructor, instructor=InstructorFactory())
        user = {"student": student, "instructor": instructor, "both": instructor}[role]
        client = client_for(user)
        with django_assert_max_num_queries(most) as captured:
            body = calendar(client)
        counts.append(len(captured.captured_queries))
        lengths.append(len(body))
    assert counts[0] == counts[1]
    assert lengths[1] == 4 * lengths[0] > 0
