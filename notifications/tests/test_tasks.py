"""The notifications tasks run their service when the job runs: the periodic safety net delivers
announcements whose job was lost (and only those), and the course fan-out reaches the course's
active students only."""

from datetime import timedelta

import pytest
from django.utils import timezone

from courses.models import EnrollmentStatus
from courses.tests.factories import EnrollmentFactory, PublishedCourseFactory
from notifications.models import Announcement, Notification
from notifications.tasks import announcements_send_unsent_task, course_students_notify_task

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(instructor, student, other_student):
    course = PublishedCourseFactory(instructor=instructor)
    EnrollmentFactory(student=student, course=course)
    EnrollmentFactory(student=other_student, course=course, status=EnrollmentStatus.REVOKED)
    return course


def announcement(course, *, minutes_ago: int, sent: bool = False) -> Announcement:
    made = Announcement.objects.create(course=course, author=course.instructor, title="T", body="B")
    Announcement.objects.filter(pk=made.pk).update(
        created_at=timezone.now() - timedelta(minutes=minutes_ago), sent_at=timezone.now() if sent else None
    )
    return made


def test_the_sweep_sends_only_lost_announcements(course, student):
    lost = announcement(course, minutes_ago=30)
    in_flight = announcement(course, minutes_ago=2)  # its own job may still be coming
    announcement(course, minutes_ago=60, sent=True)

    assert announcements_send_unsent_task.apply(kwargs={"older_than_minutes": 10}).get() == 1

    assert Announcement.objects.get(pk=lost.pk).sent_at is not None
    assert Announcement.objects.get(pk=in_flight.pk).sent_at is None
    assert list(Notification.objects.values_list("recipient_id", "payload")) == [
        (student.pk, {"course_id": course.pk, "announcement_id": lost.pk})
    ]
    assert announcements_send_unsent_task.apply(kwargs={"older_than_minutes": 10}).get() == 0


def test_the_course_fanout_reaches_active_students_only(course, student):
    sent = course_students_notify_task.apply(
        kwargs={"course_id": course.pk, "type": "course_updated", "title": "New", "body": "", "payload": {}}
    ).get()
    assert sent == 1
    assert list(Notification.objects.values_list("recipient_id", flat=True)) == [student.pk]
