"""The schedule's notifications sent by beat jobs (schedules.reminders): `cohort_starting` (a cohort
starting within 24 hours, to its seated students), `due_soon` (a quiz or an assignment due for the
student within 24 hours: due_at, or due_after_days after their anchor; not once submitted or
passed) and `content_released` (one digest per student and UTC day of what a time rule opened for
them the day before). Each at its boundaries to the second, to exactly the right students, once
(a second run, an overlapping run on PostgreSQL, a retry), honouring the per-type preferences, in
queries that grow per batch and never per student; and the beat jobs that run them.

Every test stops the clock with time_machine.travel(..., tick=False): enrollments made at a moment
are enrolled at it, and the sends run at NOW (or, for the digest, half an hour after midnight)."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.formats import date_format

from accounts import services as accounts
from accounts.tests.factories import StudentFactory
from assignments import services as assignment_services
from assignments.tests.factories import AssignmentFactory
from courses import services as courses
from courses.models import Enrollment, EnrollmentSource
from courses.tests.factories import LessonFactory, PublishedCourseFactory, SectionFactory
from lms.testing import run_together
from notifications import services as notifications
from notifications.models import Notification
from quizzes import services as quiz_services
from quizzes.tests.factories import QuestionFactory, QuizFactory
from schedules import reminders
from schedules import services as schedules
from schedules.models import CohortMember, MemberStatus, NoticeKind, ScheduleNotice
from schedules.tasks import content_released_task, schedule_reminders_task

from .factories import CohortFactory

pytestmark = pytest.mark.django_db

SECOND = timedelta(seconds=1)
MINUTE = timedelta(minutes=1)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
WINDOW = 24 * HOUR

NOW = datetime(2031, 5, 6, 12, 0, tzinfo=UTC)  # when the reminders run
SETUP = NOW - 10 * DAY  # when courses are made and students enroll, unless a test says otherwise

MIDNIGHT = datetime(2031, 5, 6, tzinfo=UTC)  # the digest's day ends here
YESTERDAY = MIDNIGHT - DAY  # … and starts here (2031-05-05)
DIGEST_RUN = MIDNIGHT + 30 * MINUTE  # the first run after midnight


def at(when: datetime):
    return time_machine.travel(when, tick=False)


@pytest.fixture
def course():
    with at(SETUP):
        return PublishedCourseFactory()


def new_course():
    with at(SETUP):
        return PublishedCourseFactory()


def make_cohort(course, starts_at: datetime, **fields):
    """A cohort of `course` starting at `starts_at`, with unlimited seats unless told otherwise;
    enrollment open until it starts."""
    return CohortFactory(course=course, starts_at=starts_at, **{"capacity": None, **fields})


def enroll(student, course, *, when: datetime = SETUP, cohort=None, source: str = EnrollmentSource.FREE):
    with at(when):
        return courses.enrollment_create(
            student=student, course=course, cohort=cohort.pk if cohort else None, source=source
        )


def enrolled(course, n: int, *, when: datetime = SETUP, cohort=None) -> list[int]:
    """The ids, in order, of `n` new students enrolled in `course` at `when` (in `cohort`)."""
    students = StudentFactory.create_batch(n)
    for s in students:
        enroll(s, course, when=when, cohort=cohort)
    return sorted(s.pk for s in students)


def received(type: str, **payload) -> list[int]:
    """The recipients (sorted, repeated if notified twice) of the notifications of `type` whose
    payload has these values."""
    filters = {f"payload__{key}": value for key, value in payload.items()}
    return sorted(Notification.objects.filter(type=type, **filters).values_list("recipient_id", flat=True))


def noticed(kind: str, object_id: int) -> list[int]:
    return sorted(ScheduleNotice.objects.filter(kind=kind, object_id=object_id).values_list("student_id", flat=True))


def make_item(kind: str, course, **fields):
    """A quiz or an assignment of `course`."""
    if kind == "quiz":
        return QuizFactory(course=course, **fields)
    return AssignmentFactory(section=SectionFactory(course=course), **fields)


def make_lesson(course, **fields):
    return LessonFactory(section=SectionFactory(course=course), **fields)


def take_quiz(student, quiz, *, right: bool):
    """`student`'s attempt at `quiz` (one question at least), submitted with every answer right (or wrong)."""
    attempt, _ = quiz_services.attempt_start(student=student, quiz=quiz)
    answers = [
        {"question": q.pk, "choice_ids": [c.pk for c in q.choices.all() if c.is_correct == right][:1]}
        for q in quiz.questions.all()
    ]
    return quiz_services.attempt_submit(actor=student, attempt=attempt, answers=answers)


def iso(when: datetime) -> str:
    return when.isoformat()


# --- cohort starting ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("starts_in", "expected"),
    [
        (-HOUR, False),  # already started
        (timedelta(0), False),  # starting now: too late
        (SECOND, True),
        (WINDOW, True),  # exactly a day ahead: in the window
        (WINDOW + SECOND, False),  # not yet
    ],
    ids=["started", "now", "in_a_second", "in_24h", "in_24h_and_a_second"],
)
def test_cohorts_starting_within_the_next_24_hours_are_announced(course, starts_in, expected):
    cohort = make_cohort(course, NOW + starts_in)
    seated = enrolled(course, 2, cohort=cohort)
    with at(NOW):
        assert reminders.cohort_starting_send() == (2 if expected else 0)
    assert received("cohort_starting", cohort_id=cohort.pk) == (seated if expected else [])
    assert noticed(NoticeKind.COHORT_STARTING, cohort.pk) == (seated if expected else [])


def test_only_students_seated_with_an_active_enrollment_are_told_their_cohort_starts(course):
    tomorrow = make_cohort(course, NOW + 20 * HOUR, capacity=3)
    later = make_cohort(course, NOW + 10 * DAY)
    seated, revoked, deactivated, first_waiting, second_waiting, moved, granted = StudentFactory.create_batch(7)
    for n, s in enumerate((seated, revoked, deactivated)):
        enroll(s, course, cohort=tomorrow, when=SETUP + n * MINUTE)
    # The cohort is full: two students wait, in order.
    with at(SETUP + 10 * MINUTE):
        courses.enrollment_create(student=first_waiting, course=course, cohort=tomorrow.pk, waitlist=True)
    with at(SETUP + 11 * MINUTE):
        courses.enrollment_create(student=second_waiting, course=course, cohort=tomorrow.pk, waitlist=True)
    # One waits too, then enrolls in the later cohort: their place in this one is given up (left).
    with at(SETUP + 12 * MINUTE):
        courses.enrollment_create(student=moved, course=course, cohort=tomorrow.pk, waitlist=True)
    enroll(moved, course, cohort=later, when=SETUP + 13 * MINUTE)
    # Enrolled by an admin without a cohort (no seat), then waiting in this cohort through a checkout.
    enroll(granted, course, source=EnrollmentSource.ADMIN, when=SETUP + 14 * MINUTE)
    with at(SETUP + 15 * MINUTE):
        schedules.cohort_seat_hold(student=granted, course=course, cohort_id=tomorrow.pk, waitlist=True)
    with at(SETUP + 16 * MINUTE):  # the freed seat is offered to the first waiting
        courses.enrollment_revoke(actor=None, enrollment=Enrollment.objects.get(student=revoked, course=course))
        accounts.user_deactivate(actor=None, user=deactivated)
    StudentFactory()  # not in the course at all

    statuses = dict(CohortMember.objects.filter(cohort=tomorrow).values_list("student_id", "status"))
    assert statuses == {
        seated.pk: MemberStatus.ENROLLED,
        revoked.pk: MemberStatus.LEFT,
        deactivated.pk: MemberStatus.ENROLLED,
        first_waiting.pk: MemberStatus.OFFERED,
        second_waiting.pk: MemberStatus.WAITLISTED,
        moved.pk: MemberStatus.LEFT,
        granted.pk: MemberStatus.WAITLISTED,
    }
    active = set(Enrollment.objects.filter(course=course, status="active").values_list("student_id", flat=True))
    assert active == {seated.pk, deactivated.pk, moved.pk, granted.pk}

    with at(NOW):
        assert reminders.cohort_starting_send() == 1
    assert received("cohort_starting") == [seated.pk]


def test_a_cohort_start_is_announced_once_per_cohort_and_student():
    course, other_course = new_course(), new_course()
    tomorrow = make_cohort(course, NOW + 20 * HOUR, name="May run")
    other = make_cohort(other_course, NOW + 23 * HOUR)
    both, one = StudentFactory(), StudentFactory()
    for s in (both, one):
        enroll(s, course, cohort=tomorrow)
    enroll(both, other_course, cohort=other)

    with at(NOW):
        assert reminders.cohort_starting_send() == 3
        assert reminders.cohort_starting_send() == 0  # a second run sends nothing
    with at(NOW + 15 * MINUTE):
        assert reminders.cohort_starting_send() == 0  # nor the next beat
    late = StudentFactory()
    enroll(late, course, cohort=tomorrow, when=NOW + HOUR)
    with at(NOW + HOUR + 15 * MINUTE):
        assert reminders.cohort_starting_send() == 1  # a student seated since: only them

    assert received("cohort_starting", cohort_id=tomorrow.pk) == sorted([both.pk, one.pk, late.pk])
    assert received("cohort_starting", cohort_id=other.pk) == [both.pk]  # the second cohort: its own notice
    assert ScheduleNotice.objects.filter(kind=NoticeKind.COHORT_STARTING).count() == 4
    note = Notification.objects.get(type="cohort_starting", recipient=both, payload__cohort_id=tomorrow.pk)
    assert note.payload == {
        "course_id": course.pk,
        "cohort_id": tomorrow.pk,
        "starts_at": tomorrow.starts_at.isoformat(),
    }
    assert note.payload["starts_at"] == "2031-05-07T08:00:00+00:00"
    assert note.title == f"{course.title} starts May 7, 2031, 8 a.m. UTC"  # in the recipient's language
    assert "May run" in note.body


# --- due soon -------------------------------------------------------------------------------------
KINDS = pytest.mark.parametrize("kind", ["quiz", "assignment"])
NOTICE_KIND = {"quiz": NoticeKind.QUIZ_DUE, "assignment": NoticeKind.ASSIGNMENT_DUE}


def due_to(kind: str, item) -> list[int]:
    return received("due_soon", kind=kind, item_id=item.pk)


@KINDS
@pytest.mark.parametrize(
    ("due_in", "expected"),
    [
        (-HOUR, False),  # past
        (timedelta(0), False),  # due now: too late
        (SECOND, True),
        (WINDOW, True),  # exactly a day ahead
        (WINDOW + SECOND, False),  # not yet
    ],
    ids=["past", "now", "in_a_second", "in_24h", "in_24h_and_a_second"],
)
def test_work_due_at_a_time_within_the_next_24_hours_is_reminded(course, kind, due_in, expected):
    students = enrolled(course, 2)
    item = make_item(kind, course, due_at=NOW + due_in)
    with at(NOW):
        assert reminders.due_soon_send() == (2 if expected else 0)
    assert due_to(kind, item) == (students if expected else [])
    assert noticed(NOTICE_KIND[kind], item.pk) == (students if expected else [])


@KINDS
def test_a_relative_due_date_counts_from_each_students_enrollment(course, kind):
    """Self-paced: due `due_after_days` after enrolled_at, so each student has their own date."""
    item = make_item(kind, course, due_after_days=3)
    start = NOW - 3 * DAY  # enrolled then: due now
    offsets = {
        "due_now": timedelta(0),
        "due_in_a_second": SECOND,
        "due_in_2h": 2 * HOUR,
        "due_in_24h": WINDOW,
        "due_in_24h_and_a_second": WINDOW + SECOND,
    }
    students = {name: StudentFactory() for name in offsets}
    for name, offset in offsets.items():
        enroll(students[name], course, when=start + offset)

    with at(NOW):
        assert reminders.due_soon_send() == 3
    told = ["due_in_a_second", "due_in_2h", "due_in_24h"]
    assert due_to(kind, item) == sorted(students[name].pk for name in told)
    for name in told:
        note = Notification.objects.get(type="due_soon", recipient=students[name])
        due_at = NOW + offsets[name]
        assert note.payload == {"course_id": course.pk, "kind": kind, "item_id": item.pk, "due_at": iso(due_at)}
        when = date_format(due_at, "DATETIME_FORMAT")  # "May 6, 2031, noon" (English: the default)
        assert note.title == f"{item.title} is due {when} UTC"
        assert f"The {kind} {item.title} of {course.title} is due at {when} UTC." == note.body


@KINDS
def test_a_relative_due_date_counts_from_the_cohorts_start_for_its_students(course, kind):
    item = make_item(kind, course, due_after_days=2)
    due_soon = make_cohort(course, NOW - 2 * DAY + 3 * HOUR)  # due at NOW + 3 h for its students
    due_later = make_cohort(course, NOW - DAY + 3 * HOUR)  # due at NOW + 27 h
    early = StudentFactory()  # enrolled long before the cohort starts: their enrolled_at does not count
    enroll(early, course, cohort=due_soon, when=NOW - 10 * DAY)
    # enrolled_at + 2 days would be NOW + 5 h, in the window; but their cohort's start decides.
    late_cohort = StudentFactory()
    enroll(late_cohort, course, cohort=due_later, when=NOW - 2 * DAY + 5 * HOUR)
    no_seat = StudentFactory()  # granted by an admin, no cohort: their enrollment is the anchor
    enroll(no_seat, course, source=EnrollmentSource.ADMIN, when=NOW - 2 * DAY + 6 * HOUR)

    with at(NOW):
        assert reminders.due_soon_send() == 2
    assert due_to(kind, item) == sorted([early.pk, no_seat.pk])
    payloads = {
        n.recipient_id: n.payload["due_at"] for n in Notification.objects.filter(type="due_soon", payload__kind=kind)
    }
    assert payloads == {early.pk: iso(NOW + 3 * HOUR), no_seat.pk: iso(NOW + 6 * HOUR)}
    with at(NOW + 3 * HOUR + MINUTE):  # the later cohort's date comes into the window
        assert reminders.due_soon_send() == 1
    assert due_to(kind, item) == sorted([early.pk, no_seat.pk, late_cohort.pk])
    late_note = Notification.objects.get(type="due_soon", recipient=late_cohort)
    assert late_note.payload["due_at"] == iso(NOW + 27 * HOUR)


def test_a_quiz_passed_is_not_reminded_a_failed_one_is(course):
    quiz = make_item("quiz", course, due_at=NOW + 10 * HOUR)
    QuestionFactory(quiz=quiz)
    passed, failed, untouched = StudentFactory.create_batch(3)
    for s in (passed, failed, untouched):
        enroll(s, course)
    with at(NOW - HOUR):
        take_quiz(passed, quiz, right=True)
        take_quiz(failed, quiz, right=False)
    with at(NOW):
        assert reminders.due_soon_send() == 2
    assert due_to("quiz", quiz) == sorted([failed.pk, untouched.pk])


def test_an_assignment_submitted_to_is_not_reminded(course):
    assignment = make_item("assignment", course, due_after_days=1)
    submitted, waiting = StudentFactory.create_batch(2)
    for s in (submitted, waiting):
        enroll(s, course, when=NOW - 12 * HOUR)  # due at NOW + 12 h
    with at(NOW - HOUR):
        assignment_services.submission_create(student=submitted, assignment=assignment, text="My work")
    with at(NOW):
        assert reminders.due_soon_send() == 1
    assert due_to("assignment", assignment) == [waiting.pk]


def test_only_active_enrollments_of_active_students_are_reminded(course):
    assignment = make_item("assignment", course, due_at=NOW + 5 * HOUR)
    kept, revoked, deactivated = StudentFactory.create_batch(3)
    for s in (kept, revoked, deactivated):
        enroll(s, course)
    StudentFactory()  # not enrolled
    enroll(StudentFactory(), new_course())  # in another course
    courses.enrollment_revoke(actor=None, enrollment=Enrollment.objects.get(student=revoked, course=course))
    accounts.user_deactivate(actor=None, user=deactivated)
    with at(NOW):
        assert reminders.due_soon_send() == 1
    assert due_to("assignment", assignment) == [kept.pk]


def test_work_due_is_reminded_once_per_item_and_student(course):
    quiz = make_item("quiz", course, due_at=NOW + 20 * HOUR)
    assignment = make_item("assignment", course, due_after_days=10)  # due NOW + 20 h for the first ones
    first = enrolled(course, 2, when=NOW - 10 * DAY + 20 * HOUR)
    with at(NOW):
        assert reminders.due_soon_send() == 4
        assert reminders.due_soon_send() == 0
    for minutes in (15, 30, 6 * 60):
        with at(NOW + minutes * MINUTE):
            assert reminders.due_soon_send() == 0
    newcomer = StudentFactory()
    enroll(newcomer, course, when=NOW + 7 * HOUR)  # the quiz at due_at is due for them too; not the other
    with at(NOW + 7 * HOUR + 15 * MINUTE):
        assert reminders.due_soon_send() == 1
    assert due_to("quiz", quiz) == sorted([*first, newcomer.pk])
    assert due_to("assignment", assignment) == first


def test_a_quiz_and_an_assignment_with_the_same_id_are_reminded_apart(course):
    students = enrolled(course, 2)
    quiz = make_item("quiz", course, id=987_654, due_at=NOW + HOUR)
    assignment = make_item("assignment", course, id=987_654, due_at=NOW + 2 * HOUR)
    with at(NOW):
        assert reminders.due_soon_send() == 4
    assert due_to("quiz", quiz) == students
    assert due_to("assignment", assignment) == students


# --- content released (the daily digest) ----------------------------------------------------------
def digest_of(student) -> dict | None:
    notes = list(Notification.objects.filter(type="content_released", recipient=student).order_by("id"))
    assert len(notes) <= 1, [n.payload for n in notes]
    return notes[0].payload if notes else None


def digests_of(student) -> list[dict]:
    return [n.payload for n in Notification.objects.filter(type="content_released", recipient=student).order_by("id")]


def entry(kind: str, item, available_at: datetime) -> dict:
    return {
        "kind": kind,
        "id": item.pk,
        "course_id": item.course_id,
        "title": item.title,
        "available_at": iso(available_at),
    }


def test_the_digest_lists_what_opened_for_each_student_yesterday_across_courses():
    course, cohort_course = new_course(), new_course()
    first_day = make_lesson(course, available_from=YESTERDAY)  # 00:00:00 of the day: in it
    last_second = make_lesson(course, available_from=MIDNIGHT - SECOND)
    make_lesson(course, available_from=YESTERDAY - SECOND)  # the day before
    today = make_lesson(course, available_from=MIDNIGHT)  # 00:00:00 today: tomorrow's digest
    make_lesson(course, available_from=YESTERDAY + 12 * HOUR, is_preview=True)  # preview: never locked
    gate = make_item("quiz", course)
    make_lesson(course, requires_passing=[{"kind": "quiz", "id": gate.pk}])  # no time rule
    after_two = make_item("quiz", course, available_after_days=2)  # enrolled_at + 2 days
    after_three = make_item("assignment", course, available_after_days=3)
    cohort = make_cohort(cohort_course, YESTERDAY - DAY + 6 * HOUR)  # started 2031-05-04 06:00
    cohort_item = make_item("assignment", cohort_course, available_after_days=1)  # 2031-05-05 06:00

    both = StudentFactory()
    enroll(both, course, when=YESTERDAY - 2 * DAY + 10 * HOUR)  # after_two opens 2031-05-05 10:00
    enroll(both, cohort_course, cohort=cohort, when=YESTERDAY - 4 * DAY)  # enrolled_at + 1 day: not the anchor
    one = StudentFactory()
    enroll(one, course, when=YESTERDAY - DAY + 10 * HOUR)  # after_two opens 2031-05-06 10:00
    idle = StudentFactory()
    enroll(idle, new_course())  # nothing opened in their course
    StudentFactory()  # not enrolled

    with at(DIGEST_RUN):
        assert reminders.content_released_send() == 2
    assert digest_of(both) == {
        "date": "2031-05-05",
        "items": [
            entry("lesson", first_day, YESTERDAY),
            entry("assignment", cohort_item, YESTERDAY + 6 * HOUR),
            entry("quiz", after_two, YESTERDAY + 10 * HOUR),
            entry("lesson", last_second, MIDNIGHT - SECOND),
        ],
    }
    assert digest_of(one) == {
        "date": "2031-05-05",
        "items": [entry("lesson", first_day, YESTERDAY), entry("lesson", last_second, MIDNIGHT - SECOND)],
    }
    assert digest_of(idle) is None
    note = Notification.objects.get(type="content_released", recipient=both)
    assert note.title == "4 new items opened for you"
    assert note.body == (
        f"Opened on May 5, 2031: {first_day.title}, {cohort_item.title}, {after_two.title}, {last_second.title}."
    )
    assert Notification.objects.filter(type="content_released").count() == 2

    with at(DIGEST_RUN + 5 * HOUR):
        assert reminders.content_released_send() == 0  # the same day again: nothing
    with at(MIDNIGHT + 23 * HOUR + 59 * MINUTE):
        assert reminders.content_released_send() == 0

    with at(DIGEST_RUN + DAY):  # the next day's digest
        assert reminders.content_released_send() == 2
    assert digests_of(both)[1] == {
        "date": "2031-05-06",
        "items": [entry("lesson", today, MIDNIGHT), entry("assignment", after_three, MIDNIGHT + 10 * HOUR)],
    }
    assert digests_of(one)[1] == {
        "date": "2031-05-06",
        "items": [entry("lesson", today, MIDNIGHT), entry("quiz", after_two, MIDNIGHT + 10 * HOUR)],
    }
    assert Notification.objects.filter(type="content_released", recipient=idle).count() == 0
    assert sorted(
        ScheduleNotice.objects.filter(kind=NoticeKind.CONTENT_RELEASED).values_list("object_id", "student_id")
    ) == sorted((day.toordinal(), s.pk) for day in (YESTERDAY.date(), MIDNIGHT.date()) for s in (both, one))


@pytest.mark.parametrize(
    ("opens", "expected"),
    [
        (YESTERDAY - SECOND, False),
        (YESTERDAY, True),
        (YESTERDAY + SECOND, True),
        (MIDNIGHT - SECOND, True),
        (MIDNIGHT, False),
    ],
    ids=["day_before_last_second", "midnight_starting_it", "a_second_after", "its_last_second", "midnight_ending_it"],
)
@pytest.mark.parametrize("rule", ["available_from", "after_enrollment", "after_cohort_start"])
@pytest.mark.parametrize("kind", ["lesson", "quiz", "assignment"])
def test_the_digests_day_runs_from_midnight_to_midnight(kind, rule, opens, expected):
    course = new_course()
    student = StudentFactory()
    days = 3
    if rule == "available_from":
        fields = {"available_from": opens}
        enroll(student, course, when=YESTERDAY - 10 * DAY)
    elif rule == "after_enrollment":
        fields = {"available_after_days": days}
        enroll(student, course, when=opens - days * DAY)
    else:
        fields = {"available_after_days": days}
        cohort = make_cohort(course, opens - days * DAY)
        enroll(student, course, cohort=cohort, when=YESTERDAY - 20 * DAY)
    item = make_lesson(course, **fields) if kind == "lesson" else make_item(kind, course, **fields)

    with at(DIGEST_RUN):
        assert reminders.content_released_send() == (1 if expected else 0)
    assert digest_of(student) == ({"date": "2031-05-05", "items": [entry(kind, item, opens)]} if expected else None)


def test_preview_lessons_and_lessons_held_only_by_requirements_are_never_in_a_digest(course):
    quiz = make_item("quiz", course)
    make_lesson(course, is_preview=True, available_from=YESTERDAY + HOUR)
    make_lesson(course, is_preview=True, available_after_days=1)
    make_lesson(course, requires_passing=[{"kind": "quiz", "id": quiz.pk}])
    make_item("assignment", course, requires_passing=[{"kind": "quiz", "id": quiz.pk}])
    student = StudentFactory()
    enroll(student, course, when=YESTERDAY - DAY + HOUR)  # one day after: 2031-05-05 01:00
    with at(DIGEST_RUN):
        assert reminders.content_released_send() == 0
    with at(DIGEST_RUN + DAY):
        assert reminders.content_released_send() == 0
    assert Notification.objects.filter(type="content_released").count() == 0


def test_only_active_enrollments_of_active_students_get_a_digest(course):
    make_lesson(course, available_from=YESTERDAY + HOUR)
    kept, revoked, deactivated = StudentFactory.create_batch(3)
    for s in (kept, revoked, deactivated):
        enroll(s, course, when=YESTERDAY - DAY)
    courses.enrollment_revoke(actor=None, enrollment=Enrollment.objects.get(student=revoked, course=course))
    accounts.user_deactivate(actor=None, user=deactivated)
    with at(DIGEST_RUN):
        assert reminders.content_released_send() == 1
    assert received("content_released") == [kept.pk]


def test_a_long_digest_names_five_items_and_counts_the_rest(course):
    lessons = [make_lesson(course, available_from=YESTERDAY + n * HOUR) for n in range(7)]
    student = StudentFactory()
    enroll(student, course, when=YESTERDAY - DAY)
    with at(DIGEST_RUN):
        assert reminders.content_released_send() == 1
    note = Notification.objects.get(type="content_released", recipient=student)
    assert note.title == "7 new items opened for you"
    assert note.body == f"Opened on May 5, 2031: {', '.join(lesson.title for lesson in lessons[:5])} and 2 more."
    assert [i["id"] for i in note.payload["items"]] == [lesson.pk for lesson in lessons]


# --- preferences ----------------------------------------------------------------------------------
def cohort_starting_scenario(students):
    course = new_course()
    cohort = make_cohort(course, NOW + 5 * HOUR)
    for s in students:
        enroll(s, course, cohort=cohort)
    return NOW, reminders.cohort_starting_send


def due_soon_scenario(students):
    course = new_course()
    make_item("assignment", course, due_at=NOW + 5 * HOUR)
    for s in students:
        enroll(s, course)
    return NOW, reminders.due_soon_send


def content_released_scenario(students):
    course = new_course()
    make_lesson(course, available_from=YESTERDAY + 5 * HOUR)
    for s in students:
        enroll(s, course, when=YESTERDAY - DAY)
    return DIGEST_RUN, reminders.content_released_send


SCENARIOS = {
    "cohort_starting": cohort_starting_scenario,
    "due_soon": due_soon_scenario,
    "content_released": content_released_scenario,
}
NOTICE_KINDS = {
    "cohort_starting": [NoticeKind.COHORT_STARTING],
    "due_soon": [NoticeKind.ASSIGNMENT_DUE],
    "content_released": [NoticeKind.CONTENT_RELEASED],
}


@pytest.mark.parametrize("type", list(SCENARIOS))
def test_each_type_honours_the_students_channels_and_goes_out_once(
    type, mailoutbox, django_capture_on_commit_callbacks
):
    loud, quiet, unmailed = StudentFactory.create_batch(3)
    notifications.preferences_update(user=quiet, changes=[{"type": type, "in_app": False}])
    notifications.preferences_update(user=unmailed, changes=[{"type": type, "email": False}])
    when, send = SCENARIOS[type]([loud, quiet, unmailed])
    mailoutbox.clear()  # the enrollment confirmations

    with at(when), django_capture_on_commit_callbacks(execute=True):
        assert send() == 3  # all three recorded as told: the channels are the notification's business
    assert received(type) == sorted([loud.pk, unmailed.pk])  # in-app: not the one who switched it off
    assert sorted(m.to[0] for m in mailoutbox) == sorted([loud.email, quiet.email])  # nor e-mail to the other
    notice = ScheduleNotice.objects.filter(kind__in=NOTICE_KINDS[type])
    assert sorted(notice.values_list("student_id", flat=True)) == sorted([loud.pk, quiet.pk, unmailed.pk])
    subjects = {m.subject for m in mailoutbox}
    assert subjects == set(Notification.objects.filter(type=type).values_list("title", flat=True))

    with at(when + HOUR), django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert send() == 0  # nothing twice, in either channel
    assert callbacks == []
    assert len(mailoutbox) == 2
    assert received(type) == sorted([loud.pk, unmailed.pk])


# --- scale: queries per batch, never per student --------------------------------------------------
# Per batch: savepoint, find the students (cohort_starting, due_soon) or not (the digest knows
# them), insert the notices, read back this run's, preferences, insert the notifications, release.
@pytest.mark.parametrize("n", [3, 30])
def test_cohort_starting_costs_the_same_queries_for_3_or_30_students(course, n, django_assert_num_queries):
    cohort = make_cohort(course, NOW + 5 * HOUR)
    students = enrolled(course, n, cohort=cohort)
    # the cohorts; then savepoint, find, insert, read back, preferences, notifications, release
    with at(NOW), django_assert_num_queries(1 + 7):
        assert reminders.cohort_starting_send() == n
    assert received("cohort_starting") == students


@pytest.mark.parametrize("n", [3, 30])
def test_due_soon_costs_the_same_queries_for_3_or_30_students(course, n, django_assert_num_queries):
    make_item("quiz", course, due_at=NOW + 5 * HOUR)
    make_item("assignment", course, due_after_days=10)  # relative: due NOW + 5 h for all of them
    students = enrolled(course, n, when=NOW - 10 * DAY + 5 * HOUR)
    # per kind the items; per item as cohort_starting, the relative one with its students' anchors
    # (their enrollments, their seats) read once per batch to tell their dates
    with at(NOW), django_assert_num_queries(2 + 7 + 9):
        assert reminders.due_soon_send() == 2 * n
    assert received("due_soon", kind="quiz") == students
    assert received("due_soon", kind="assignment") == students


@pytest.mark.parametrize("n", [3, 30])
def test_the_digest_costs_the_same_queries_for_3_or_30_students(course, n, django_assert_num_queries):
    make_lesson(course, available_from=YESTERDAY + HOUR)
    make_item("quiz", course, available_after_days=1)  # relative: opens for all at YESTERDAY + 2 h
    make_item("assignment", course, available_from=YESTERDAY + 3 * HOUR)
    students = enrolled(course, n, when=YESTERDAY - DAY + 2 * HOUR)
    # per kind the items; per item its students (the relative one with their anchors: +1);
    # then the one group of students with the same items: savepoint, insert, read back,
    # preferences, notifications, release
    with at(DIGEST_RUN), django_assert_num_queries(3 + 3 + 1 + 6):
        assert reminders.content_released_send() == n
    assert received("content_released") == students
    assert {len(note.payload["items"]) for note in Notification.objects.filter(type="content_released")} == {3}


def scale_cohort_starting(n):
    course = new_course()
    cohort = make_cohort(course, NOW + 5 * HOUR)
    return NOW, enrolled(course, n, cohort=cohort), reminders.cohort_starting_send


def scale_due_soon(n):
    course = new_course()
    make_item("quiz", course, due_after_days=10)
    return NOW, enrolled(course, n, when=NOW - 10 * DAY + 5 * HOUR), reminders.due_soon_send


def scale_content_released(n):
    course = new_course()
    make_lesson(course, available_from=YESTERDAY + HOUR)
    return DIGEST_RUN, enrolled(course, n, when=YESTERDAY - DAY), reminders.content_released_send


BATCHED = {
    "cohort_starting": scale_cohort_starting,
    "due_soon": scale_due_soon,
    "content_released": scale_content_released,
}


@pytest.mark.parametrize("type", list(BATCHED))
def test_students_are_sent_in_batches_each_exactly_once(type, monkeypatch):
    monkeypatch.setattr(reminders, "BATCH", 2)
    when, students, send = BATCHED[type](5)
    with at(when), CaptureQueriesContext(connection) as queries:
        assert send() == 5
    assert received(type) == students  # each once
    batches = {}
    for batch, student_id in ScheduleNotice.objects.values_list("batch", "student_id"):
        batches.setdefault(batch, []).append(student_id)
    assert sorted(len(ids) for ids in batches.values()) == [1, 2, 2]  # 3 batches
    assert sorted(pk for ids in batches.values() for pk in ids) == students  # each student in one
    inserts = [
        q["sql"] for q in queries.captured_queries if q["sql"].startswith('INSERT INTO "notifications_notification"')
    ]
    assert len(inserts) == 3  # one notify per batch
    with at(when):
        assert send() == 0


# --- scale, with each student's own dates ---------------------------------------------------------
def test_relative_due_dates_cost_queries_per_batch_even_when_every_student_has_their_own(
    course, django_assert_max_num_queries
):
    make_item("assignment", course, due_after_days=2)
    students = StudentFactory.create_batch(30)
    for n, s in enumerate(students):  # enrolled a minute apart: due a minute apart, all within the day
        enroll(s, course, when=NOW - 2 * DAY + (n + 1) * MINUTE)
    # as for one date: per kind the items; savepoint, find, insert, read back, the anchors (2),
    # preferences, notifications, release
    with at(NOW), django_assert_max_num_queries(2 + 9):
        assert reminders.due_soon_send() == 30
    assert received("due_soon") == sorted(s.pk for s in students)


def test_the_digest_of_relative_items_costs_queries_per_batch_even_when_every_student_has_their_own(
    course, django_assert_max_num_queries
):
    make_lesson(course, available_after_days=1)
    students = StudentFactory.create_batch(30)
    for n, s in enumerate(students):  # enrolled a minute apart: the lesson opened a minute apart yesterday
        enroll(s, course, when=YESTERDAY - DAY + n * MINUTE)
    # as for one date: per kind the items; the lesson's students and their anchors; savepoint,
    # insert, read back, preferences, notifications, release
    with at(DIGEST_RUN), django_assert_max_num_queries(3 + 2 + 6):
        assert reminders.content_released_send() == 30
    assert received("content_released") == sorted(s.pk for s in students)


# --- overlapping runs (PostgreSQL) ----------------------------------------------------------------
THREADS = 4


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("type", list(BATCHED))
def test_overlapping_runs_send_each_student_exactly_once(postgres, type, monkeypatch):
    """Threads released together, each with its own connection and transactions: the unique notice
    rows, not Python, decide who is told."""
    monkeypatch.setattr(reminders, "BATCH", 2)
    when, students, send = BATCHED[type](9)
    with at(when):
        sent = run_together([send] * THREADS, timeout=60)
    assert all(isinstance(n, int) for n in sent), sent
    assert sum(sent) == 9, sent
    assert received(type) == students
    assert sorted(ScheduleNotice.objects.values_list("student_id", flat=True)) == students
    with at(when):
        assert send() == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_overlapping_beat_runs_of_every_kind_notify_once(postgres):
    course = new_course()
    cohort = make_cohort(course, NOW + 5 * HOUR)
    students = enrolled(course, 6, cohort=cohort)
    make_item("quiz", course, due_at=NOW + 6 * HOUR)
    make_item("assignment", course, due_after_days=2)  # due 2 days after the cohort's start: not yet
    with at(NOW):
        sent = run_together([reminders.cohort_starting_send, reminders.due_soon_send] * 2, timeout=60)
    assert sent[0] + sent[2] == 6, sent
    assert sent[1] + sent[3] == 6, sent  # the quiz only
    assert received("cohort_starting") == students
    assert received("due_soon") == students


# --- the beat jobs --------------------------------------------------------------------------------
def test_the_beat_schedule_runs_both_jobs_on_existing_tasks():
    from lms.celery import app

    beat = settings.CELERY_BEAT_SCHEDULE
    assert beat["remind-cohorts-and-due-dates"] == {
        "task": "schedules.tasks.schedule_reminders_task",
        "schedule": 900.0,
    }
    assert beat["digest-released-content"] == {"task": "schedules.tasks.content_released_task", "schedule": 3600.0}
    app.loader.import_default_modules()
    for name, task in (
        ("remind-cohorts-and-due-dates", schedule_reminders_task),
        ("digest-released-content", content_released_task),
    ):
        assert beat[name]["task"] in app.tasks
        assert app.tasks[beat[name]["task"]].name == task.name


def test_the_reminders_job_sends_cohort_starts_and_due_dates_and_returns_the_count(course):
    cohort = make_cohort(course, NOW + 5 * HOUR)
    students = enrolled(course, 2, cohort=cohort)
    make_item("assignment", course, due_at=NOW + 6 * HOUR)
    with at(NOW):
        assert schedule_reminders_task.apply().get() == 2 + 2
        assert schedule_reminders_task.apply().get() == 0
    assert received("cohort_starting") == students
    assert received("due_soon") == students


def test_the_digest_job_sends_at_its_first_run_after_midnight_and_returns_the_count(course):
    make_lesson(course, available_from=YESTERDAY + HOUR)
    students = enrolled(course, 2, when=YESTERDAY - DAY)
    with at(MIDNIGHT - 30 * MINUTE):  # before midnight: the day before's digest (nothing then)
        assert content_released_task.apply().get() == 0
    with at(DIGEST_RUN):
        assert content_released_task.apply().get() == 2
    for hours in (1, 12, 23):
        with at(DIGEST_RUN + hours * HOUR):
            assert content_released_task.apply().get() == 0
    assert received("content_released") == students


# --- moved dates -----------------------------------------------------------------------------------
def test_a_cohort_start_moved_later_is_told_again_when_it_comes_near(course):
    cohort = make_cohort(course, NOW + 12 * HOUR)
    student = enrolled(course, 1, cohort=cohort)
    with at(NOW):
        assert reminders.cohort_starting_send() == 1
    cohort.starts_at = NOW + 18 * HOUR  # moved within the day already told of: not again
    cohort.save(update_fields=["starts_at"])
    with at(NOW + HOUR):
        assert reminders.cohort_starting_send() == 0
    cohort.starts_at = NOW + 5 * DAY  # postponed: told again the day before the new start
    cohort.save(update_fields=["starts_at"])
    with at(NOW + 3 * DAY):
        assert reminders.cohort_starting_send() == 0
    with at(NOW + 4 * DAY + SECOND):
        assert reminders.cohort_starting_send() == 1
        assert reminders.cohort_starting_send() == 0
    assert received("cohort_starting", cohort_id=cohort.pk) == student * 2
    assert received("cohort_starting", starts_at=(NOW + 5 * DAY).isoformat()) == student


@pytest.mark.parametrize("kind", ["quiz", "assignment"])
def test_a_due_date_moved_later_is_told_again_when_it_comes_near(course, kind):
    item = make_item(kind, course, due_at=NOW + 6 * HOUR)
    student = enrolled(course, 1)
    with at(NOW):
        assert reminders.due_soon_send() == 1
    type(item).objects.filter(pk=item.pk).update(due_at=NOW + 3 * DAY)
    with at(NOW + HOUR):
        assert reminders.due_soon_send() == 0
    with at(NOW + 2 * DAY + SECOND):
        assert reminders.due_soon_send() == 1
        assert reminders.due_soon_send() == 0
    assert received("due_soon", item_id=item.pk) == student * 2
    assert received("due_soon", due_at=(NOW + 3 * DAY).isoformat()) == student
