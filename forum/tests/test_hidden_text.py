"""Hidden text reaches nobody but moderators (the course's instructor and admins): not in the
answers to reports, not through the comments of a hidden thread, not in the forum_reply
notifications that carried it, and not in their e-mail copies sent after the hiding. (An author
still reads their own hidden writing: test_moderation.py.)"""

import pytest
from django.core import mail

from accounts.tests.factories import StudentFactory
from conftest import client_for
from courses.tests.factories import EnrollmentFactory
from forum import services
from forum.api.serializers import HIDDEN
from forum.models import Report
from forum.tests.factories import comment_url, post_url, season
from lms.errors import NotFound
from notifications.models import Notification

pytestmark = pytest.mark.django_db

SECRET = "Buy cheap watches"
SECRET_TITLE = "Cheap watches here"
NOTIFICATIONS = "/api/v1/notifications/"


@pytest.fixture
def commenter(course):
    """A third enrolled student, so that both `student` and `other_student` can act on their writing."""
    user = StudentFactory()
    EnrollmentFactory(student=user, course=course)
    return user


@pytest.fixture
def hidden_comment(post, other_student, instructor):
    """`other_student`'s comment on `student`'s thread, hidden by the course's instructor."""
    comment = services.comment_create(post=post, author=other_student, body=SECRET)
    services.item_set_hidden(item=comment, actor=instructor, hidden=True)
    return comment


@pytest.fixture
def hidden_thread(course, other_student, commenter, instructor):
    """`other_student`'s thread with `commenter`'s comment in it; the thread is hidden."""
    thread = services.post_create(course=course, author=other_student, title=SECRET_TITLE, body=SECRET)
    comment = services.comment_create(post=thread, author=commenter, body=SECRET + " indeed")
    services.item_set_hidden(item=thread, actor=instructor, hidden=True)
    return thread, comment


# --- report answers --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("role", "expected", "sees_text"),
    [
        ("anonymous", 401, False),
        ("student", 201, False),
        ("other_student", 400, False),  # wrote it: no reporting one's own writing
        ("instructor", 201, True),
        ("other_instructor", 403, False),
        ("admin", 201, True),
    ],
)
def test_a_report_on_a_hidden_comment_answers_with_its_text_to_moderators_only(
    clients, hidden_comment, role, expected, sees_text
):
    r = clients[role].post(comment_url(hidden_comment, "report"), {"reason": "spam"}, format="json")
    assert r.status_code == expected, r.content
    assert (SECRET in r.content.decode()) is sees_text
    if expected == 201:
        assert r.json()["excerpt"] == (SECRET if sees_text else HIDDEN)


@pytest.mark.parametrize("target", ["post", "comment"])
def test_the_report_that_hides_an_item_answers_without_its_text(
    clients, settings, any_reporter_counts, course, post, other_student, student, target
):
    settings.FORUM_AUTO_HIDE_REPORTS = 1
    if target == "post":
        item = services.post_create(course=course, author=other_student, title=SECRET_TITLE, body=SECRET)
        url = post_url(item, "report")
    else:
        item = services.comment_create(post=post, author=other_student, body=SECRET)
        url = comment_url(item, "report")
    r = clients["student"].post(url, {"reason": "spam"}, format="json")
    assert r.status_code == 201, r.content
    item.refresh_from_db()
    assert item.is_hidden is True
    assert r.json()["excerpt"] == HIDDEN
    assert SECRET not in r.content.decode() and SECRET_TITLE not in r.content.decode()


@pytest.mark.parametrize(
    ("role", "expected", "sees_text"),
    [
        ("anonymous", 401, False),
        ("student", 404, False),  # a reader of the course: the thread is hidden from them
        ("other_student", 201, False),  # the thread's author still opens it, but is no moderator
        ("instructor", 201, True),
        ("other_instructor", 404, False),
        ("admin", 201, True),
    ],
)
def test_a_comment_in_a_hidden_thread_is_reported_as_the_thread_is_opened(
    clients, hidden_thread, role, expected, sees_text
):
    _, comment = hidden_thread
    r = clients[role].post(comment_url(comment, "report"), {"reason": "spam"}, format="json")
    assert r.status_code == expected, r.content
    assert (SECRET in r.content.decode()) is sees_text
    assert Report.objects.filter(comment=comment).exists() is (expected == 201)
    if expected == 201:
        assert r.json()["excerpt"] == (SECRET + " indeed" if sees_text else HIDDEN)


def test_a_comment_in_a_hidden_thread_is_absent_to_its_non_moderator_readers(clients, hidden_thread, commenter):
    thread, comment = hidden_thread
    own = client_for(commenter)  # wrote the comment, but cannot open the hidden thread
    assert own.get(post_url(thread)).status_code == 404
    assert own.patch(comment_url(comment), {"body": "edited"}, format="json").status_code == 404
    assert own.delete(comment_url(comment)).status_code == 404
    assert clients["student"].delete(comment_url(comment)).status_code == 404
    comment.refresh_from_db()
    assert comment.body == SECRET + " indeed" and comment.is_removed is False
    # The moderators still act on it.
    assert clients["instructor"].delete(comment_url(comment)).status_code == 204


def test_the_service_refuses_reports_and_comments_in_a_hidden_thread_from_non_readers(hidden_thread, student):
    thread, comment = hidden_thread
    with pytest.raises(NotFound):
        services.report_create(reporter=student, comment=comment, reason="x")
    with pytest.raises(NotFound):
        services.report_create(reporter=student, post=thread, reason="x")
    with pytest.raises(NotFound):
        services.comment_create(post=thread, author=student, body="x")
    with pytest.raises(NotFound):
        services.vote_toggle(post=thread, user=student)
    assert not Report.objects.exists()


def test_the_report_queue_shows_moderators_the_text(clients, hidden_comment, student, instructor):
    services.report_create(reporter=student, comment=hidden_comment, reason="spam")
    rows = clients["instructor"].get("/api/v1/forum/reports/").json()["results"]
    assert [row["excerpt"] for row in rows] == [SECRET]
    assert clients["student"].get("/api/v1/forum/reports/").status_code == 403


# --- forum_reply notifications ---------------------------------------------------------------------
def _hide(how, item, *, instructor, reporter, settings):
    if how == "moderator":
        services.item_set_hidden(item=item, actor=instructor, hidden=True)
    elif how == "resolve":
        report = services.report_create(reporter=reporter, reason="spam", **{type(item).__name__.lower(): item})
        services.report_resolve(report=report, actor=instructor, resolution="hide")
    else:  # reports: the auto-hide
        settings.FORUM_AUTO_HIDE_REPORTS = 1
        season(reporter)
        services.report_create(reporter=reporter, reason="spam", **{type(item).__name__.lower(): item})
    item.refresh_from_db()
    assert item.is_hidden is True


def _inbox_text(client) -> str:
    r = client.get(NOTIFICATIONS)
    assert r.status_code == 200, r.content
    return r.content.decode()


@pytest.mark.parametrize("how", ["moderator", "resolve", "reports"])
def test_hiding_a_comment_withdraws_its_text_from_the_reply_notifications(
    clients, settings, post, student, other_student, commenter, instructor, how
):
    comment = services.comment_create(post=post, author=other_student, body="Start with the intro.")
    reply = services.comment_create(post=post, author=commenter, body=SECRET, parent=comment)
    notified = Notification.objects.filter(type="forum_reply", payload__comment_id=reply.pk)
    assert set(notified.values_list("recipient", flat=True)) == {student.pk, other_student.pk}
    before = {n.pk: (n.title, n.payload) for n in notified}
    assert SECRET in _inbox_text(clients["student"])

    _hide(how, reply, instructor=instructor, reporter=student, settings=settings)

    for role in ("student", "other_student"):
        assert SECRET not in _inbox_text(clients[role])
    for notification in notified.all():
        assert notification.body == services.HIDDEN_REPLY
        assert (notification.title, notification.payload) == before[notification.pk]  # still links to it
    # The other reply notification in the thread keeps its text.
    assert Notification.objects.get(payload__comment_id=comment.pk).body == "Start with the intro."


@pytest.mark.parametrize("how", ["moderator", "resolve", "reports"])
def test_hiding_a_thread_withdraws_the_text_of_every_reply_notification_in_it(
    clients, settings, course, student, other_student, commenter, instructor, how
):
    thread = services.post_create(course=course, author=student, title=SECRET_TITLE, body="b")
    comment = services.comment_create(post=thread, author=other_student, body=SECRET)
    services.comment_create(post=thread, author=commenter, body=SECRET + " too", parent=comment)
    notified = Notification.objects.filter(type="forum_reply")
    assert notified.count() == 3  # the thread's author twice, the comment's author once
    assert SECRET_TITLE in _inbox_text(clients["other_student"])

    _hide(how, thread, instructor=instructor, reporter=other_student, settings=settings)

    for role in ("student", "other_student"):
        text = _inbox_text(clients[role])
        assert SECRET not in text and SECRET_TITLE not in text
    for notification in notified.all():
        assert (notification.title, notification.body) == (services.HIDDEN_THREAD_TITLE, services.HIDDEN_THREAD)
        assert notification.payload["post_id"] == thread.pk


def test_restoring_does_not_bring_the_text_back(post, other_student, instructor):
    comment = services.comment_create(post=post, author=other_student, body=SECRET)
    services.item_set_hidden(item=comment, actor=instructor, hidden=True)
    services.item_set_hidden(item=comment, actor=instructor, hidden=False)
    assert Notification.objects.get(type="forum_reply").body != SECRET
    assert Notification.objects.get(type="forum_reply").body == services.HIDDEN_REPLY
    # New replies in the restored thread carry their text as usual.
    services.comment_create(post=post, author=other_student, body="A new reply")
    assert Notification.objects.filter(type="forum_reply").latest("id").body == "A new reply"


@pytest.mark.parametrize("target", ["comment", "post"])
def test_an_email_queued_before_the_hiding_is_sent_without_the_text(
    course, student, other_student, instructor, target, django_capture_on_commit_callbacks
):
    thread = services.post_create(course=course, author=student, title=SECRET_TITLE, body="b")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=False) as queued:
        comment = services.comment_create(post=thread, author=other_student, body=SECRET)
    assert queued, "the e-mail copy is queued after commit"
    services.item_set_hidden(item=comment if target == "comment" else thread, actor=instructor, hidden=True)

    for callback in queued:  # the e-mail job runs now, after the hiding
        callback()

    assert [m.to for m in mail.outbox] == [[student.email]]
    message = mail.outbox[0]
    sent = message.subject + message.body + message.alternatives[0][0]
    assert SECRET not in sent
    assert (SECRET_TITLE in sent) is (target == "comment")  # a hidden thread's title goes too
    expected = services.HIDDEN_REPLY if target == "comment" else services.HIDDEN_THREAD
    assert str(expected) in message.body


def test_a_reply_in_a_hidden_thread_tells_only_those_who_can_open_it(
    course, student, other_student, commenter, instructor
):
    thread = services.post_create(course=course, author=student, title=SECRET_TITLE, body="b")
    comment = services.comment_create(post=thread, author=other_student, body="First")
    services.item_set_hidden(item=thread, actor=instructor, hidden=True)
    Notification.objects.all().delete()

    services.comment_create(post=thread, author=instructor, body="Why this was hidden", parent=comment)

    # The thread's author is told; the author of the comment replied to cannot open the thread.
    assert list(Notification.objects.values_list("recipient", flat=True)) == [student.pk]


def test_hidden_text_reaches_each_reader_in_their_language(course, student, other_student, instructor):
    """The words put in place of a hidden reply are in each reader's language (README "Languages")."""
    from django.utils import translation

    student.language = "fr"
    student.save(update_fields=["language"])
    thread = services.post_create(course=course, author=student, title=SECRET_TITLE, body="b")
    comment = services.comment_create(post=thread, author=other_student, body=SECRET)

    services.item_set_hidden(item=comment, actor=instructor, hidden=True)

    notification = Notification.objects.get(type="forum_reply", recipient=student)
    with translation.override("fr"):
        french = str(services.HIDDEN_REPLY)
    assert french != "This reply was hidden by a moderator."
    assert notification.body == french
