"""The staff dashboard: the forum's changelists load, and reports are resolved with actions that
go through the services (so the moderation log records who decided)."""

import pytest
from django.test import Client
from django.urls import reverse

from forum import services
from forum.models import Comment, ModerationLog, Post, Report
from lms.tests.admin_forms import form_errors, page_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def reported(post, comment, student, instructor, settings):
    settings.FORUM_AUTO_HIDE_REPORTS = 10
    services.report_create(reporter=student, comment=comment, reason="rude")
    services.report_create(reporter=instructor, post=post, reason="spam")
    services.post_set_flag(post=post, actor=instructor, flag="is_locked", value=True)
    return {"post": post, "comment": comment}


@pytest.mark.parametrize("model", ["post", "comment", "report", "moderationlog"])
def test_changelists_and_change_pages_load(staff, reported, model):
    r = staff.get(reverse(f"admin:forum_{model}_changelist"))
    assert r.status_code == 200
    r = staff.get(reverse(f"admin:forum_{model}_changelist"), {"q": "spam"})
    assert r.status_code == 200
    obj = {"post": Post, "comment": Comment, "report": Report, "moderationlog": ModerationLog}[model].objects.first()
    r = staff.get(reverse(f"admin:forum_{model}_change", args=[obj.pk]))
    assert r.status_code == 200


def test_non_staff_cannot_open_the_forum_admin(student, reported):
    client = Client()
    client.force_login(student)
    r = client.get(reverse("admin:forum_report_changelist"))
    assert r.status_code in (302, 403)


def _act(staff, action, reports):
    return staff.post(
        reverse("admin:forum_report_changelist"),
        {"action": action, "_selected_action": [r.pk for r in reports]},
        follow=True,
    )


@pytest.mark.parametrize(("action", "hidden"), [("hide", True), ("restore", False), ("dismiss", None)])
def test_report_actions(staff, reported, admin_user, action, hidden):
    Comment.objects.filter(pk=reported["comment"].pk).update(is_hidden=True)
    reports = list(Report.objects.all())
    r = _act(staff, action, reports)
    assert r.status_code == 200
    assert set(Report.objects.values_list("status", "resolution", "resolved_by")) == {
        ("resolved", action, admin_user.pk)
    }
    post, comment = Post.objects.get(pk=reported["post"].pk), Comment.objects.get(pk=reported["comment"].pk)
    if hidden is None:  # dismiss leaves the items as they were
        assert (post.is_hidden, comment.is_hidden) == (False, True)
    else:
        assert post.is_hidden is hidden and comment.is_hidden is hidden
    assert ModerationLog.objects.filter(action=action, actor=admin_user).count() == 2


def test_report_actions_skip_resolved_reports(staff, reported, admin_user):
    report = Report.objects.get(post=reported["post"])
    services.report_resolve(report=report, actor=admin_user, resolution="dismiss")
    _act(staff, "hide", [report])
    report.refresh_from_db()
    assert report.resolution == "dismiss"
    assert not Post.objects.get(pk=reported["post"].pk).is_hidden


def test_reports_and_the_log_are_not_added_by_hand(staff):
    assert staff.get(reverse("admin:forum_report_add")).status_code == 403
    assert staff.get(reverse("admin:forum_moderationlog_add")).status_code == 403


def test_moderating_a_post_in_the_admin_goes_through_the_services(staff, post, admin_user, clients):
    data = {
        "course": post.course_id,
        "author": post.author_id,
        "title": post.title,
        "body": post.body,
        "is_pinned": "on",
        "is_hidden": "on",
    }
    r = staff.post(reverse("admin:forum_post_change", args=[post.pk]), data)
    assert r.status_code in (200, 302)
    post.refresh_from_db()
    # Either the flags are read-only here (moderation happens through actions) or the change is
    # logged like every other moderation action.
    assert not post.is_hidden or ModerationLog.objects.filter(action="hide", actor=admin_user, post=post).exists()
    assert not post.is_pinned or ModerationLog.objects.filter(action="pin", actor=admin_user, post=post).exists()


@pytest.mark.parametrize(
    "action,flag,value,logged",
    [("pin", "is_pinned", True, "pin"), ("lock", "is_locked", True, "lock"), ("hide", "is_hidden", True, "hide")],
)
def test_post_admin_actions_moderate_through_the_services(staff, post, admin_user, action, flag, value, logged):
    staff.post(reverse("admin:forum_post_changelist"), {"action": action, "_selected_action": [post.pk]})
    post.refresh_from_db()
    assert getattr(post, flag) is value
    assert ModerationLog.objects.filter(action=logged, actor=admin_user, post=post).exists()


def test_editing_a_post_in_the_admin_goes_through_post_update(staff, post):
    url = reverse("admin:forum_post_change", args=[post.pk])

    r = staff.post(url, page_data(staff.get(url), title="Week 1 (edited)", body="Where do I start?"))

    assert r.status_code == 302, form_errors(r)
    post.refresh_from_db()
    assert (post.title, post.body) == ("Week 1 (edited)", "Where do I start?")


def test_a_deleted_post_cannot_be_edited_in_the_admin(staff, post, admin_user):
    services.post_delete(post=post, actor=admin_user)
    url = reverse("admin:forum_post_change", args=[post.pk])

    r = staff.post(url, page_data(staff.get(url), title="Back from the dead"))

    assert form_errors(r) == {"__all__": ["This post was deleted."]}
    assert Post.objects.get(pk=post.pk).title == "[removed]"


@pytest.mark.parametrize("model", ["post", "comment"])
def test_posts_and_comments_are_deleted_softly_with_the_action_and_logged(staff, comment, admin_user, model):
    item = comment if model == "comment" else comment.post
    assert staff.post(reverse(f"admin:forum_{model}_delete", args=[item.pk]), {"post": "yes"}).status_code == 403

    r = staff.post(reverse(f"admin:forum_{model}_changelist"), {"action": "remove", "_selected_action": [item.pk]})

    assert r.status_code == 302
    item.refresh_from_db()
    assert item.is_removed
    assert Post.objects.filter(pk=comment.post_id).exists() and Comment.objects.filter(pk=comment.pk).exists()
    assert ModerationLog.objects.filter(action="delete", actor=admin_user, **{model: item}).exists()
