"""Comments and replies: who may read and write them, locks, one level of replies, soft deletes,
forum_reply notifications and activity."""

import pytest
from django.utils import timezone

from accounts.tests.factories import StudentFactory
from activity.models import ActivityEvent
from conftest import client_for
from courses.services import enrollment_revoke
from courses.tests.factories import EnrollmentFactory
from forum import services
from forum.models import REMOVED, Comment, ModerationLog, Post
from forum.tests.factories import comment_url, post_url
from notifications.models import Notification

pytestmark = pytest.mark.django_db


def forum_replies(user) -> int:
    return Notification.objects.filter(recipient=user, type="forum_reply").count()


# --- who may do what -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", 401),
        ("student", 200),
        ("other_student", 200),
        ("instructor", 200),
        ("other_instructor", 403),
        ("admin", 200),
    ],
)
def test_list_comments_by_role(clients, comment, role, expected):
    r = clients[role].get(post_url(comment.post, "comments"))
    assert r.status_code == expected, r.content
    if expected == 200:
        body = r.json()
        assert body["count"] == 1 and set(body) >= {"next", "previous", "results"}
        row = body["results"][0]
        assert {"id", "post", "parent", "author", "body", "created_at", "replies"} <= set(row)
        assert (row["id"], row["post"], row["parent"], row["body"]) == (comment.pk, comment.post_id, None, comment.body)
        assert "email" not in row["author"]


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", 401),
        ("student", 201),
        ("other_student", 201),
        ("instructor", 201),
        ("other_instructor", 403),
        ("admin", 201),
    ],
)
def test_comment_by_role(clients, post, role, expected):
    r = clients[role].post(post_url(post, "comments"), {"body": "Me too"}, format="json")
    assert r.status_code == expected, r.content
    post.refresh_from_db()
    assert post.comment_count == (1 if expected == 201 else 0)
    if expected == 201:
        assert r.json()["body"] == "Me too" and r.json()["parent"] is None
        assert r.json()["author"]["id"] == clients[role].user.pk


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", 401),
        ("student", 403),
        ("other_student", 200),
        ("instructor", 403),
        ("other_instructor", 403),
        ("admin", 403),
    ],
)
def test_only_the_author_edits_a_comment(clients, comment, role, expected):
    r = clients[role].patch(comment_url(comment), {"body": "Edited"}, format="json")
    assert r.status_code == expected, r.content
    comment.refresh_from_db()
    assert comment.body == ("Edited" if expected == 200 else "Read the intro.")
    if expected == 200:
        assert r.json()["body"] == "Edited"


@pytest.mark.parametrize(
    ("role", "expected", "logged"),
    [
        ("anonymous", 401, False),
        ("student", 403, False),
        ("other_student", 204, False),
        ("instructor", 204, True),
        ("other_instructor", 403, False),
        ("admin", 204, True),
    ],
)
def test_delete_comment_by_role(clients, comment, role, expected, logged):
    r = clients[role].delete(comment_url(comment))
    assert r.status_code == expected, r.content
    comment.refresh_from_db()
    assert comment.is_removed is (expected == 204)
    log = ModerationLog.objects.filter(action="delete", comment=comment)
    assert log.exists() is logged
    if logged:
        assert log.get().actor == clients[role].user


def test_comment_endpoints_for_outsiders(clients, comment, instructor):
    outsider = StudentFactory()
    EnrollmentFactory(student=outsider)
    enrollment_revoke(actor=None, enrollment=comment.author.enrollments.get(course=comment.post.course))
    for client in (client_for(outsider), clients["other_instructor"], clients["other_student"]):  # last: revoked
        assert client.get(post_url(comment.post, "comments")).status_code == 403
        assert client.post(post_url(comment.post, "comments"), {"body": "x"}, format="json").status_code == 403
        assert client.patch(comment_url(comment), {"body": "x"}, format="json").status_code == 403
        assert client.delete(comment_url(comment)).status_code == 403
        assert client.post(comment_url(comment, "report"), {"reason": "x"}, format="json").status_code == 403
    comment.refresh_from_db()
    assert comment.body == "Read the intro." and not comment.is_removed


def test_comments_are_not_read_one_by_one(clients, comment):
    assert clients["other_student"].get(comment_url(comment)).status_code == 405
    assert clients["admin"].get("/api/v1/forum/comments/").status_code in (404, 405)


def test_unknown_comment_is_404(clients):
    assert clients["admin"].patch("/api/v1/forum/comments/999999/", {"body": "x"}, format="json").status_code == 404
    assert clients["admin"].delete("/api/v1/forum/comments/999999/").status_code == 404


# --- locked posts ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("role", "expected"),
    [("student", 403), ("other_student", 403), ("instructor", 201), ("admin", 201)],
)
def test_locked_posts_take_comments_from_moderators_only(clients, post, comment, role, expected):
    services.post_set_flag(post=post, actor=post.course.instructor, flag="is_locked", value=True)
    r = clients[role].post(post_url(post, "comments"), {"body": "late"}, format="json")
    assert r.status_code == expected, r.content
    r = clients[role].post(post_url(post, "comments"), {"body": "late", "parent": comment.pk}, format="json")
    assert r.status_code == expected, r.content
    post.refresh_from_db()
    assert post.comment_count == (3 if expected == 201 else 1)
    # Reading stays open to everyone.
    assert clients[role].get(post_url(post, "comments")).status_code == 200


def test_unlocking_reopens_comments(clients, post):
    clients["instructor"].post(post_url(post, "lock"))
    assert clients["other_student"].post(post_url(post, "comments"), {"body": "x"}).status_code == 403
    clients["admin"].post(post_url(post, "unlock"))
    assert clients["other_student"].post(post_url(post, "comments"), {"body": "x"}).status_code == 201


# --- replies -----------------------------------------------------------------------------------------
def test_replies_nest_under_their_comment(clients, post, comment, student, instructor):
    client = clients["student"]
    r = client.post(post_url(post, "comments"), {"body": "Thanks!", "parent": comment.pk}, format="json")
    assert r.status_code == 201, r.content
    assert r.json()["parent"] == comment.pk
    second = services.comment_create(post=post, author=instructor, body="Second top-level")
    services.comment_create(post=post, author=instructor, body="Also see chapter 2", parent=comment)
    tree = client.get(post_url(post, "comments")).json()
    assert tree["count"] == 2  # top-level comments
    assert [c["id"] for c in tree["results"]] == [comment.pk, second.pk]
    assert [c["body"] for c in tree["results"][0]["replies"]] == ["Thanks!", "Also see chapter 2"]
    assert all(r["parent"] == comment.pk for r in tree["results"][0]["replies"])
    assert tree["results"][1]["replies"] == []
    post.refresh_from_db()
    assert post.comment_count == 4


def test_replies_go_one_level_deep(clients, post, comment, student):
    reply = services.comment_create(post=post, author=student, body="Thanks!", parent=comment)
    r = clients["other_student"].post(post_url(post, "comments"), {"body": "deeper", "parent": reply.pk}, format="json")
    assert r.status_code == 400, r.content
    assert "parent" in r.json()
    assert Comment.objects.count() == 2


def test_a_parent_from_another_post_is_400(clients, post, comment, student):
    other_post = services.post_create(course=post.course, author=student, title="Other", body="b")
    r = clients["student"].post(post_url(other_post, "comments"), {"body": "x", "parent": comment.pk}, format="json")
    assert r.status_code == 400, r.content
    assert "parent" in r.json()
    other_post.refresh_from_db()
    assert other_post.comment_count == 0 and not other_post.comments.exists()


@pytest.mark.parametrize("parent", [999999, "abc", -1, 1.5, {"id": 1}, [1]])
def test_unknown_or_malformed_parent_is_400(clients, post, parent):
    r = clients["student"].post(post_url(post, "comments"), {"body": "x", "parent": parent}, format="json")
    assert r.status_code == 400, r.content
    assert "parent" in r.json()
    assert not Comment.objects.exists()


def test_parent_null_is_a_top_level_comment(clients, post):
    r = clients["student"].post(post_url(post, "comments"), {"body": "x", "parent": None}, format="json")
    assert r.status_code == 201, r.content
    assert r.json()["parent"] is None


# --- bad input ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "payload",
    [{}, {"body": ""}, {"body": "   "}, {"body": "b" * 100_000}, {"body": "a\x00b"}, {"body": ["x"]}],
)
def test_bad_comment_input_is_400(clients, post, comment, payload):
    client = clients["other_student"]
    r = client.post(post_url(post, "comments"), payload, format="json")
    assert r.status_code == 400, r.content
    assert "body" in r.json()
    r = client.patch(comment_url(comment), payload, format="json")
    assert r.status_code == 400, r.content
    assert Comment.objects.count() == 1
    comment.refresh_from_db()
    assert comment.body == "Read the intro."


@pytest.mark.parametrize("raw", ['{"body": ', "nope", "[]"])
def test_malformed_comment_json_is_400(clients, post, comment, raw):
    client = clients["other_student"]
    assert client.post(post_url(post, "comments"), raw, content_type="application/json").status_code == 400
    assert client.patch(comment_url(comment), raw, content_type="application/json").status_code == 400


# --- soft delete -----------------------------------------------------------------------------------
def test_deleting_a_comment_keeps_its_replies(clients, post, comment, student, instructor):
    reply = services.comment_create(post=post, author=student, body="Thanks!", parent=comment)
    services.comment_create(post=post, author=instructor, body="Welcome")
    post.refresh_from_db()
    assert post.comment_count == 3

    assert clients["other_student"].delete(comment_url(comment)).status_code == 204
    tree = clients["student"].get(post_url(post, "comments")).json()["results"]
    assert tree[0]["id"] == comment.pk
    assert tree[0]["body"] == REMOVED and tree[0]["is_removed"] is True
    assert [r["id"] for r in tree[0]["replies"]] == [reply.pk]
    assert tree[0]["replies"][0]["body"] == "Thanks!"
    assert not Comment.objects.filter(body__contains="Read the intro").exists()

    # The count follows the comments that still say something; deleting again changes nothing.
    post.refresh_from_db()
    assert post.comment_count == 2 == Comment.objects.filter(post=post, is_removed=False).count()
    assert clients["instructor"].delete(comment_url(comment)).status_code == 204
    post.refresh_from_db()
    assert post.comment_count == 2
    assert not ModerationLog.objects.exists()

    # A deleted comment is not edited back, and a deleted reply keeps its place too.
    assert clients["other_student"].patch(comment_url(comment), {"body": "back"}, format="json").status_code == 409
    assert clients["admin"].delete(comment_url(reply)).status_code == 204
    tree = clients["student"].get(post_url(post, "comments")).json()["results"]
    assert [(r["id"], r["body"]) for r in tree[0]["replies"]] == [(reply.pk, REMOVED)]
    post.refresh_from_db()
    assert post.comment_count == 1


# --- notifications and activity ------------------------------------------------------------------
def test_a_comment_notifies_the_post_author_only(clients, post, student, other_student, instructor):
    clients["other_student"].post(post_url(post, "comments"), {"body": "Read the intro."}, format="json")
    assert forum_replies(student) == 1
    assert forum_replies(other_student) == 0
    assert forum_replies(instructor) == 0
    note = Notification.objects.get(recipient=student, type="forum_reply")
    assert note.payload["post_id"] == post.pk and note.payload["course_id"] == post.course_id


def test_commenting_on_my_own_post_notifies_nobody(clients, post, student):
    clients["student"].post(post_url(post, "comments"), {"body": "Bump"}, format="json")
    assert not Notification.objects.filter(type="forum_reply").exists()


def test_a_reply_notifies_the_post_author_and_the_parent_author(
    clients, post, comment, student, other_student, instructor
):
    Notification.objects.all().delete()
    r = clients["instructor"].post(
        post_url(post, "comments"), {"body": "See ch. 2", "parent": comment.pk}, format="json"
    )
    assert r.status_code == 201
    assert forum_replies(student) == 1  # the post's author
    assert forum_replies(other_student) == 1  # the parent comment's author
    assert forum_replies(instructor) == 0  # not the writer
    payload = Notification.objects.filter(type="forum_reply").first().payload
    assert payload["comment_id"] == r.json()["id"]


def test_replying_to_my_own_comment_on_my_own_post_notifies_nobody(clients, post, student):
    mine = services.comment_create(post=post, author=student, body="Context")
    clients["student"].post(post_url(post, "comments"), {"body": "More", "parent": mine.pk}, format="json")
    assert not Notification.objects.filter(type="forum_reply").exists()


def test_the_post_author_replying_notifies_the_parent_author_once(clients, post, comment, student, other_student):
    Notification.objects.all().delete()
    clients["student"].post(post_url(post, "comments"), {"body": "Thanks", "parent": comment.pk}, format="json")
    assert forum_replies(other_student) == 1
    assert forum_replies(student) == 0


def test_replying_to_the_post_authors_comment_notifies_them_once(clients, post, student, other_student):
    mine = services.comment_create(post=post, author=student, body="Context")
    clients["other_student"].post(post_url(post, "comments"), {"body": "I see", "parent": mine.pk}, format="json")
    assert forum_replies(student) == 1


def test_activity_is_recorded(clients, course, student, other_student):
    r = clients["student"].post(f"/api/v1/courses/{course.pk}/forum/posts/", {"title": "t", "body": "b"}, format="json")
    post_id = r.json()["id"]
    r = clients["other_student"].post(f"/api/v1/forum/posts/{post_id}/comments/", {"body": "c"}, format="json")
    comment_id = r.json()["id"]
    created = ActivityEvent.objects.get(verb="forum_post_created")
    assert (created.actor, created.course_id, created.target_id) == (student, course.pk, str(post_id))
    commented = ActivityEvent.objects.get(verb="forum_comment_created")
    assert (commented.actor, commented.course_id, commented.target_id) == (other_student, course.pk, str(comment_id))


def test_comment_bumps_last_activity(clients, post, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    before = Post.objects.get(pk=post.pk).last_activity_at
    time_machine.shift(5)
    clients["other_student"].post(post_url(post, "comments"), {"body": "x"}, format="json")
    after = clients["other_student"].get(post_url(post)).json()["last_activity_at"]
    assert Post.objects.get(pk=post.pk).last_activity_at > before
    assert after != before.isoformat()
