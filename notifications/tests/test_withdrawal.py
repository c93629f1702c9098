"""Taking text back from notifications already made (notifications_withdraw): the stored ones are
rewritten at once, and an e-mail copy still queued reads the withdrawal when it is sent, at every
retry. (Its use by the forum, when a moderator hides a reply: forum/tests/test_hidden_text.py.)"""

import json

import pytest
from django.core import mail

from accounts.tests.factories import StudentFactory
from notifications import services, tasks
from notifications.models import Notification, NotificationWithdrawal

pytestmark = pytest.mark.django_db


def reply(recipient, comment_id: int, body: str = "Secret words", title: str = "Ann replied in “Week 1”"):
    services.notify(
        recipients=[recipient],
        type="forum_reply",
        title=title,
        body=body,
        payload={"course_id": 1, "post_id": 2, "comment_id": comment_id},
    )
    return Notification.objects.filter(recipient=recipient).latest("id")


def test_withdrawing_rewrites_the_matching_notifications_only():
    ann, bob = StudentFactory(), StudentFactory()
    hidden, kept = reply(ann, 17), reply(ann, 18, body="Fine words")
    also_hidden = reply(bob, 17)
    other_type = services.notify(
        recipients=[ann], type="announcement", title="t", body="Secret words", payload={"comment_id": 17}
    )
    assert other_type == 1

    rewritten = services.notifications_withdraw(type="forum_reply", key="comment_id", values=[17], body="Withdrawn.")

    assert rewritten == 2
    for notification in (hidden, also_hidden):
        notification.refresh_from_db()
        assert notification.body == "Withdrawn."
        assert notification.title == "Ann replied in “Week 1”"  # no title given: kept
        assert notification.payload == {"course_id": 1, "post_id": 2, "comment_id": 17}  # still links to it
        assert notification.read_at is None
    kept.refresh_from_db()
    assert kept.body == "Fine words"
    assert Notification.objects.get(type="announcement").body == "Secret words"


def test_a_title_is_withdrawn_when_given_and_a_later_withdrawal_keeps_it():
    ann = StudentFactory()
    notification = reply(ann, 17)
    services.notifications_withdraw(
        type="forum_reply", key="comment_id", values=[17], title="Gone", body="Thread gone."
    )
    services.notifications_withdraw(type="forum_reply", key="comment_id", values=[17], body="Reply gone.")
    notification.refresh_from_db()
    assert (notification.title, notification.body) == ("Gone", "Reply gone.")
    withdrawal = NotificationWithdrawal.objects.get()  # once per thing, however often it is withdrawn
    assert (withdrawal.title, withdrawal.body) == ("Gone", "Reply gone.")


def test_recipients_narrow_the_search():
    ann, bob = StudentFactory(), StudentFactory()
    mine, theirs = reply(ann, 17), reply(bob, 17)
    services.notifications_withdraw(type="forum_reply", key="comment_id", values=[17], body="x", recipients=[ann])
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.body, theirs.body) == ("x", "Secret words")


def test_many_values_are_withdrawn_in_batches(monkeypatch, django_assert_max_num_queries):
    monkeypatch.setattr(services, "WITHDRAW_BATCH", 3)
    ann = StudentFactory()
    for comment_id in range(10):
        reply(ann, comment_id)
    with django_assert_max_num_queries(4 * 3 + 2):  # three statements per batch of 3, four batches
        rewritten = services.notifications_withdraw(
            type="forum_reply", key="comment_id", values=list(range(10)), body="x"
        )
    assert rewritten == 10
    assert set(Notification.objects.values_list("body", flat=True)) == {"x"}
    assert NotificationWithdrawal.objects.count() == 10


def test_an_unknown_type_is_refused():
    with pytest.raises(ValueError):
        services.notifications_withdraw(type="nope", key="comment_id", values=[1], body="x")


# --- e-mail copies ----------------------------------------------------------------------------------
def test_an_email_queued_before_the_withdrawal_is_sent_with_the_withdrawn_text(django_capture_on_commit_callbacks):
    ann = StudentFactory()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=False) as queued:
        reply(ann, 17)
    services.notifications_withdraw(type="forum_reply", key="comment_id", values=[17], title="Gone", body="Withdrawn.")

    for callback in queued:
        callback()

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "Gone"
    assert "Withdrawn." in message.body and "Secret words" not in message.body
    assert "Secret words" not in message.alternatives[0][0]


def test_the_email_job_reads_withdrawals_when_it_runs_and_survives_the_broker(django_capture_on_commit_callbacks):
    """The job's arguments go through JSON (the broker) and carry the payload it checks."""
    ann = StudentFactory()
    with django_capture_on_commit_callbacks(execute=False):  # the stored notification, its e-mail left queued
        reply(ann, 17)
    kwargs = {
        "type": "forum_reply",
        "user_ids": [ann.pk],
        "title": "Ann replied in “Week 1”",
        "body": "Secret words",
        "link": "",
        "payload": {"course_id": 1, "post_id": 2, "comment_id": 17},
    }
    job = json.loads(json.dumps(kwargs))
    mail.outbox.clear()
    assert tasks.notification_emails_send_task.apply(kwargs=job).get() == 1
    assert "Secret words" in mail.outbox[0].body  # nothing withdrawn yet: sent as queued

    services.notifications_withdraw(type="forum_reply", key="comment_id", values=[17], body="Withdrawn.")
    mail.outbox.clear()
    assert tasks.notification_emails_send_task.apply(kwargs=job).get() == 1  # a retry, or a late job
    assert "Secret words" not in mail.outbox[0].body and "Withdrawn." in mail.outbox[0].body


def test_a_job_queued_without_a_payload_is_sent_as_it_is():
    ann = StudentFactory()
    services.notifications_withdraw(type="forum_reply", key="comment_id", values=[17], body="Withdrawn.")
    mail.outbox.clear()
    sent = tasks.notification_emails_send_task.apply(
        kwargs={"type": "forum_reply", "user_ids": [ann.pk], "title": "t", "body": "Words"}
    ).get()
    assert sent == 1 and "Words" in mail.outbox[0].body


def test_notify_queues_the_payload_with_the_email_job(monkeypatch, django_capture_on_commit_callbacks):
    jobs = []
    monkeypatch.setattr(tasks.notification_emails_send_task, "delay", lambda **kwargs: jobs.append(kwargs))
    ann = StudentFactory()
    with django_capture_on_commit_callbacks(execute=True):
        reply(ann, 17)
    assert [job["payload"] for job in jobs] == [{"course_id": 1, "post_id": 2, "comment_id": 17}]
