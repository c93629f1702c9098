"""Notification e-mail through the real pieces: an SMTP server on loopback, and a Celery worker on
Redis."""

import time

import pytest
from django.core import mail
from django.db import close_old_connections

from accounts.tests.factories import InstructorFactory, StudentFactory
from conftest import client_for
from courses.tests.factories import EnrollmentFactory, PublishedCourseFactory
from notifications import services
from notifications.models import Announcement, Notification


def parts_by_type(message) -> dict[str, str]:
    return {
        part.get_content_type(): part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")
        for part in message.walk()
        if not part.is_multipart()
    }


@pytest.mark.django_db
def test_notification_email_over_smtp(smtp_server, django_capture_on_commit_callbacks):
    user = StudentFactory(first_name="Ada")
    other = StudentFactory()

    with django_capture_on_commit_callbacks(execute=True):
        services.notify(
            recipients=[user],
            type="announcement",
            title="Exam moved to Friday",
            body="Room 101 <b>as before</b>.",
            link="https://lms.example.com/courses/1",
        )

    assert mail.outbox == []  # it really went over SMTP
    assert len(smtp_server) == 1
    message = smtp_server[0]
    assert message["To"] == user.email
    assert message["Subject"] == "Exam moved to Friday"
    assert message["From"]
    assert message.get_content_type() == "multipart/alternative"
    parts = parts_by_type(message)
    assert set(parts) == {"text/plain", "text/html"}
    assert "Hello Ada" in parts["text/plain"]
    assert "Room 101 <b>as before</b>." in parts["text/plain"]
    assert "https://lms.example.com/courses/1" in parts["text/plain"]
    assert "Exam moved to Friday" in parts["text/html"]
    assert "&lt;b&gt;as before&lt;/b&gt;" in parts["text/html"]  # escaped, not injected
    assert 'href="https://lms.example.com/courses/1"' in parts["text/html"]
    assert other.email not in str(message)


@pytest.mark.django_db
def test_one_smtp_message_per_recipient_with_email_on(smtp_server, django_capture_on_commit_callbacks):
    on, off = StudentFactory(), StudentFactory()
    services.preferences_update(user=off, changes=[{"type": "announcement", "email": False}])

    with django_capture_on_commit_callbacks(execute=True):
        services.notify(recipients=[on, off], type="announcement", title="Hello", body="All")

    assert [m["To"] for m in smtp_server] == [on.email]
    assert Notification.objects.filter(type="announcement").count() == 2


@pytest.mark.django_db
def test_enrollment_confirmation_over_smtp(smtp_server, django_capture_on_commit_callbacks):
    from courses.services import enrollment_create

    student = StudentFactory()
    course = PublishedCourseFactory(instructor=InstructorFactory())

    with django_capture_on_commit_callbacks(execute=True):
        enrollment_create(student=student, course=course)

    # Only the student's confirmation: new_enrollment e-mail is off by default for the instructor.
    assert [m["To"] for m in smtp_server] == [student.email]
    assert course.title in smtp_server[0]["Subject"]


def wait_for(condition, timeout: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        close_old_connections()
        if condition():
            return True
        time.sleep(0.1)
    return condition()


@pytest.mark.worker
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_announcement_is_delivered_by_the_worker(celery_worker):
    assert not celery_worker.conf.task_always_eager  # the job goes through Redis to the worker
    instructor = InstructorFactory()
    course = PublishedCourseFactory(instructor=instructor)
    students = [EnrollmentFactory(course=course).student for _ in range(3)]
    outsider = StudentFactory()
    mail.outbox.clear()

    response = client_for(instructor).post(
        f"/api/v1/courses/{course.pk}/announcements/", {"title": "Worker", "body": "Delivered"}, format="json"
    )

    assert response.status_code == 202
    assert response.data["status"] == "queued"
    delivered = wait_for(lambda: Notification.objects.filter(type="announcement").count() == 3)
    assert delivered, "the worker did not deliver the announcement within 15 s"
    assert set(Notification.objects.filter(type="announcement").values_list("recipient_id", flat=True)) == {
        s.pk for s in students
    }
    assert not Notification.objects.filter(recipient=outsider).exists()
    announcement = Announcement.objects.get(pk=response.data["id"])
    assert announcement.sent_at is not None
    assert announcement.recipient_count == 3
    # The e-mail job the fan-out queued is a second job, also run by the worker.
    assert wait_for(lambda: len(mail.outbox) == 3), "the worker did not send the e-mails within 15 s"
    assert sorted(m.to[0] for m in mail.outbox) == sorted(s.email for s in students)
