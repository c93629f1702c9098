"""notifications.access: notification_for (the recipient only: anyone else, admins included, gets
404) and announcement_course_for ("read": who may open the course's content; "announce": the
course's own instructor while they hold the role). A garbage id is a 404."""

import pytest

from accounts.models import Role
from accounts.services import user_set_role
from conftest import ROLES as SIGNED_ROLES
from courses.tests.factories import EnrollmentFactory, PublishedCourseFactory
from lms.errors import NotFound
from lms.testing import access_outcome as outcome
from notifications.access import announcement_course_for, notification_for
from notifications.models import Notification

pytestmark = pytest.mark.django_db

OK, HIDDEN = "ok", 404
ROLES = (*SIGNED_ROLES, "demoted")

# `student` is enrolled in `instructor`'s published course; `demoted` taught it before being demoted.
ANNOUNCEMENTS = {
    "anonymous": {"read": "not_enrolled", "announce": "not_course_instructor"},
    "student": {"read": OK, "announce": "not_course_instructor"},
    "other_student": {"read": "not_enrolled", "announce": "not_course_instructor"},
    "instructor": {"read": OK, "announce": OK},
    "other_instructor": {"read": "not_enrolled", "announce": "not_course_instructor"},
    "admin": {"read": OK, "announce": "not_course_instructor"},
    "demoted": {"read": "not_enrolled", "announce": "not_course_instructor"},
}


@pytest.fixture
def users(users_by_role):
    return users_by_role


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("need", ["read", "announce"])
def test_announcement_course_for(users, student, role, need):
    user = users[role]
    course = PublishedCourseFactory(instructor=user if role == "demoted" else users["instructor"])
    if role == "demoted":
        user_set_role(actor=None, user=user, role=Role.STUDENT)
        user.refresh_from_db()
    EnrollmentFactory(student=student, course=course)
    assert outcome(lambda: announcement_course_for(user, course.pk, need=need)) == ANNOUNCEMENTS[role][need]


def test_an_admin_who_is_the_courses_instructor_may_announce(admin_user):
    course = PublishedCourseFactory(instructor=admin_user)
    assert announcement_course_for(admin_user, course.pk, need="announce") == course


def test_a_draft_course_is_hidden_from_outsiders(other_instructor, instructor):
    course = PublishedCourseFactory(instructor=instructor, status="draft")
    for need in ("read", "announce"):
        assert outcome(lambda need=need: announcement_course_for(other_instructor, course.pk, need=need)) == HIDDEN


@pytest.mark.parametrize("role", ["student", "other_student", "instructor", "admin"])
def test_notification_for_is_for_its_recipient_only(users, role):
    notification = Notification.objects.create(recipient=users["student"], type="announcement", title="Hi")
    expected = OK if role == "student" else HIDDEN
    assert outcome(lambda: notification_for(users[role], notification.pk)) == expected


@pytest.mark.parametrize("garbage", ["abc", "", None, "0", "-1", str(2**63), "999999"])
def test_garbage_or_unknown_ids_are_not_found(admin_user, garbage):
    with pytest.raises(NotFound):
        notification_for(admin_user, garbage)
    with pytest.raises(NotFound):
        announcement_course_for(admin_user, garbage)


def test_an_unknown_need_is_a_programming_error(admin_user):
    with pytest.raises(ValueError):
        notification_for(admin_user, 1, need="read")
    with pytest.raises(ValueError):
        announcement_course_for(admin_user, 1, need="manage")
