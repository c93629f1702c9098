"""The calendar as an iCalendar feed: `POST /me/calendar/token/` issues the feed's address,
`GET /me/calendar.ics?token=` serves RFC 5545, parsed back here with the `icalendar` library: the
same events as `/me/calendar/` for the last 30 days and the next year, stable UIDs that keep their
event when it moves, and a token that is a per-user secret (hashed, rotated, never a JWT, opening
nothing else).

The clock is frozen at NOW for every test (time_machine, tick=False)."""

import hashlib
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
import time_machine
from icalendar import Calendar
from rest_framework.test import APIClient
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.tokens import UntypedToken

from accounts.services import tokens_for_user
from accounts.tests.factories import InstructorFactory, StudentFactory
from assignments.tests.factories import AssignmentFactory
from conftest import client_for
from courses.models import Enrollment
from courses.tests.factories import EnrollmentFactory, LessonFactory, PublishedCourseFactory, SectionFactory
from quizzes.tests.factories import QuizFactory
from schedules.models import CalendarFeed, CohortMember, MemberStatus

from .factories import CohortFactory, LiveSessionFactory

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/me/calendar/token/"
FEED_URL = "/api/v1/me/calendar.ics"
HOST = "lms.example.com"
NOW = datetime(2030, 6, 15, 10, 30, 0, tzinfo=UTC)
DAY = timedelta(days=1)
SECOND = timedelta(seconds=1)
ENROLLED_AT = NOW - timedelta(days=40, hours=1, seconds=9)
SUMMARIES = {
    "lesson_release": "Opens: {}",
    "quiz_due": "Quiz due: {}",
    "assignment_due": "Assignment due: {}",
    "live_session": "Live: {}",
    "cohort_start": "{} starts",
}


@pytest.fixture(autouse=True)
def frozen(settings):
    settings.SITE_URL = f"https://{HOST}"
    with time_machine.travel(NOW, tick=False):
        yield


# --- helpers -------------------------------------------------------------------------------------
def enroll(student, course, *, at=None):
    enrollment = EnrollmentFactory(student=student, course=course)
    if at is not None:
        Enrollment.objects.filter(pk=enrollment.pk).update(enrolled_at=at)
    return enrollment


def seat(student, cohort, status=MemberStatus.ENROLLED):
    extra = {"waitlisted_at": NOW} if status == MemberStatus.WAITLISTED else {}
    return CohortMember.objects.create(cohort=cohort, student=student, status=status, **extra)


def iso(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


def issue(user) -> dict:
    response = client_for(user).post(TOKEN_URL)
    assert response.status_code == 201, response.content
    return response.json()


def fetch(url_or_token: str, client=None, **headers):
    """The feed's response, from a client sending no Authorization header (as calendar apps do)."""
    client = client or APIClient()
    if url_or_token.startswith("http"):
        return client.get(url_or_token.removeprefix("http://testserver"), **headers)
    return client.get(FEED_URL, {"token": url_or_token}, **headers)


def parse(response) -> Calendar:
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.content)


def vevents(calendar: Calendar) -> dict[str, object]:
    events = calendar.walk("VEVENT")
    uids = [str(e["UID"]) for e in events]
    assert len(uids) == len(set(uids)), "a UID appears twice"
    return dict(zip(uids, events, strict=True))


def json_events(user, start, end) -> list[dict]:
    """`/me/calendar/` from `start` to `end` (over 366 days: in two ranges, merged)."""
    client, events, seen = client_for(user), [], set()
    middle = min(end, start + timedelta(days=365))
    for lo, hi in ((start, middle), (middle, end)):
        response = client.get("/api/v1/me/calendar/", {"from": iso(lo), "to": iso(hi)})
        assert response.status_code == 200, response.content
        for event in response.json():
            if (event["type"], event["id"]) not in seen:
                seen.add((event["type"], event["id"]))
                events.append(event)
    return events


def uid(kind: str, item) -> str:
    return f"{kind}-{item.pk}@{HOST}"


def dtstart(event) -> datetime:
    return event.decoded("DTSTART")


# --- the student's world -------------------------------------------------------------------------
@pytest.fixture
def w(student, instructor):
    """`student` in a self-paced course (enrolled 40 days ago) and in a course with cohorts (seated
    in A, waitlisted in B), with items on both edges of the feed's window and just outside."""
    w = SimpleNamespace()
    w.course = PublishedCourseFactory(instructor=instructor, title="Data, science; and über-things")
    section = SectionFactory(course=w.course)
    enroll(student, w.course, at=ENROLLED_AT)
    w.lesson_first = LessonFactory(section=section, available_from=NOW - 30 * DAY)  # the window's first second
    w.lesson_too_early = LessonFactory(section=section, available_from=NOW - 30 * DAY - SECOND)
    w.lesson_after = LessonFactory(section=section, available_after_days=15)  # NOW - 25 days and a bit
    w.preview = LessonFactory(section=section, is_preview=True, available_from=NOW + DAY)
    w.quiz_last = QuizFactory(course=w.course, due_at=NOW + 365 * DAY)  # the window's last second
    w.quiz_too_late = QuizFactory(course=w.course, due_at=NOW + 365 * DAY + SECOND)
    w.quiz_after = QuizFactory(course=w.course, due_after_days=100)
    w.assignment_at = AssignmentFactory(section=section, due_at=NOW + timedelta(days=3, hours=4, minutes=5, seconds=6))
    w.assignment_after = AssignmentFactory(section=section, due_after_days=50)
    w.session = LiveSessionFactory(
        course=w.course, title="Q&A; live, über alles", starts_at=NOW + DAY, duration_minutes=45
    )
    w.past_session = LiveSessionFactory(course=w.course, starts_at=NOW - 2 * DAY, duration_minutes=1440)

    w.cohorted = PublishedCourseFactory(instructor=instructor)
    w.a = CohortFactory(course=w.cohorted, starts_at=NOW + timedelta(days=20, seconds=3), capacity=5)
    w.b = CohortFactory(course=w.cohorted, starts_at=NOW + 30 * DAY, capacity=5)
    enroll(student, w.cohorted, at=ENROLLED_AT)
    seat(student, w.a)
    seat(student, w.b, MemberStatus.WAITLISTED)
    w.c_lesson = LessonFactory(section=SectionFactory(course=w.cohorted), available_after_days=2)
    w.session_a = LiveSessionFactory(course=w.cohorted, cohort=w.a, starts_at=NOW + 21 * DAY, duration_minutes=120)
    w.session_b = LiveSessionFactory(course=w.cohorted, cohort=w.b, starts_at=NOW + 31 * DAY)
    return w


EXPECTED_UIDS = (
    ("lesson_release", "lesson_first"),
    ("lesson_release", "lesson_after"),
    ("quiz_due", "quiz_last"),
    ("quiz_due", "quiz_after"),
    ("assignment_due", "assignment_at"),
    ("assignment_due", "assignment_after"),
    ("live_session", "session"),
    ("live_session", "past_session"),
    ("cohort_start", "a"),
    ("lesson_release", "c_lesson"),
    ("live_session", "session_a"),
)


# --- issuing the address -------------------------------------------------------------------------
def test_issuing_answers_the_token_and_the_feeds_address(student):
    body = issue(student)
    assert set(body) == {"token", "url"}
    assert len(body["token"]) >= 32
    assert body["url"] == f"http://testserver{FEED_URL}?token={body['token']}"


def test_anonymous_cannot_issue_a_token(anon_client):
    assert anon_client.post(TOKEN_URL).status_code == 401
    assert CalendarFeed.objects.count() == 0


def test_only_a_hash_of_the_token_is_kept(student):
    token = issue(student)["token"]
    feed = CalendarFeed.objects.get(user=student)
    assert feed.token_hash != token
    assert token not in feed.token_hash
    assert feed.token_hash == hashlib.sha256(token.encode()).hexdigest()


# --- the feed ------------------------------------------------------------------------------------
def test_the_feed_is_an_icalendar_document(w, student):
    response = fetch(issue(student)["url"])
    calendar = parse(response)
    assert calendar.name == "VCALENDAR"
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["PRODID"]) == "-//LMS//Calendar feed//EN"
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert student.get_full_name() in str(calendar["X-WR-CALNAME"])
    assert response.content.startswith(b"BEGIN:VCALENDAR\r\n")
    assert response.content.rstrip().endswith(b"END:VCALENDAR")
    assert all(len(line) <= 75 for line in response.content.split(b"\r\n"))  # folded (RFC 5545 3.1)
    assert "private" in response["Cache-Control"]
    assert "public" not in response["Cache-Control"]
    for event in calendar.walk("VEVENT"):
        assert "DTSTAMP" in event and "UID" in event and "DTSTART" in event


def test_the_feed_holds_the_same_events_as_the_json_for_its_window(w, student):
    events = vevents(parse(fetch(issue(student)["url"])))
    assert set(events) == {uid(kind, getattr(w, name)) for kind, name in EXPECTED_UIDS}
    expected = json_events(student, NOW - 30 * DAY, NOW + 365 * DAY)
    assert len(expected) == len(EXPECTED_UIDS)
    assert set(events) == {f"{e['type']}-{e['id']}@{HOST}" for e in expected}
    for item in expected:
        event = events[f"{item['type']}-{item['id']}@{HOST}"]
        at = datetime.fromisoformat(item["at"])
        assert dtstart(event) == at
        assert dtstart(event).utcoffset() == timedelta(0)
        assert "TZID" not in event["DTSTART"].params
        assert event["DTSTART"].to_ical().endswith(b"Z")
        if item["type"] == "live_session":
            assert event.decoded("DTEND") == datetime.fromisoformat(item["ends_at"])
            assert str(event["LOCATION"]) == item["url"]
        else:
            assert "DTEND" not in event and "DURATION" not in event
        assert str(event["SUMMARY"]) == SUMMARIES[item["type"]].format(item["title"])
        assert str(event["URL"]) == item["url"]
        assert item["course"]["title"] in str(event["DESCRIPTION"])


def test_times_are_utc_to_the_second(w, student):
    events = vevents(parse(fetch(issue(student)["url"])))
    assignment = events[uid("assignment_due", w.assignment_at)]
    assert assignment["DTSTART"].to_ical() == b"20300618T143506Z"
    session = events[uid("live_session", w.session)]
    assert dtstart(session) == NOW + DAY
    assert session.decoded("DTEND") == NOW + DAY + timedelta(minutes=45)
    assert str(session["SUMMARY"]) == "Live: Q&A; live, über alles"
    lesson = events[uid("lesson_release", w.lesson_after)]
    assert dtstart(lesson) == ENROLLED_AT + 15 * DAY
    cohort_lesson = events[uid("lesson_release", w.c_lesson)]
    assert dtstart(cohort_lesson) == w.a.starts_at + 2 * DAY  # from the cohort's start


def test_the_feed_leaves_out_previews_other_cohorts_and_the_outside_of_its_window(w, student):
    events = vevents(parse(fetch(issue(student)["url"])))
    for kind, item in (
        ("lesson_release", w.lesson_too_early),
        ("quiz_due", w.quiz_too_late),
        ("lesson_release", w.preview),
        ("live_session", w.session_b),
        ("cohort_start", w.b),
    ):
        assert uid(kind, item) not in events


def test_uids_are_stable_across_fetches(w, student):
    url = issue(student)["url"]
    first = vevents(parse(fetch(url)))
    second = vevents(parse(fetch(url)))
    assert list(first) == list(second)
    assert [dtstart(e) for e in first.values()] == [dtstart(e) for e in second.values()]


def test_a_moved_item_keeps_its_uid_and_changes_its_time(w, student, instructor):
    url = issue(student)["url"]
    before = vevents(parse(fetch(url)))
    session_uid, quiz_uid = uid("live_session", w.session), uid("quiz_due", w.quiz_after)
    later = NOW + timedelta(hours=1)
    moved_to, due = NOW + timedelta(days=4, hours=2, seconds=30), NOW + timedelta(days=9, minutes=15)
    with time_machine.travel(later, tick=False):
        teacher = client_for(instructor)
        response = teacher.patch(f"/api/v1/live-sessions/{w.session.pk}/", {"starts_at": iso(moved_to)})
        assert response.status_code == 200, response.content
        response = teacher.patch(f"/api/v1/quizzes/{w.quiz_after.pk}/", {"due_at": iso(due), "due_after_days": None})
        assert response.status_code == 200, response.content
        after = vevents(parse(fetch(url)))
    # nothing added, nothing lost (apps update in place), but for the window's edges moving an hour on
    edges = {uid("lesson_release", w.lesson_first)}, {uid("quiz_due", w.quiz_too_late)}
    assert set(after) == (set(before) - edges[0]) | edges[1]
    assert dtstart(before[session_uid]) == NOW + DAY
    assert dtstart(after[session_uid]) == moved_to
    assert after[session_uid].decoded("DTEND") == moved_to + timedelta(minutes=45)
    assert dtstart(before[quiz_uid]) == ENROLLED_AT + 100 * DAY
    assert dtstart(after[quiz_uid]) == due
    for moved in (session_uid, quiz_uid):
        assert after[moved].decoded("LAST-MODIFIED") == later
        assert after[moved].decoded("LAST-MODIFIED") > before[moved].decoded("LAST-MODIFIED")
    unchanged = uid("assignment_due", w.assignment_at)
    assert dtstart(after[unchanged]) == dtstart(before[unchanged])


def test_a_quiz_due_date_changed_in_the_database_moves_too(w, student):
    url = issue(student)["url"]
    quiz_uid = uid("quiz_due", w.quiz_last)
    assert dtstart(vevents(parse(fetch(url)))[quiz_uid]) == NOW + 365 * DAY
    w.quiz_last.due_at = NOW + 7 * DAY
    w.quiz_last.save(update_fields=["due_at"])
    assert dtstart(vevents(parse(fetch(url)))[quiz_uid]) == NOW + 7 * DAY


def test_moving_the_cohorts_start_moves_what_counts_from_it(w, student, instructor):
    url = issue(student)["url"]
    before = vevents(parse(fetch(url)))
    start = w.a.starts_at + timedelta(days=3, minutes=7)
    response = client_for(instructor).patch(f"/api/v1/cohorts/{w.a.pk}/", {"starts_at": iso(start)})
    assert response.status_code == 200, response.content
    after = vevents(parse(fetch(url)))
    assert set(after) == set(before)
    assert dtstart(after[uid("cohort_start", w.a)]) == start
    assert dtstart(after[uid("lesson_release", w.c_lesson)]) == start + 2 * DAY
    assert dtstart(before[uid("lesson_release", w.c_lesson)]) == w.a.starts_at + 2 * DAY


def test_a_deleted_session_leaves_the_feed(w, student, instructor):
    url = issue(student)["url"]
    assert uid("live_session", w.session) in vevents(parse(fetch(url)))
    assert client_for(instructor).delete(f"/api/v1/live-sessions/{w.session.pk}/").status_code == 204
    after = vevents(parse(fetch(url)))
    assert uid("live_session", w.session) not in after
    assert len(after) == len(EXPECTED_UIDS) - 1


def test_an_instructors_feed_holds_their_teaching(instructor, other_instructor):
    course = PublishedCourseFactory(instructor=instructor)
    section = SectionFactory(course=course)
    cohort = CohortFactory(course=course, starts_at=NOW + 10 * DAY)
    lesson = LessonFactory(section=section, available_from=NOW + 2 * DAY)
    relative_lesson = LessonFactory(section=section, available_after_days=2)
    quiz = QuizFactory(course=course, due_at=NOW + 3 * DAY)
    relative_quiz = QuizFactory(course=course, due_after_days=3)
    assignment = AssignmentFactory(section=section, due_at=NOW + 4 * DAY)
    session = LiveSessionFactory(course=course, starts_at=NOW + 5 * DAY, duration_minutes=30)
    cohort_session = LiveSessionFactory(course=course, cohort=cohort, starts_at=NOW + 11 * DAY)
    enroll(StudentFactory(), course, at=NOW - DAY)
    LiveSessionFactory(course=PublishedCourseFactory(instructor=other_instructor), starts_at=NOW + DAY)
    events = vevents(parse(fetch(issue(instructor)["url"])))
    assert set(events) == {
        uid("cohort_start", cohort),
        uid("lesson_release", lesson),
        uid("quiz_due", quiz),
        uid("assignment_due", assignment),
        uid("live_session", session),
        uid("live_session", cohort_session),
    }
    assert uid("lesson_release", relative_lesson) not in events and uid("quiz_due", relative_quiz) not in events
    assert events[uid("live_session", session)].decoded("DTEND") == NOW + 5 * DAY + timedelta(minutes=30)
    assert str(events[uid("cohort_start", cohort)]["SUMMARY"]) == f"{cohort.name} starts"
    assert str(events[uid("cohort_start", cohort)]["URL"]) == f"http://testserver/api/v1/cohorts/{cohort.pk}/"


def test_an_empty_calendar_is_still_a_valid_feed(db):
    calendar = parse(fetch(issue(StudentFactory())["url"]))
    assert calendar.walk("VEVENT") == []
    assert str(calendar["VERSION"]) == "2.0"


# --- accept and headers --------------------------------------------------------------------------
@pytest.mark.parametrize("accept", ["text/calendar", "text/calendar, */*;q=0.1", "application/json", "*/*"])
def test_any_accept_header_gets_the_feed(w, student, accept):
    response = fetch(issue(student)["url"], HTTP_ACCEPT=accept)
    assert response.status_code == 200
    assert len(parse(response).walk("VEVENT")) == len(EXPECTED_UIDS)


def test_an_error_asked_as_text_calendar_is_json_not_406(db):
    response = fetch("nope", HTTP_ACCEPT="text/calendar")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert set(response.json()) == {"detail", "code"}


def test_authorization_headers_are_neither_needed_nor_read(w, student, other_student):
    url = issue(student)["url"]
    expected = set(vevents(parse(fetch(url))))
    as_other = fetch(url, client=client_for(other_student))
    assert set(vevents(parse(as_other))) == expected  # the token's owner's feed, whoever sends it
    garbage = APIClient()
    garbage.credentials(HTTP_AUTHORIZATION="Bearer not.a.jwt")
    assert set(vevents(parse(fetch(url, client=garbage)))) == expected


# --- the token: rotated, unknown, voided, never a JWT --------------------------------------------
def test_issuing_again_voids_the_old_token(w, student):
    old = issue(student)
    assert fetch(old["url"]).status_code == 200
    new = issue(student)
    assert new["token"] != old["token"]
    response = fetch(old["url"])
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert len(parse(fetch(new["url"])).walk("VEVENT")) == len(EXPECTED_UIDS)
    assert CalendarFeed.objects.filter(user=student).count() == 1


def test_each_users_token_opens_their_own_feed(w, student, instructor):
    mine, theirs = issue(student), issue(instructor)
    assert mine["token"] != theirs["token"]
    student_uids = set(vevents(parse(fetch(mine["url"]))))
    teacher_uids = set(vevents(parse(fetch(theirs["url"]))))
    assert uid("lesson_release", w.lesson_after) in student_uids - teacher_uids  # relative: the student's only
    assert uid("live_session", w.session_b) in teacher_uids - student_uids  # another cohort's: the teacher's only


@pytest.mark.parametrize(
    "query",
    ["?token=unknown-token", "?token=", "", "?tokens=x", "?token=%00", f"?token={'a' * 5000}"],
    ids=["unknown", "empty", "missing", "misnamed", "nul", "long"],
)
def test_no_valid_token_is_a_404_json(w, student, query):
    issue(student)
    response = APIClient().get(FEED_URL + query)
    assert response.status_code == 404, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"detail", "code"} and body["code"] == "not_found"


def test_the_hash_itself_is_not_a_token(w, student):
    issue(student)
    stored = CalendarFeed.objects.get(user=student).token_hash
    assert fetch(stored).status_code == 404


def test_a_deactivated_users_token_is_a_404(w, student):
    url = issue(student)["url"]
    assert fetch(url).status_code == 200
    student.is_active = False
    student.save(update_fields=["is_active"])
    response = fetch(url)
    assert response.status_code == 404
    assert set(response.json()) == {"detail", "code"}


def test_the_token_is_not_a_jwt(student):
    token = issue(student)["token"]
    assert token.count(".") != 2
    with pytest.raises(TokenError):
        UntypedToken(token)


def test_a_jwt_is_not_a_feed_token(w, student):
    issue(student)
    tokens = tokens_for_user(student)
    for jwt in (tokens["access"], tokens["refresh"]):
        response = fetch(jwt)
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"


@pytest.mark.parametrize("path", ["/api/v1/auth/me/", "/api/v1/me/calendar/"])
def test_a_feed_token_authenticates_nothing_else(w, student, path):
    token = issue(student)["token"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert client.get(path).status_code == 401
    assert client.post(TOKEN_URL).status_code == 401
    assert APIClient().get(path, {"token": token}).status_code == 401


def test_a_fresh_user_gets_their_first_token(db):
    user = InstructorFactory()
    assert not CalendarFeed.objects.filter(user=user).exists()
    issue(user)
    assert CalendarFeed.objects.filter(user=user).count() == 1
