"""The services are the last line of defence: they re-check the rules whoever calls them."""

import pytest
from django.core.exceptions import ValidationError

from accounts.models import Role
from accounts.services import user_set_role
from accounts.tests.factories import AdminFactory, StudentFactory
from courses.services import enrollment_revoke
from forum import services
from forum.models import REMOVED, Comment, ModerationLog, Post, Report
from lms.errors import Conflict, InvalidInput, NotPermitted

pytestmark = pytest.mark.django_db


def test_outsiders_cannot_write(post, comment, other_instructor):
    outsider = StudentFactory()
    for user in (outsider, other_instructor):
        with pytest.raises(NotPermitted):
            services.post_create(course=post.course, author=user, title="t", body="b")
        with pytest.raises(NotPermitted):
            services.comment_create(post=post, author=user, body="b")
        with pytest.raises(NotPermitted):
            services.vote_toggle(post=post, user=user)
        with pytest.raises(NotPermitted):
            services.report_create(reporter=user, post=post, reason="x")
        with pytest.raises(NotPermitted):
            services.post_set_flag(post=post, actor=user, flag="is_pinned", value=True)
    report = services.report_create(reporter=post.course.instructor, comment=comment, reason="x")
    with pytest.raises(NotPermitted):
        services.report_resolve(report=report, actor=other_instructor, resolution="hide")
    with pytest.raises(NotPermitted):
        services.report_resolve(report=report, actor=post.author, resolution="hide")
    assert Post.objects.count() == 1 and post.comments.count() == 1


def test_a_revoked_student_cannot_write(post, other_student):
    enrollment_revoke(actor=None, enrollment=other_student.enrollments.get(course=post.course))
    with pytest.raises(NotPermitted):
        services.comment_create(post=post, author=other_student, body="b")


def test_comment_rules(post, comment, student, instructor):
    other_post = services.post_create(course=post.course, author=student, title="t", body="b")
    with pytest.raises(ValidationError) as exc:
        services.comment_create(post=other_post, author=student, body="b", parent=comment)
    assert "parent" in exc.value.message_dict
    reply = services.comment_create(post=post, author=student, body="r", parent=comment)
    with pytest.raises(ValidationError):
        services.comment_create(post=post, author=student, body="b", parent=reply)
    services.post_set_flag(post=post, actor=instructor, flag="is_locked", value=True)
    post.refresh_from_db()
    with pytest.raises(NotPermitted):
        services.comment_create(post=post, author=student, body="b")
    services.comment_create(post=post, author=instructor, body="moderator note")
    services.post_delete(post=post, actor=student)
    post.refresh_from_db()
    with pytest.raises(NotPermitted):
        services.comment_create(post=post, author=instructor, body="b")


def test_reports_once_and_never_on_own_writing(post, comment, student, other_student):
    with pytest.raises(InvalidInput):
        services.report_create(reporter=student, post=post, reason="x")
    with pytest.raises(InvalidInput):
        services.report_create(reporter=other_student, comment=comment, reason="x")
    services.report_create(reporter=other_student, post=post, reason="x")
    with pytest.raises(Conflict):
        services.report_create(reporter=other_student, post=post, reason="again")
    assert Report.objects.count() == 1


def test_unknown_resolution_is_rejected(post, other_student, instructor):
    report = services.report_create(reporter=other_student, post=post, reason="x")
    with pytest.raises(ValidationError):
        services.report_resolve(report=report, actor=instructor, resolution="delete")
    report.refresh_from_db()
    assert report.status == "open"
    assert not ModerationLog.objects.exists()


def test_edits_of_removed_items_conflict(post, comment, student, other_student):
    services.comment_delete(comment=comment, actor=other_student)
    with pytest.raises(Conflict):
        services.comment_update(comment=comment, actor=other_student, body="x")
    services.post_delete(post=post, actor=student)
    with pytest.raises(Conflict):
        services.post_update(post=post, actor=student, data={"title": "x"})
    post.refresh_from_db()
    assert post.title == post.body == REMOVED


def test_an_edit_of_a_stale_copy_never_brings_deleted_text_back(post, comment, student, other_student):
    """The caller loaded the post (or comment) before it was deleted: the service reads the row
    under its lock, so the edit is refused rather than written over the marker."""
    stale_post, stale_comment = Post.objects.get(pk=post.pk), Comment.objects.get(pk=comment.pk)
    services.post_delete(post=post, actor=student)
    services.comment_delete(comment=comment, actor=other_student)
    with pytest.raises(Conflict):
        services.post_update(post=stale_post, actor=student, data={"body": "back"})
    with pytest.raises(Conflict):
        services.comment_update(comment=stale_comment, actor=other_student, body="back")
    assert Post.objects.get(pk=post.pk).body == REMOVED
    assert Comment.objects.get(pk=comment.pk).body == REMOVED


def test_an_edit_already_made_in_memory_is_saved(post, admin_user):
    """The admin's form sets the fields on its copy before save_model calls the service."""
    post.title = "Edited in the admin"
    services.post_update(post=post, actor=admin_user, data={"title": "Edited in the admin"})
    assert Post.objects.get(pk=post.pk).title == "Edited in the admin"


def test_deleting_twice_counts_and_logs_once(post, comment, instructor):
    stale = Comment.objects.select_related("post__course").get(pk=comment.pk)
    services.comment_delete(comment=comment, actor=instructor)
    services.comment_delete(comment=stale, actor=instructor)
    post.refresh_from_db()
    assert post.comment_count == 0
    assert ModerationLog.objects.filter(action="delete", comment=comment).count() == 1


# --- every write service checks its actor --------------------------------------------------------
def demote(user):
    user_set_role(actor=AdminFactory(), user=user, role=Role.STUDENT)
    user.refresh_from_db()
    return user


def test_only_the_author_and_admins_edit_a_post(post, other_student, instructor, other_instructor, admin_user):
    for wrong in (other_student, instructor, other_instructor, StudentFactory()):
        with pytest.raises(NotPermitted):
            services.post_update(post=post, actor=wrong, data={"title": "Hijacked"})
    assert Post.objects.get(pk=post.pk).title == "Week 1"
    services.post_update(post=post, actor=post.author, data={"title": "Mine"})
    services.post_update(post=post, actor=admin_user, data={"body": "Tidied by staff"})
    post.refresh_from_db()
    assert (post.title, post.body) == ("Mine", "Tidied by staff")


def test_only_the_author_and_admins_edit_a_comment(comment, student, instructor, other_instructor, admin_user):
    for wrong in (student, instructor, other_instructor, StudentFactory()):
        with pytest.raises(NotPermitted):
            services.comment_update(comment=comment, actor=wrong, body="Hijacked")
    assert Comment.objects.get(pk=comment.pk).body == "Read the intro."
    services.comment_update(comment=comment, actor=comment.author, body="Mine")
    assert Comment.objects.get(pk=comment.pk).body == "Mine"
    services.comment_update(comment=comment, actor=admin_user, body="Staff")
    assert Comment.objects.get(pk=comment.pk).body == "Staff"


def test_an_author_whose_enrollment_was_revoked_no_longer_edits_or_deletes(post, comment, student):
    enrollment_revoke(actor=None, enrollment=student.enrollments.get(course=post.course))
    with pytest.raises(NotPermitted):
        services.post_update(post=post, actor=student, data={"title": "x"})
    with pytest.raises(NotPermitted):
        services.post_delete(post=post, actor=student)
    assert Post.objects.get(pk=post.pk).title == "Week 1"


@pytest.mark.parametrize("kind", ["post", "comment"])
def test_only_the_author_and_moderators_delete(kind, post, comment, other_instructor, admin_user, instructor):
    item = post if kind == "post" else comment
    delete = services.post_delete if kind == "post" else services.comment_delete
    bystander = comment.author if kind == "post" else post.author
    for wrong in (bystander, other_instructor, StudentFactory()):
        with pytest.raises(NotPermitted):
            delete(**{kind: item, "actor": wrong})
    item.refresh_from_db()
    assert not item.is_removed
    delete(**{kind: item, "actor": item.author})
    item.refresh_from_db()
    assert item.is_removed
    assert not ModerationLog.objects.exists()


@pytest.mark.parametrize("moderator", ["instructor", "admin_user"])
def test_a_moderator_deletes_anyones_writing_and_it_is_logged(request, post, comment, moderator):
    actor = request.getfixturevalue(moderator)
    services.comment_delete(comment=comment, actor=actor)
    services.post_delete(post=post, actor=actor)
    assert set(ModerationLog.objects.values_list("action", "actor")) == {("delete", actor.pk)}
    assert ModerationLog.objects.count() == 2


def test_a_demoted_instructor_moderates_nothing(post, comment, student, instructor):
    report = services.report_create(reporter=student, comment=comment, reason="rude")
    demote(instructor)
    post.course.refresh_from_db()
    with pytest.raises(NotPermitted):
        services.post_set_flag(post=post, actor=instructor, flag="is_pinned", value=True)
    with pytest.raises(NotPermitted):
        services.item_set_hidden(item=post, actor=instructor, hidden=True)
    with pytest.raises(NotPermitted):
        services.report_resolve(report=report, actor=instructor, resolution="hide")
    with pytest.raises(NotPermitted):
        services.comment_delete(comment=comment, actor=instructor)
    post.refresh_from_db()
    assert not (post.is_pinned or post.is_hidden)
    assert not ModerationLog.objects.exists()


def test_only_moderators_hide_and_restore(post, comment, student, other_student, other_instructor, instructor):
    for wrong in (student, other_student, other_instructor):
        with pytest.raises(NotPermitted):
            services.item_set_hidden(item=comment, actor=wrong, hidden=True)
    services.item_set_hidden(item=comment, actor=instructor, hidden=True)
    services.item_set_hidden(item=comment, actor=instructor, hidden=True)  # once in the log
    assert Comment.objects.get(pk=comment.pk).is_hidden
    assert list(ModerationLog.objects.values_list("action", flat=True)) == ["hide"]
