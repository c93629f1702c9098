"""The hour-before reminder (`live_session_soon`): the 60-minute window at its boundaries, each
student of the audience exactly once, batches, a moved session, and the beat job."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.conf import settings

from accounts.tests.factories import StudentFactory
from courses import services as courses
from courses.models import Enrollment
from courses.tests.factories import PublishedCourseFactory
from notifications.models import Notification
from schedules import services
from schedules.models import LiveSessionReminder
from schedules.tasks import live_session_reminders_task

from .factories import CohortFactory, LiveSessionFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2027, 3, 2, 16, 0, tzinfo=UTC)


def reminded(session) -> list[int]:
    return sorted(
        Notification.objects.filter(type="live_session_soon", payload__live_session_id=session.pk).values_list(
            "recipient_id", flat=True
        )
    )


@pytest.fixture
def course():
    with time_machine.travel(NOW - timedelta(days=1), tick=False):
        return PublishedCourseFactory()


def enrolled(course, n: int, cohort=None) -> list[int]:
    students = StudentFactory.create_batch(n)
    with time_machine.travel(NOW - timedelta(days=1), tick=False):
        for s in students:
            courses.enrollment_create(student=s, course=course, cohort=cohort.pk if cohort else None)
    return sorted(s.pk for s in students)


@pytest.mark.parametrize(
    ("starts_in", "expected"),
    [
        (timedelta(0), False),  # starting now: too late
        (timedelta(seconds=1), True),
        (timedelta(minutes=60), True),  # exactly an hour ahead: in the window
        (timedelta(minutes=60, seconds=1), False),  # not yet
        (-timedelta(minutes=5), False),  # started
    ],
)
def test_sessions_starting_within_the_next_60_minutes_are_reminded(course, starts_in, expected):
    students = enrolled(course, 2)
    session = LiveSessionFactory(course=course, starts_at=NOW + starts_in)
    with time_machine.travel(NOW, tick=False):
        sent = services.live_session_reminders_send()
    assert sent == (2 if expected else 0)
    assert reminded(session) == (students if expected else [])


def test_a_session_is_reminded_once_as_it_comes_into_the_window(course):
    students = enrolled(course, 3)
    session = LiveSessionFactory(course=course, starts_at=NOW + timedelta(minutes=61))
    for minutes, sent in ((0, 0), (1, 3), (2, 0), (30, 0), (59, 0)):
        with time_machine.travel(NOW + timedelta(minutes=minutes), tick=False):
            assert services.live_session_reminders_send() == sent
    assert reminded(session) == students
    note = Notification.objects.filter(type="live_session_soon").first()
    assert note.payload == {
        "course_id": course.pk,
        "live_session_id": session.pk,
        "cohort_id": None,
        "starts_at": session.starts_at.isoformat(),
    }
    assert note.title == f"{session.title} starts at 5:01 p.m. UTC"  # in the recipient's language
    assert session.join_url in note.body


def test_only_the_sessions_audience_is_reminded(course):
    with time_machine.travel(NOW - timedelta(days=1), tick=False):
        a, b = CohortFactory(course=course, capacity=5), CohortFactory(course=course, capacity=5)
    in_a, in_b = enrolled(course, 2, a), enrolled(course, 1, b)
    left = in_a.pop()
    courses.enrollment_revoke(actor=None, enrollment=Enrollment.objects.get(student_id=left, course=course))
    StudentFactory()  # not enrolled
    for_a = LiveSessionFactory(course=course, cohort=a, starts_at=NOW + timedelta(minutes=30))
    for_all = LiveSessionFactory(course=course, starts_at=NOW + timedelta(minutes=30))
    with time_machine.travel(NOW, tick=False):
        assert services.live_session_reminders_send() == 1 + 2
    assert reminded(for_a) == in_a
    assert reminded(for_all) == sorted(in_a + in_b)


def test_a_student_who_joins_within_the_hour_is_reminded_by_the_next_run(course):
    first = enrolled(course, 1)
    session = LiveSessionFactory(course=course, starts_at=NOW + timedelta(minutes=30))
    with time_machine.travel(NOW, tick=False):
        assert services.live_session_reminders_send() == 1
    late = enrolled(course, 1)
    with time_machine.travel(NOW + timedelta(minutes=5), tick=False):
        assert services.live_session_reminders_send() == 1
    assert reminded(session) == sorted(first + late)


def test_batches_cost_queries_per_batch_not_per_student(course, django_assert_num_queries):
    students = enrolled(course, 7)
    session = LiveSessionFactory(course=course, starts_at=NOW + timedelta(minutes=30))
    with time_machine.travel(NOW, tick=False), django_assert_num_queries(1 + 3 * 9):
        # the sessions; then per batch of 3 (3 batches): savepoint, lock, find, insert, read back,
        # the course, preferences, the notifications' insert, release
        assert services.live_session_reminders_send(batch_size=3) == 7
    assert reminded(session) == students
    assert LiveSessionReminder.objects.filter(session=session).count() == 7


def test_a_student_already_reminded_is_not_notified_again_when_the_insert_conflicts(course):
    """The unique row decides: a student whose row another run inserted is not notified here."""
    students = enrolled(course, 2)
    session = LiveSessionFactory(course=course, starts_at=NOW + timedelta(minutes=30))
    with time_machine.travel(NOW, tick=False):
        assert services._reminders_insert(session, students[:1], NOW) == students[:1]
        assert services._reminders_insert(session, students, NOW) == students[1:]


def test_a_moved_session_is_reminded_again_for_its_new_time(course):
    students = enrolled(course, 2)
    session = LiveSessionFactory(course=course, starts_at=NOW + timedelta(minutes=30))
    with time_machine.travel(NOW, tick=False):
        assert services.live_session_reminders_send() == 2
        services.live_session_update(actor=None, session=session, data={"starts_at": NOW + timedelta(hours=5)})
        assert services.live_session_reminders_send() == 0
    with time_machine.travel(NOW + timedelta(hours=4, minutes=30), tick=False):
        assert services.live_session_reminders_send() == 2
    assert reminded(session) == sorted(students * 2)


def test_the_beat_job_runs_the_reminders_and_is_idempotent(course):
    assert settings.CELERY_BEAT_SCHEDULE["remind-live-sessions"] == {
        "task": "schedules.tasks.live_session_reminders_task",
        "schedule": 300.0,
    }
    enrolled(course, 2)
    LiveSessionFactory(course=course, starts_at=NOW + timedelta(minutes=59))
    with time_machine.travel(NOW, tick=False):
        assert live_session_reminders_task.delay().get() == 2
        assert live_session_reminders_task.delay().get() == 0
    assert Notification.objects.filter(type="live_session_soon").count() == 2


def test_preferences_are_honoured(course, django_capture_on_commit_callbacks):
    from notifications import services as notifications

    quiet, loud = (StudentFactory(), StudentFactory())
    for s in (quiet, loud):
        with time_machine.travel(NOW - timedelta(days=1), tick=False):
            courses.enrollment_create(student=s, course=course)
    notifications.preferences_update(user=quiet, changes=[{"type": "live_session_soon", "in_app": False}])
    session = LiveSessionFactory(course=course, starts_at=NOW + timedelta(minutes=30))
    with time_machine.travel(NOW, tick=False):
        assert services.live_session_reminders_send() == 2  # both reminded (the row), one in-app
    assert reminded(session) == [loud.pk]
