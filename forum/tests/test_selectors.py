"""forum.selectors: which threads, comments, reports and log entries each reader is given."""

import pytest
from django.contrib.auth.models import AnonymousUser

from accounts.models import Role
from accounts.services import user_set_role
from courses.tests.factories import CourseFactory, EnrollmentFactory, PublishedCourseFactory
from forum import selectors, services
from forum.models import ModerationLog
from forum.tests.factories import PostFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def threads(course, post, student, other_student, instructor):
    """`post` by student (open), `hidden` by other_student (hidden by the instructor), and a thread
    of another course nobody here moderates."""
    hidden = services.post_create(course=course, author=other_student, title="Spam", body="Buy")
    services.item_set_hidden(item=hidden, actor=instructor, hidden=True)
    elsewhere = PostFactory(course=PublishedCourseFactory())
    return {"open": post, "hidden": hidden, "elsewhere": elsewhere}


def pks(queryset) -> set[int]:
    return set(queryset.values_list("pk", flat=True))


@pytest.mark.parametrize(
    ("role", "sees_hidden"),
    [("student", False), ("other_student", True), ("instructor", True), ("other_instructor", False), ("admin", True)],
)
def test_hidden_threads_are_listed_for_their_author_and_moderators_only(threads, users_by_role, role, sees_hidden):
    user = users_by_role[role]
    expected = {threads["open"].pk, threads["elsewhere"].pk} | ({threads["hidden"].pk} if sees_hidden else set())
    assert pks(selectors.post_list_for_user(user)) == expected
    in_course = pks(selectors.post_list_for_user(user, course=threads["open"].course))
    assert in_course == expected - {threads["elsewhere"].pk}


def test_anonymous_readers_get_open_threads_of_published_courses_only(threads):
    assert pks(selectors.post_list_for_user(AnonymousUser())) == {threads["open"].pk, threads["elsewhere"].pk}


def test_a_demoted_instructor_sees_hidden_threads_no_more(threads, instructor, admin_user):
    user_set_role(actor=admin_user, user=instructor, role=Role.STUDENT)
    instructor.refresh_from_db()
    assert threads["hidden"].pk not in pks(selectors.post_list_for_user(instructor))
    assert threads["hidden"].pk not in pks(selectors.post_list_for_user(instructor, course=threads["open"].course))


def test_threads_of_courses_the_user_cannot_see_are_absent(student, other_student):
    draft = CourseFactory()
    EnrollmentFactory(student=student, course=draft)
    post = PostFactory(course=draft, author=student)
    assert post.pk in pks(selectors.post_list_for_user(student))
    assert post.pk not in pks(selectors.post_list_for_user(other_student))


def test_has_voted_is_the_readers_own_vote(post, student, other_student):
    services.vote_toggle(post=post, user=student)
    assert selectors.post_list_for_user(student).get(pk=post.pk).has_voted is True
    assert selectors.post_list_for_user(other_student).get(pk=post.pk).has_voted is False


def test_comments_in_a_hidden_thread_are_as_absent_as_the_thread(threads, student, other_student, instructor):
    note = services.comment_create(post=threads["hidden"], author=instructor, body="Hidden for spam")
    visible = services.comment_create(post=threads["open"], author=other_student, body="Hi")
    assert pks(selectors.comment_list_for_user(student)) == {visible.pk}
    assert pks(selectors.comment_list_for_user(other_student)) == {visible.pk, note.pk}  # the thread's author
    assert pks(selectors.comment_list_for_user(instructor)) == {visible.pk, note.pk}


def test_a_hidden_comment_stays_listed_with_its_replies(post, comment, student, instructor):
    reply = services.comment_create(post=post, author=student, body="Thanks", parent=comment)
    services.item_set_hidden(item=comment, actor=instructor, hidden=True)
    listed = list(selectors.comment_list_for_post(post))
    assert listed == [comment]
    assert list(listed[0].replies.all()) == [reply]


def test_reports_and_the_log_are_for_moderators_of_the_course(threads, post, student, other_student, users_by_role):
    report = services.report_create(reporter=other_student, post=post, reason="spam")
    for role, sees in (("instructor", True), ("admin", True), ("other_instructor", False), ("student", False)):
        user = users_by_role[role]
        assert pks(selectors.report_list_for_moderator(user)) == ({report.pk} if sees else set()), role
        logged = pks(selectors.moderation_log_list_for_moderator(user))
        assert logged == (set(ModerationLog.objects.values_list("pk", flat=True)) if sees else set()), role


def test_search_matches_titles_and_bodies_literally(course, student):
    a = services.post_create(course=course, author=student, title="100% done", body="b")
    services.post_create(course=course, author=student, title="Other", body="nothing")
    queryset = selectors.post_list_for_user(student, course=course)
    assert pks(selectors.post_search(queryset, "100%")) == {a.pk}
    assert pks(selectors.post_search(queryset, "%")) == {a.pk}
    assert pks(selectors.post_search(queryset, "\x00  ")) == pks(queryset)
