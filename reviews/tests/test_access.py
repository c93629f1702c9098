"""reviews.access: each need of review_for and reply_for for every role, reviews that no longer
count, draft courses, a demoted instructor, and ids that are not ids."""

from functools import partial

import pytest

from accounts.models import Role
from accounts.services import user_set_role
from conftest import ROLES
from courses.services import enrollment_revoke
from courses.tests.factories import CourseFactory, PublishedCourseFactory
from lms.errors import NotFound, NotPermitted
from lms.testing import access_outcome
from reviews.access import reply_for, review_for

from .factories import InstructorReplyFactory, ReviewFactory

pytestmark = pytest.mark.django_db

EDIT_DENIED = "Only the author can edit a review."
DELETE_DENIED = "Only the author or an admin can delete a review."
REPLY_DENIED = "Only the course's instructor can reply to its reviews."
MANAGE_REPLY_DENIED = "Only the course's instructor manages replies to its reviews."

NEEDS = ("read", "edit", "delete", "reply")
GARBAGE_IDS = ["abc", "", None, -1, 0, "1.5", 2**63, 10**30, "1 OR 1=1", 999_999]


@pytest.fixture
def users(users_by_role):
    return users_by_role


@pytest.fixture
def review(instructor, student):
    """`student`'s review of `instructor`'s published course."""
    return ReviewFactory(course=PublishedCourseFactory(instructor=instructor), student=student)


outcome = partial(access_outcome, report="status")


TABLE = {
    #                  read  edit  delete  reply
    "anonymous": ("ok", 403, 403, 403),
    "student": ("ok", "ok", "ok", 403),  # the author
    "other_student": ("ok", 403, 403, 403),
    "instructor": ("ok", 403, 403, "ok"),
    "other_instructor": ("ok", 403, 403, 403),
    "admin": ("ok", 403, "ok", 403),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("need", NEEDS)
def test_review_needs_by_role(users, review, role, need):
    assert outcome(lambda: review_for(users[role], review.pk, need=need)) == TABLE[role][NEEDS.index(need)]


@pytest.mark.parametrize("role", ROLES)
def test_managing_the_reply_is_the_course_instructors(users, review, role):
    reply = InstructorReplyFactory(review=review)
    expected = "ok" if role == "instructor" else 403
    assert outcome(lambda: reply_for(users[role], review.pk, need="manage")) == expected
    if expected == "ok":
        assert reply_for(users[role], str(review.pk)) == reply


def test_a_review_without_a_reply_has_no_reply_to_manage(review, instructor, other_instructor):
    with pytest.raises(NotFound):
        reply_for(instructor, review.pk)
    with pytest.raises(NotPermitted):  # refused before anything is said about the reply
        reply_for(other_instructor, review.pk)


def test_the_refusals_keep_their_messages(review, other_student, instructor, other_instructor):
    InstructorReplyFactory(review=review)
    for call, message in (
        (lambda: review_for(other_student, review.pk, need="edit"), EDIT_DENIED),
        (lambda: review_for(instructor, review.pk, need="delete"), DELETE_DENIED),
        (lambda: review_for(other_instructor, review.pk, need="reply"), REPLY_DENIED),
        (lambda: reply_for(other_instructor, review.pk), MANAGE_REPLY_DENIED),
    ):
        with pytest.raises(NotPermitted) as exc:
            call()
        assert exc.value.message == message


def test_a_review_that_no_longer_counts_is_its_authors_and_the_admins(users, review, student):
    enrollment_revoke(actor=None, enrollment=student.enrollments.get(course=review.course))
    for role in ("anonymous", "other_student", "instructor", "other_instructor"):
        assert outcome(lambda role=role: review_for(users[role], review.pk)) == 404, role
    assert outcome(lambda: review_for(student, review.pk, need="delete")) == "ok"
    assert outcome(lambda: review_for(users["admin"], review.pk, need="delete")) == "ok"


def test_reviews_of_a_draft_course_exist_for_those_who_may_open_it(users, instructor, student):
    review = ReviewFactory(course=CourseFactory(instructor=instructor), student=student)
    for role in ("anonymous", "other_student", "other_instructor"):
        assert outcome(lambda role=role: review_for(users[role], review.pk)) == 404, role
    for role in ("student", "instructor", "admin"):
        assert outcome(lambda role=role: review_for(users[role], review.pk)) == "ok", role


def test_a_demoted_instructor_no_longer_replies(review, instructor, admin_user):
    InstructorReplyFactory(review=review)
    user_set_role(actor=admin_user, user=instructor, role=Role.STUDENT)
    instructor.refresh_from_db()
    assert outcome(lambda: review_for(instructor, review.pk, need="reply")) == 403
    assert outcome(lambda: reply_for(instructor, review.pk)) == 403


@pytest.mark.parametrize("garbage", GARBAGE_IDS)
def test_ids_that_are_not_ids_are_404(admin_user, instructor, review, garbage):
    with pytest.raises(NotFound):
        review_for(admin_user, garbage, need="delete")
    with pytest.raises(NotFound):
        reply_for(instructor, garbage)


def test_an_unknown_need_is_a_programming_error(review, student):
    with pytest.raises(ValueError):
        review_for(student, review.pk, need="write")
    with pytest.raises(ValueError):
        reply_for(student, review.pk, need="read")
