"""The forum's part of a person's export and erasure (forum/privacy.py): their own rows only, and an
erasure that keeps every thread whole and every count right, and takes their name out of the
notifications their comments sent to others."""

import json

import pytest

from accounts.services import user_erase_identity
from conftest import client_for
from courses.services import enrollments_erase_for_user
from forum import privacy, services
from forum.models import Comment, ModerationLog, Post, Report, Vote
from forum.tests.factories import post_url
from lms.counters import counters_drift
from notifications.models import Notification, NotificationType
from privacy.redaction import identity_pattern
from privacy.registry import erasers, exporters

pytestmark = pytest.mark.django_db

MODELS = {Post, Comment, Vote, Report, ModerationLog}


def _counts() -> dict:
    return {model.__name__: model.objects.count() for model in MODELS}


def _forum_drift() -> list:
    return list(counters_drift(names=["forum.comment_count", "forum.vote_count"]))


def _reply_notifications(recipient):
    return Notification.objects.filter(recipient=recipient, type=NotificationType.FORUM_REPLY).order_by("pk")


@pytest.fixture
def activity(course, post, comment, student, other_student, instructor):
    """Both students write, vote and report in the course's forum; the instructor moderates.
    `post` ("Week 1") is student's, `comment` (on it) other_student's, which student answers;
    "Week 2" is other_student's, on which student comments."""
    theirs = services.post_create(course=course, author=other_student, title="Week 2", body="Deadline?")
    mine = services.comment_create(post=theirs, author=student, body="Friday, I think.")
    reply = services.comment_create(post=post, author=student, body="Or Monday.", parent=comment)
    services.comment_create(post=post, author=student, body="Answering myself.")
    services.vote_toggle(post=theirs, user=student)
    services.vote_toggle(post=post, user=other_student)
    services.vote_toggle(post=theirs, user=other_student)
    my_report = services.report_create(reporter=student, reason="Off topic", comment=comment)
    their_report = services.report_create(reporter=other_student, reason="Spam", comment=mine)
    services.report_resolve(report=their_report, actor=instructor, resolution="dismiss")
    return {"theirs": theirs, "mine": mine, "reply": reply, "my_report": my_report, "their_report": their_report}


def test_registered_with_every_forum_model():
    exporter = next(e for e in exporters() if e.name == "forum")
    eraser = next(e for e in erasers() if e.name == "forum")
    assert set(exporter.models) == MODELS == set(eraser.models)
    assert eraser.order < next(e for e in erasers() if e.name == "accounts").order


def test_export_holds_the_persons_rows_and_no_one_elses(activity, student, post, comment):
    data = privacy.export(student)

    json.dumps(data)  # JSON-able as is
    assert [row["id"] for row in data["posts"]] == [post.pk]
    assert data["posts"][0]["body"] == "How do I start?"
    assert data["posts"][0]["course_title"] == post.course.title
    mine = Comment.objects.filter(author=student).order_by("created_at", "id")
    assert [row["id"] for row in data["comments"]] == list(mine.values_list("pk", flat=True))
    assert {row["body"] for row in data["comments"]} == {"Friday, I think.", "Or Monday.", "Answering myself."}
    assert next(row for row in data["comments"] if row["id"] == activity["reply"].pk)["parent_id"] == comment.pk
    assert [row["post_id"] for row in data["votes"]] == [activity["theirs"].pk]
    assert [(row["id"], row["reason"]) for row in data["reports"]] == [(activity["my_report"].pk, "Off topic")]
    assert data["moderation_actions"] == []
    # Every field exported is described for the README.
    for section, rows in data.items():
        for row in rows:
            assert {f"{section}.{field}" for field in row} <= set(privacy.DESCRIBE)


def test_export_of_a_moderator_holds_their_actions(activity, instructor):
    data = privacy.export(instructor)

    assert [(row["action"], row["report_id"]) for row in data["moderation_actions"]] == [
        ("dismiss", activity["their_report"].pk)
    ]
    assert data["posts"] == data["comments"] == data["votes"] == data["reports"] == []


def test_export_includes_hidden_and_deleted_writing(activity, student, post, instructor):
    services.item_set_hidden(item=activity["mine"], actor=instructor, hidden=True)
    services.post_delete(post=post, actor=student)

    data = privacy.export(student)

    assert next(row for row in data["comments"] if row["id"] == activity["mine"].pk)["is_hidden"] is True
    assert data["posts"][0]["is_removed"] is True


def test_erase_keeps_every_row_and_count(activity, student, other_student, post):
    before = _counts()
    votes = dict(Post.objects.values_list("pk", "vote_count"))
    comments = dict(Post.objects.values_list("pk", "comment_count"))
    texts = dict(Comment.objects.values_list("pk", "body"))

    privacy.ERASER.erase(student)

    assert _counts() == before
    assert dict(Post.objects.values_list("pk", "vote_count")) == votes
    assert dict(Post.objects.values_list("pk", "comment_count")) == comments
    assert dict(Comment.objects.values_list("pk", "body")) == texts
    assert Vote.objects.filter(user=student).count() == 1
    assert Report.objects.filter(reporter=student).count() == 1
    assert _forum_drift() == []


def test_erase_takes_the_name_out_of_reply_notifications(activity, student, other_student, post):
    name = student.full_name
    theirs = activity["theirs"]
    # other_student was told of student's comment on their thread and of the reply to their comment.
    assert [n.title for n in _reply_notifications(other_student)] == [
        f"{name} replied in “Week 2”",
        f"{name} replied in “Week 1”",
    ]
    # student was told of other_student's comment on their thread: not student's writing, untouched.
    own_inbox = list(_reply_notifications(student).values_list("title", "body"))

    rewritten = services.forum_erase_for_user(user=student)

    assert rewritten == 2
    stored = list(_reply_notifications(other_student).values_list("title", "body", "payload"))
    assert [(title, body) for title, body, _ in stored] == [
        ("Deleted user replied in “Week 2”", "Friday, I think."),
        ("Deleted user replied in “Week 1”", "Or Monday."),
    ]
    assert [payload["post_id"] for _, _, payload in stored] == [theirs.pk, post.pk]
    assert list(_reply_notifications(student).values_list("title", "body")) == own_inbox

    # A second run finds the same text to write: nothing changes.
    services.forum_erase_for_user(user=student)
    assert list(_reply_notifications(other_student).values_list("title", "body", "payload")) == stored


def test_erase_shows_no_hidden_or_deleted_text_in_notifications(activity, student, other_student, instructor):
    services.item_set_hidden(item=activity["mine"], actor=instructor, hidden=True)
    services.comment_delete(comment=activity["reply"], actor=student)

    services.forum_erase_for_user(user=student)

    assert list(_reply_notifications(other_student).values_list("title", "body")) == [
        ("Deleted user replied in “Week 2”", "This reply was hidden by a moderator."),
        ("Deleted user replied in “Week 1”", "This comment was deleted."),
    ]


def test_erase_in_a_hidden_thread_keeps_the_thread_hidden(activity, student, other_student, instructor):
    services.item_set_hidden(item=activity["theirs"], actor=instructor, hidden=True)

    services.forum_erase_for_user(user=student)

    assert list(_reply_notifications(other_student).values_list("title", "body")) == [
        ("A reply in a thread hidden by a moderator", "This thread was hidden by a moderator."),
        ("Deleted user replied in “Week 1”", "Or Monday."),
    ]


def test_erased_author_reads_deleted_user_and_nothing_names_them(
    activity, student, other_student, post, comment, course
):
    name, email = student.full_name, student.email
    before = _counts()

    for step in (
        lambda: privacy.ERASER.erase(student),
        lambda: enrollments_erase_for_user(user=student),
        lambda: user_erase_identity(user=student),
    ):
        step()
    privacy.ERASER.erase(student)  # again, after the whole erasure: nothing changes
    assert _counts() == before
    assert _forum_drift() == []

    client = client_for(other_student)
    thread = client.get(post_url(post)).json()
    assert thread["author"] == {"id": student.pk, "first_name": "", "last_name": "", "full_name": "Deleted user"}
    assert thread["body"] == "How do I start?"
    comments = client.get(post_url(post, "comments")).json()
    comments = comments.get("results", comments)
    authors = {c["author"]["full_name"] for c in comments} | {
        r["author"]["full_name"] for c in comments for r in c["replies"]
    }
    assert authors == {"Deleted user", other_student.full_name}

    # Neither their name nor their e-mail is left in the forum's text or in others' notifications.
    texts = [
        *Post.objects.values_list("title", "body"),
        *Comment.objects.values_list("body", flat=True),
        *Report.objects.values_list("reason", flat=True),
        *ModerationLog.objects.values_list("note", flat=True),
        *Notification.objects.exclude(recipient=student).values_list("title", "body"),
    ]
    flat = json.dumps(texts)
    assert name not in flat
    assert email not in flat


def _name(user, first: str, last: str):
    type(user).objects.filter(pk=user.pk).update(first_name=first, last_name=last)
    user.refresh_from_db()
    return user


@pytest.fixture
def named(course, student, other_student, instructor, post, comment):
    """Writing that names student (Zebulonia Quetzalcoatl): their own, and what others wrote to them."""
    _name(student, "Zebulonia", "Quetzalcoatl")
    _name(other_student, "Bartholomew", "Pennyfeather")
    own = services.post_create(
        course=course,
        author=student,
        title="Zebulonia asks",
        body=f"Hello, I am Zebulonia QUETZALCOATL ({student.email}). Zebulonian cheese?",
    )
    answer = services.comment_create(post=own, author=other_student, body="Hi zebulonia! Bartholomew here.")
    signed = services.comment_create(post=own, author=student, body="Thanks. — Zebulonia", parent=answer)
    elsewhere = services.post_create(course=course, author=other_student, title="Week 3", body="Notes?")
    aside = services.comment_create(post=elsewhere, author=student, body="Quetzalcoatl's notes are here.")
    report = services.report_create(reporter=student, reason="Zebulonia Quetzalcoatl finds it rude", comment=comment)
    return {"own": own, "answer": answer, "signed": signed, "aside": aside, "report": report}


def test_identity_pattern_matches_whole_words_in_any_case(student):
    _name(student, "Ann", "Lee")
    type(student).objects.filter(pk=student.pk).update(email="ann@example.com")
    student.refresh_from_db()
    pattern = identity_pattern(student)

    assert pattern.sub("[removed]", "ANN LEE (ann@example.com): Announcement, Leeds, joann@example.com") == (
        "[removed] ([removed]): Announcement, Leeds, joann@example.com"
    )
    assert pattern.sub("[removed]", "ann, lee; annie, leeway") == "[removed], [removed]; annie, leeway"


def test_erase_takes_their_name_out_of_the_text_kept(named, student, other_student, instructor, comment):
    before = _counts()

    services.forum_erase_for_user(user=student)

    own = Post.objects.get(pk=named["own"].pk)
    assert own.title == "[removed] asks"
    assert own.body == "Hello, I am [removed] ([removed]). Zebulonian cheese?"
    assert Comment.objects.get(pk=named["answer"].pk).body == "Hi [removed]! Bartholomew here."
    assert Comment.objects.get(pk=named["signed"].pk).body == "Thanks. — [removed]"
    assert Comment.objects.get(pk=named["aside"].pk).body == "[removed]'s notes are here."
    assert Report.objects.get(pk=named["report"].pk).reason == "[removed] finds it rude"
    assert Comment.objects.get(pk=comment.pk).body == "Read the intro."  # names no one: untouched
    assert _counts() == before
    # Their name is in no notification anyone else holds; other_student's own name stays.
    others = Notification.objects.exclude(recipient=student)
    stored = json.dumps(list(others.values_list("title", "body")))
    assert "zebulonia" not in stored.lower()
    assert "quetzalcoatl" not in stored.lower()
    assert student.email not in stored
    assert list(
        _reply_notifications(other_student).filter(payload__comment_id=named["signed"].pk).values_list("title", "body")
    ) == [("Deleted user replied in “[removed] asks”", "Thanks. — [removed]")]
    report = Notification.objects.get(recipient=instructor, type=NotificationType.FORUM_REPORT)
    assert report.body == "Reason given: [removed] finds it rude"

    # A second run finds nothing more to change.
    texts = (
        list(Post.objects.order_by("pk").values_list("title", "body")),
        list(Comment.objects.order_by("pk").values_list("body", flat=True)),
        list(Report.objects.order_by("pk").values_list("reason", flat=True)),
        list(Notification.objects.order_by("pk").values_list("title", "body")),
    )
    services.forum_erase_for_user(user=student)
    assert texts == (
        list(Post.objects.order_by("pk").values_list("title", "body")),
        list(Comment.objects.order_by("pk").values_list("body", flat=True)),
        list(Report.objects.order_by("pk").values_list("reason", flat=True)),
        list(Notification.objects.order_by("pk").values_list("title", "body")),
    )


def test_a_run_that_died_half_way_is_finished_by_the_next(named, student, other_student, monkeypatch):
    """The run dies after the comments: the posts are left as they were, then the next run finishes."""
    real = services.post_list_by_author

    def dies(user):
        raise RuntimeError("worker killed")

    monkeypatch.setattr(services, "post_list_by_author", dies)
    with pytest.raises(RuntimeError):
        services.forum_erase_for_user(user=student)
    assert Post.objects.get(pk=named["own"].pk).title == "Zebulonia asks"
    # The notification of a reply in that thread already names the thread as it will read.
    assert _reply_notifications(other_student).get(payload__comment_id=named["signed"].pk).title == (
        "Deleted user replied in “[removed] asks”"
    )

    monkeypatch.setattr(services, "post_list_by_author", real)
    services.forum_erase_for_user(user=student)
    assert Post.objects.get(pk=named["own"].pk).title == "[removed] asks"


def test_erase_in_a_deleted_thread_names_it_deleted(activity, student, other_student):
    services.post_delete(post=activity["theirs"], actor=other_student)

    services.forum_erase_for_user(user=student)

    assert list(_reply_notifications(other_student).values_list("title", "body")) == [
        ("Deleted user replied in “[removed]”", "Friday, I think."),
        ("Deleted user replied in “Week 1”", "Or Monday."),
    ]
