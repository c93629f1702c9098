"""forum.access: each need of post_for, comment_for and report_for for every role, hidden threads,
courses the user cannot see, and ids that are not ids."""

from functools import partial

import pytest
from django.core.exceptions import ValidationError

from accounts.models import Role
from accounts.services import user_set_role
from conftest import ROLES
from courses.services import enrollment_revoke
from courses.tests.factories import CourseFactory, EnrollmentFactory
from forum import services
from forum.access import comment_for, post_for, reply_parent_for, report_for
from forum.models import Post
from lms.errors import NotFound, NotPermitted
from lms.testing import access_outcome

pytestmark = pytest.mark.django_db

GARBAGE_IDS = ["abc", "", None, -1, 0, "1.5", 2**63, 10**30, "1 OR 1=1", 999_999]


@pytest.fixture
def users(users_by_role):
    """`student` wrote the post, `other_student` the comment on it."""
    return users_by_role


outcome = partial(access_outcome, report="status")


# --- posts ---------------------------------------------------------------------------------------
POST_TABLE = {
    #                  read  edit  delete  moderate
    "anonymous": (403, 403, 403, 403),
    "student": ("ok", "ok", "ok", 403),
    "other_student": ("ok", 403, 403, 403),
    "instructor": ("ok", 403, "ok", "ok"),
    "other_instructor": (403, 403, 403, 403),
    "admin": ("ok", 403, "ok", "ok"),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("need", ["read", "edit", "delete", "moderate"])
def test_post_needs_by_role(users, post, role, need):
    expected = POST_TABLE[role][("read", "edit", "delete", "moderate").index(need)]
    assert outcome(lambda: post_for(users[role], post.pk, need=need)) == expected


def test_a_post_comes_with_what_its_views_render(post, student):
    services.vote_toggle(post=post, user=student)
    found = post_for(student, str(post.pk))
    assert found == post and found.has_voted is True
    assert found.course == post.course and found.author == student


def test_the_read_refusal_names_the_forum(post, other_instructor):
    with pytest.raises(NotPermitted) as exc:
        post_for(other_instructor, post.pk)
    assert exc.value.message == "Only enrolled students, the course's instructor and admins read its forum."
    assert exc.value.code == "not_enrolled"


HIDDEN_TABLE = {
    "anonymous": (404, 404, 404, 404),
    "student": ("ok", "ok", "ok", 403),  # its author
    "other_student": (404, 404, 404, 404),
    "instructor": ("ok", 403, "ok", "ok"),
    "other_instructor": (404, 404, 404, 404),
    "admin": ("ok", 403, "ok", "ok"),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("need", ["read", "edit", "delete", "moderate"])
def test_a_hidden_thread_exists_for_its_author_and_moderators_only(users, post, comment, instructor, role, need):
    services.item_set_hidden(item=post, actor=instructor, hidden=True)
    expected = HIDDEN_TABLE[role][("read", "edit", "delete", "moderate").index(need)]
    assert outcome(lambda: post_for(users[role], post.pk, need=need)) == expected
    if need in ("read", "edit", "delete") and expected == 404:  # and so does every comment in it
        assert outcome(lambda: comment_for(users[role], comment.pk, need=need)) == 404


def test_a_draft_courses_forum_does_not_exist_for_outsiders(users, instructor, student):
    draft = CourseFactory(instructor=instructor)
    EnrollmentFactory(student=student, course=draft)
    post = services.post_create(course=draft, author=student, title="Draft", body="b")
    for role in ("anonymous", "other_student", "other_instructor"):
        assert outcome(lambda role=role: post_for(users[role], post.pk)) == 404, role
    for role in ("student", "instructor", "admin"):
        assert outcome(lambda role=role: post_for(users[role], post.pk)) == "ok", role


def test_a_demoted_instructor_no_longer_moderates(post, instructor, admin_user):
    user_set_role(actor=admin_user, user=instructor, role=Role.STUDENT)
    instructor.refresh_from_db()
    assert outcome(lambda: post_for(instructor, post.pk, need="moderate")) == 403
    assert outcome(lambda: post_for(instructor, post.pk, need="read")) == 403  # not enrolled either


@pytest.mark.parametrize("garbage", GARBAGE_IDS)
def test_ids_that_are_not_ids_are_404(admin_user, post, comment, garbage):
    for helper in (post_for, comment_for, report_for):
        need = "moderate" if helper is report_for else "read"
        with pytest.raises(NotFound):
            helper(admin_user, garbage, need=need)


def test_an_unknown_need_is_a_programming_error(post, comment, student):
    with pytest.raises(ValueError):
        post_for(student, post.pk, need="write")
    with pytest.raises(ValueError):
        comment_for(student, comment.pk, need="moderate")
    with pytest.raises(ValueError):
        report_for(student, 1, need="read")


# --- comments ------------------------------------------------------------------------------------
COMMENT_TABLE = {
    #                  read  edit  delete
    "anonymous": (403, 403, 403),
    "student": ("ok", 403, 403),
    "other_student": ("ok", "ok", "ok"),  # its author
    "instructor": ("ok", 403, "ok"),
    "other_instructor": (403, 403, 403),
    "admin": ("ok", 403, "ok"),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("need", ["read", "edit", "delete"])
def test_comment_needs_by_role(users, comment, role, need):
    expected = COMMENT_TABLE[role][("read", "edit", "delete").index(need)]
    assert outcome(lambda: comment_for(users[role], comment.pk, need=need)) == expected


def test_a_hidden_comment_is_still_there_to_act_on(users, comment, instructor):
    """Moderation hides a comment's text, not the comment: it can still be reported or deleted."""
    services.item_set_hidden(item=comment, actor=instructor, hidden=True)
    assert outcome(lambda: comment_for(users["student"], comment.pk)) == "ok"
    assert outcome(lambda: comment_for(users["other_student"], comment.pk, need="delete")) == "ok"


def test_a_revoked_author_loses_their_own_writing(comment, other_student):
    enrollment_revoke(actor=None, enrollment=other_student.enrollments.get(course=comment.post.course))
    for need in ("read", "edit", "delete"):
        assert outcome(lambda need=need: comment_for(other_student, comment.pk, need=need)) == 403


# --- the parent of a reply -----------------------------------------------------------------------
def test_a_reply_parent_is_a_comment_the_user_can_see(post, comment, student, other_student, instructor):
    assert reply_parent_for(student, None) is None
    assert reply_parent_for(student, comment.pk) == comment
    services.item_set_hidden(item=post, actor=instructor, hidden=True)
    for user, parent_id in ((student, 999_999), (student, -1), (student, "x"), (other_student, comment.pk)):
        with pytest.raises(ValidationError) as exc:
            reply_parent_for(user, parent_id)
        assert exc.value.message_dict == {"parent": ["No such comment."]}


# --- reports -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", 404),
        ("student", 404),
        ("other_student", 404),  # the reporter: a report is the moderators' to read
        ("instructor", "ok"),
        ("other_instructor", 404),
        ("admin", "ok"),
    ],
)
def test_reports_are_for_the_courses_moderators(users, post, other_student, role, expected):
    report = services.report_create(reporter=other_student, post=post, reason="spam")
    assert outcome(lambda: report_for(users[role], report.pk, need="moderate")) == expected


def test_a_demoted_instructor_no_longer_sees_reports(post, other_student, instructor, admin_user):
    report = services.report_create(reporter=other_student, post=post, reason="spam")
    user_set_role(actor=admin_user, user=instructor, role=Role.STUDENT)
    instructor.refresh_from_db()
    assert outcome(lambda: report_for(instructor, report.pk)) == 404
    assert Post.objects.filter(pk=post.pk).exists()
