"""The activity log records one event per verb, with the client's address and user agent when there is a request."""

import pytest
from rest_framework.test import APIClient

from accounts.models import User
from accounts.tests.factories import PASSWORD
from activity.models import Verb
from activity.services import activity_record
from activity.tests.helpers import events
from conftest import client_for
from courses import services as course_services

pytestmark = pytest.mark.django_db


def test_sign_up_through_the_api_is_recorded():
    response = APIClient().post(
        "/api/v1/auth/register/",
        {"email": "new@example.com", "password": PASSWORD, "first_name": "New", "last_name": "User"},
        format="json",
        REMOTE_ADDR="198.51.100.4",
        HTTP_USER_AGENT="SignupAgent/2.0",
    )

    assert response.status_code == 201
    user = User.objects.get(email="new@example.com")
    event = events(Verb.USER_SIGNED_UP).get()
    assert event.actor == user
    assert (event.target_type, event.target_id) == ("user", str(user.pk))
    assert event.metadata == {"role": "student"}
    assert event.ip == "198.51.100.4"
    assert event.user_agent == "SignupAgent/2.0"


def test_instructor_sign_up_is_recorded_with_its_role():
    response = APIClient().post(
        "/api/v1/auth/instructors/register/",
        {"email": "teach@example.com", "password": PASSWORD, "first_name": "T", "last_name": "Eacher"},
        format="json",
    )

    assert response.status_code == 201
    assert events(Verb.USER_SIGNED_UP).get().metadata == {"role": "instructor"}


def test_a_failed_sign_up_records_nothing(student):
    response = APIClient().post("/api/v1/auth/register/", {"email": student.email, "password": PASSWORD}, format="json")

    assert response.status_code == 400
    assert not events(Verb.USER_SIGNED_UP).exists()


def test_login_through_the_api_is_recorded_with_ip_and_user_agent(student):
    response = APIClient().post(
        "/api/v1/auth/login/",
        {"email": student.email, "password": PASSWORD},
        format="json",
        REMOTE_ADDR="203.0.113.7",
        HTTP_USER_AGENT="Mozilla/5.0 (pytest)",
    )

    assert response.status_code == 200
    event = events(Verb.USER_LOGGED_IN).get()
    assert event.actor == student
    assert event.ip == "203.0.113.7"
    assert event.user_agent == "Mozilla/5.0 (pytest)"
    assert event.created_at is not None


def test_a_very_long_user_agent_is_cut_not_fatal(student):
    response = APIClient().post(
        "/api/v1/auth/login/",
        {"email": student.email, "password": PASSWORD},
        format="json",
        HTTP_USER_AGENT="A" * 5000,
    )

    assert response.status_code == 200
    assert events(Verb.USER_LOGGED_IN).get().user_agent == "A" * 300


def test_a_failed_login_records_nothing(student):
    response = APIClient().post("/api/v1/auth/login/", {"email": student.email, "password": "wrong"}, format="json")

    assert response.status_code == 401
    assert not events(Verb.USER_LOGGED_IN).exists()


def test_events_outside_a_request_have_no_ip(student):
    event = activity_record(actor=student, verb=Verb.USER_LOGGED_IN)

    assert event is not None
    event.refresh_from_db()
    assert event.ip is None
    assert event.user_agent == ""


def test_enrollment_is_recorded(course, student):
    enrollment = course_services.enrollment_create(student=student, course=course)

    event = events(Verb.ENROLLMENT_CREATED).get()
    assert event.actor == student
    assert event.course_id == course.pk
    assert (event.target_type, event.target_id) == ("enrollment", str(enrollment.pk))
    assert event.metadata == {"source": "free"}


def test_enrollment_through_the_api_is_recorded_with_the_client(course, student):
    response = client_for(student).post(
        f"/api/v1/courses/{course.pk}/enroll/", REMOTE_ADDR="192.0.2.55", HTTP_USER_AGENT="Phone/1"
    )

    assert response.status_code == 201
    event = events(Verb.ENROLLMENT_CREATED).get()
    assert (event.ip, event.user_agent) == ("192.0.2.55", "Phone/1")


def test_lesson_completed_is_recorded_once_per_lesson(course, student):
    course_services.enrollment_create(student=student, course=course)
    first, second = course.lessons.order_by("id")

    course_services.lesson_complete(student=student, lesson=first)
    course_services.lesson_complete(student=student, lesson=first)

    event = events(Verb.LESSON_COMPLETED).get()
    assert event.actor == student
    assert event.course_id == course.pk
    assert (event.target_type, event.target_id) == ("lesson", str(first.pk))
    assert not events(Verb.COURSE_COMPLETED).exists()

    course_services.lesson_complete(student=student, lesson=second)

    assert events(Verb.LESSON_COMPLETED).count() == 2


def test_course_completed_is_recorded_once(course, student):
    enrollment = course_services.enrollment_create(student=student, course=course)
    for lesson in course.lessons.all():
        course_services.lesson_complete(student=student, lesson=lesson)
        course_services.lesson_complete(student=student, lesson=lesson)

    event = events(Verb.COURSE_COMPLETED).get()
    assert event.actor == student
    assert event.course_id == course.pk
    assert (event.target_type, event.target_id) == ("enrollment", str(enrollment.pk))


def test_enrollment_revoked_is_recorded_once(course, student):
    enrollment = course_services.enrollment_create(student=student, course=course)

    course_services.enrollment_revoke(actor=None, enrollment=enrollment)
    course_services.enrollment_revoke(actor=None, enrollment=enrollment)

    event = events(Verb.ENROLLMENT_REVOKED).get()
    assert event.actor == student
    assert event.course_id == course.pk
    assert event.target_id == str(enrollment.pk)
