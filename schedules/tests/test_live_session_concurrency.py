"""Overlapping runs of the reminder job on PostgreSQL: threads released together, each with its own
database connection, so the unique rows and the session's row lock (not Python) decide who is
reminded: every student exactly once."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.tests.factories import StudentFactory
from courses import services as courses
from courses.tests.factories import PublishedCourseFactory
from lms.testing import run_together
from notifications.models import Notification
from schedules import services
from schedules.models import LiveSessionReminder

from .factories import LiveSessionFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 4


def test_overlapping_runs_remind_each_student_once(postgres):
    course = PublishedCourseFactory()
    students = StudentFactory.create_batch(9)
    for s in students:
        courses.enrollment_create(student=s, course=course)
    sessions = [LiveSessionFactory(course=course, starts_at=timezone.now() + timedelta(minutes=m)) for m in (20, 40)]

    sent = run_together([lambda: services.live_session_reminders_send(batch_size=2)] * THREADS, timeout=60)

    assert sum(sent) == 2 * 9, sent
    for session in sessions:
        recipients = list(
            Notification.objects.filter(type="live_session_soon", payload__live_session_id=session.pk).values_list(
                "recipient_id", flat=True
            )
        )
        assert sorted(recipients) == sorted(s.pk for s in students)
        assert LiveSessionReminder.objects.filter(session=session).count() == 9


def test_the_unique_row_alone_stops_a_second_notification(postgres):
    """Without the lock (two inserts of the same students racing), each student's row is inserted
    by one caller only, and only that caller reports them."""
    course = PublishedCourseFactory()
    students = StudentFactory.create_batch(5)
    for s in students:
        courses.enrollment_create(student=s, course=course)
    session = LiveSessionFactory(course=course, starts_at=timezone.now() + timedelta(minutes=30))
    ids = sorted(s.pk for s in students)
    now = timezone.now()

    inserted = run_together([lambda: services._reminders_insert(session, ids, now)] * THREADS, timeout=60)

    assert sorted(pk for batch in inserted for pk in batch) == ids, inserted
