"""The events wired so far reach the right people, and nobody else, through the channels each
person chose."""

import pytest
from django.core import mail

from accounts.tests.factories import StudentFactory
from courses import services as course_services
from courses.tests.factories import CourseFactory, EnrollmentFactory, PublishedCourseFactory, SectionFactory
from lms.errors import Conflict
from notifications import services
from notifications.models import Notification, NotificationPreference

pytestmark = pytest.mark.django_db


def recipients(type: str) -> set[int]:
    return set(Notification.objects.filter(type=type).values_list("recipient_id", flat=True))


def emailed() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


def switch(user, type: str, **channels) -> None:
    services.preferences_update(user=user, changes=[{"type": type, **channels}])


@pytest.fixture
def course(instructor):
    return PublishedCourseFactory(instructor=instructor)


# --- enrollment_confirmed and new_enrollment -----------------------------------------------------
def test_enrollment_notifies_the_student_and_the_instructor_only(
    course, student, other_student, instructor, other_instructor, admin_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        enrollment = course_services.enrollment_create(student=student, course=course)

    assert recipients("enrollment_confirmed") == {student.pk}
    assert recipients("new_enrollment") == {instructor.pk}
    assert Notification.objects.count() == 2
    confirmed = Notification.objects.get(type="enrollment_confirmed")
    assert course.title in confirmed.title
    assert confirmed.payload == {"course_id": course.pk, "enrollment_id": enrollment.pk}
    new = Notification.objects.get(type="new_enrollment")
    assert new.payload["course_id"] == course.pk
    assert new.payload["student_id"] == student.pk
    for outsider in (other_student, other_instructor, admin_user):
        assert not Notification.objects.filter(recipient=outsider).exists()
    # E-mail by default: the student's confirmation yes, the instructor's new_enrollment no.
    assert emailed() == [student.email]
    assert mail.outbox[0].subject == confirmed.title


def test_each_enrollment_notifies_its_own_student(course, student, other_student, instructor):
    course_services.enrollment_create(student=student, course=course)
    course_services.enrollment_create(student=other_student, course=course)

    assert Notification.objects.filter(type="enrollment_confirmed", recipient=student).count() == 1
    assert Notification.objects.filter(type="enrollment_confirmed", recipient=other_student).count() == 1
    assert Notification.objects.filter(type="new_enrollment", recipient=instructor).count() == 2


def test_a_refused_enrollment_notifies_nobody(course, student, django_capture_on_commit_callbacks):
    course_services.enrollment_create(student=student, course=course)
    Notification.objects.all().delete()
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Conflict):
        course_services.enrollment_create(student=student, course=course)

    assert not Notification.objects.exists()
    assert mail.outbox == []


# --- course_updated ------------------------------------------------------------------------------
def test_new_lesson_in_published_course_notifies_active_students_only(
    course, instructor, other_student, admin_user, django_capture_on_commit_callbacks
):
    active = [EnrollmentFactory(course=course).student for _ in range(3)]
    revoked = EnrollmentFactory(course=course)
    course_services.enrollment_revoke(actor=None, enrollment=revoked)
    elsewhere = EnrollmentFactory(course=PublishedCourseFactory(instructor=instructor)).student
    section = SectionFactory(course=course)

    with django_capture_on_commit_callbacks(execute=True):
        lesson = course_services.lesson_create(actor=None, section=section, title="Decorators")

    assert recipients("course_updated") == {s.pk for s in active}
    note = Notification.objects.filter(type="course_updated").first()
    assert "Decorators" in note.title
    assert note.payload == {"course_id": course.pk, "lesson_id": lesson.pk}
    for outsider in (revoked.student, elsewhere, instructor, other_student, admin_user):
        assert not Notification.objects.filter(recipient=outsider, type="course_updated").exists()
    assert mail.outbox == []  # course_updated sends no e-mail by default


@pytest.mark.parametrize("status", ["draft", "archived"])
def test_new_lesson_in_unpublished_course_notifies_nobody(instructor, status, django_capture_on_commit_callbacks):
    course = CourseFactory(instructor=instructor, status=status)
    EnrollmentFactory(course=course, source="admin")
    section = SectionFactory(course=course)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        course_services.lesson_create(actor=None, section=section, title="Draft lesson")

    assert callbacks == []
    assert not Notification.objects.filter(type="course_updated").exists()


def test_course_updated_is_sent_in_a_background_job_after_commit(course, django_capture_on_commit_callbacks):
    EnrollmentFactory(course=course)
    section = SectionFactory(course=course)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        course_services.lesson_create(actor=None, section=section, title="Later")

    assert len(callbacks) == 1
    assert not Notification.objects.filter(type="course_updated").exists()
    callbacks[0]()
    assert Notification.objects.filter(type="course_updated").count() == 1


# --- preferences ---------------------------------------------------------------------------------
def test_in_app_off_stores_no_notification_but_email_still_goes(course, student, django_capture_on_commit_callbacks):
    switch(student, "enrollment_confirmed", in_app=False)

    with django_capture_on_commit_callbacks(execute=True):
        course_services.enrollment_create(student=student, course=course)

    assert not Notification.objects.filter(recipient=student).exists()
    assert emailed() == [student.email]


def test_email_off_sends_no_email_but_keeps_in_app(course, student, django_capture_on_commit_callbacks):
    switch(student, "enrollment_confirmed", email=False)

    with django_capture_on_commit_callbacks(execute=True):
        course_services.enrollment_create(student=student, course=course)

    assert recipients("enrollment_confirmed") == {student.pk}
    assert mail.outbox == []


def test_both_channels_off_delivers_nothing(course, student, django_capture_on_commit_callbacks):
    switch(student, "enrollment_confirmed", in_app=False, email=False)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        course_services.enrollment_create(student=student, course=course)

    assert recipients("enrollment_confirmed") == set()
    assert mail.outbox == []
    assert callbacks == []  # not even an empty e-mail job


def test_instructor_opts_in_to_new_enrollment_email(course, student, instructor, django_capture_on_commit_callbacks):
    switch(instructor, "new_enrollment", email=True)

    with django_capture_on_commit_callbacks(execute=True):
        course_services.enrollment_create(student=student, course=course)

    assert emailed() == sorted([student.email, instructor.email])


def test_instructor_switches_new_enrollment_off(course, student, instructor, django_capture_on_commit_callbacks):
    switch(instructor, "new_enrollment", in_app=False)

    with django_capture_on_commit_callbacks(execute=True):
        course_services.enrollment_create(student=student, course=course)

    assert recipients("new_enrollment") == set()
    assert recipients("enrollment_confirmed") == {student.pk}


def test_course_updated_preferences_are_honoured_per_student(course, django_capture_on_commit_callbacks):
    default, muted, emailed_too = (EnrollmentFactory(course=course).student for _ in range(3))
    switch(muted, "course_updated", in_app=False)
    switch(emailed_too, "course_updated", email=True)
    section = SectionFactory(course=course)

    with django_capture_on_commit_callbacks(execute=True):
        course_services.lesson_create(actor=None, section=section, title="More")

    assert recipients("course_updated") == {default.pk, emailed_too.pk}
    assert emailed() == [emailed_too.email]


def test_a_preference_for_one_type_leaves_other_types_alone(course, student, django_capture_on_commit_callbacks):
    switch(student, "announcement", in_app=False, email=False)

    with django_capture_on_commit_callbacks(execute=True):
        course_services.enrollment_create(student=student, course=course)

    assert recipients("enrollment_confirmed") == {student.pk}
    assert emailed() == [student.email]


def test_defaults_send_no_email_for_new_enrollment_and_course_updated(django_capture_on_commit_callbacks):
    user = StudentFactory()

    with django_capture_on_commit_callbacks(execute=True):
        services.notify(recipients=[user], type="new_enrollment", title="A")
        services.notify(recipients=[user], type="course_updated", title="B")
        services.notify(recipients=[user], type="announcement", title="C")

    assert Notification.objects.filter(recipient=user).count() == 3
    assert [m.subject for m in mail.outbox] == ["C"]
    assert not NotificationPreference.objects.exists()  # defaults need no rows


def test_deactivated_users_get_no_email(django_capture_on_commit_callbacks):
    active, inactive = StudentFactory(), StudentFactory(is_active=False)

    with django_capture_on_commit_callbacks(execute=True):
        services.notify(recipients=[active, inactive], type="announcement", title="Hello")

    assert emailed() == [active.email]


def test_notify_accepts_ids_and_deduplicates(django_capture_on_commit_callbacks):
    user = StudentFactory()

    with django_capture_on_commit_callbacks(execute=True):
        stored = services.notify(recipients=[user, user.pk, user], type="announcement", title="Once")

    assert stored == 1
    assert Notification.objects.filter(recipient=user).count() == 1
    assert len(mail.outbox) == 1


def test_notify_rejects_an_unknown_type(student):
    with pytest.raises(ValueError, match="Unknown notification type"):
        services.notify(recipients=[student], type="nope", title="x")
    assert not Notification.objects.exists()
