"""The services are the last line of defence: they re-check the rules whoever calls them."""

import pytest
from django.core.exceptions import ValidationError

from accounts.tests.factories import StudentFactory
from courses.services import enrollment_revoke
from forum import services
from forum.models import REMOVED, ModerationLog, Post, Report
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
    enrollment_revoke(enrollment=other_student.enrollments.get(course=post.course))
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
        services.comment_update(comment=comment, body="x")
    services.post_delete(post=post, actor=student)
    with pytest.raises(Conflict):
        services.post_update(post=post, data={"title": "x"})
    post.refresh_from_db()
    assert post.title == post.body == REMOVED
