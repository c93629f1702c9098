"""notification_mark_read and announcement_create check who acts themselves (defence in depth):
called directly as the wrong user they raise NotPermitted and change nothing."""

import pytest

from accounts.models import Role
from accounts.services import user_set_role
from courses.tests.factories import EnrollmentFactory, PublishedCourseFactory
from lms.errors import NotPermitted
from notifications import services
from notifications.models import Announcement, Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def notification(student):
    return Notification.objects.create(recipient=student, type="announcement", title="Hi")


@pytest.mark.parametrize("who", ["other_student", "instructor", "admin_user"])
def test_notification_mark_read_refuses_anyone_but_the_recipient(request, notification, who):
    with pytest.raises(NotPermitted):
        services.notification_mark_read(actor=request.getfixturevalue(who), notification=notification)
    assert Notification.objects.get(pk=notification.pk).read_at is None


@pytest.mark.parametrize("who", ["student", None])
def test_the_recipient_and_the_platform_mark_read(request, notification, who):
    actor = request.getfixturevalue(who) if who else None
    services.notification_mark_read(actor=actor, notification=notification)
    assert Notification.objects.get(pk=notification.pk).read_at is not None


@pytest.fixture
def course(instructor, student):
    course = PublishedCourseFactory(instructor=instructor)
    EnrollmentFactory(student=student, course=course)
    return course


@pytest.mark.parametrize("who", ["student", "other_instructor", "admin_user"])
def test_announcement_create_refuses_anyone_but_the_courses_instructor(request, course, who):
    with pytest.raises(NotPermitted):
        services.announcement_create(course=course, author=request.getfixturevalue(who), title="T", body="B")
    assert not Announcement.objects.exists()


def test_a_demoted_instructor_cannot_announce_in_their_old_course(course, instructor):
    user_set_role(actor=None, user=instructor, role=Role.STUDENT)
    instructor.refresh_from_db()
    with pytest.raises(NotPermitted):
        services.announcement_create(course=course, author=instructor, title="T", body="B")
    assert not Announcement.objects.exists()


def test_the_courses_instructor_announces(course, instructor):
    announcement = services.announcement_create(course=course, author=instructor, title="T", body="B")
    assert Announcement.objects.get(pk=announcement.pk).author == instructor
