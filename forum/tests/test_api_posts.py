"""Threads: who may list, start, read, edit and delete them; pins and locks; upvotes; ordering,
cursor pagination and search; bad input."""

import pytest
from django.utils import timezone

from accounts.tests.factories import StudentFactory
from conftest import client_for
from courses.services import enrollment_revoke
from courses.tests.factories import CourseFactory, EnrollmentFactory, PublishedCourseFactory
from forum import services
from forum.models import REMOVED, ModerationLog, Post, Vote
from forum.tests.factories import PostFactory, post_url, posts_url

pytestmark = pytest.mark.django_db

READERS = ("student", "other_student", "instructor", "admin")


def ids(response) -> list[int]:
    return [p["id"] for p in response.json()["results"]]


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
def test_list_threads_by_role(clients, post, role, expected):
    r = clients[role].get(posts_url(post.course))
    assert r.status_code == expected, r.content
    if expected == 200:
        assert ids(r) == [post.pk]
        row = r.json()["results"][0]
        for field in (
            "id",
            "course",
            "author",
            "title",
            "body",
            "is_pinned",
            "is_locked",
            "comment_count",
            "vote_count",
            "created_at",
            "last_activity_at",
        ):
            assert field in row
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
def test_start_thread_by_role(clients, course, role, expected):
    r = clients[role].post(posts_url(course), {"title": "Hello", "body": "Anyone here?"}, format="json")
    assert r.status_code == expected, r.content
    if expected == 201:
        body = r.json()
        assert body["title"] == "Hello" and body["course"] == course.pk
        assert body["author"]["id"] == clients[role].user.pk
        assert body["comment_count"] == 0 and body["vote_count"] == 0 and body["is_pinned"] is False
    else:
        assert not Post.objects.exists()


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
def test_read_thread_by_role(clients, post, role, expected):
    r = clients[role].get(post_url(post))
    assert r.status_code == expected, r.content
    if expected == 200:
        assert r.json()["body"] == "How do I start?"


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", 401),
        ("student", 200),
        ("other_student", 403),
        ("instructor", 403),
        ("other_instructor", 403),
        ("admin", 403),
    ],
)
def test_only_the_author_edits_a_thread(clients, post, role, expected):
    r = clients[role].patch(post_url(post), {"title": "Edited"}, format="json")
    assert r.status_code == expected, r.content
    post.refresh_from_db()
    assert post.title == ("Edited" if expected == 200 else "Week 1")
    assert post.body == "How do I start?"


@pytest.mark.parametrize(
    ("role", "expected", "logged"),
    [
        ("anonymous", 401, False),
        ("student", 204, False),
        ("other_student", 403, False),
        ("instructor", 204, True),
        ("other_instructor", 403, False),
        ("admin", 204, True),
    ],
)
def test_delete_thread_by_role(clients, post, role, expected, logged):
    r = clients[role].delete(post_url(post))
    assert r.status_code == expected, r.content
    post.refresh_from_db()
    assert post.is_removed is (expected == 204)
    log = ModerationLog.objects.filter(action="delete", post=post)
    assert log.exists() is logged
    if logged:
        assert log.get().actor == clients[role].user


@pytest.mark.parametrize("action", ["pin", "unpin", "lock", "unlock"])
@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", 401),
        ("student", 403),
        ("other_student", 403),
        ("instructor", 200),
        ("other_instructor", 403),
        ("admin", 200),
    ],
)
def test_pin_and_lock_by_role(clients, post, action, role, expected):
    flag = "is_pinned" if action in ("pin", "unpin") else "is_locked"
    initial = action.startswith("un")
    Post.objects.filter(pk=post.pk).update(**{flag: initial})
    r = clients[role].post(post_url(post, action))
    assert r.status_code == expected, r.content
    post.refresh_from_db()
    assert getattr(post, flag) is (not initial if expected == 200 else initial)
    log = ModerationLog.objects.filter(action=action, post=post)
    if expected == 200:
        assert r.json()[flag] is (not initial)
        assert log.get().actor == clients[role].user
    else:
        assert not log.exists()


def test_pinning_twice_is_one_action_in_the_log(clients, post):
    assert clients["instructor"].post(post_url(post, "pin")).status_code == 200
    assert clients["admin"].post(post_url(post, "pin")).status_code == 200
    assert ModerationLog.objects.filter(action="pin").count() == 1


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
def test_upvote_by_role(clients, post, role, expected):
    r = clients[role].post(post_url(post, "upvote"))
    assert r.status_code == expected, r.content
    post.refresh_from_db()
    assert post.vote_count == (1 if expected == 200 else 0)
    if expected == 200:
        assert r.json() == {"voted": True, "vote_count": 1}


# --- readers of other courses, draft courses, revoked enrollments --------------------------------
def _every_post_endpoint(client, post):
    return {
        "list": client.get(posts_url(post.course)).status_code,
        "create": client.post(posts_url(post.course), {"title": "t", "body": "b"}, format="json").status_code,
        "read": client.get(post_url(post)).status_code,
        "edit": client.patch(post_url(post), {"title": "x"}, format="json").status_code,
        "delete": client.delete(post_url(post)).status_code,
        "comments": client.get(post_url(post, "comments")).status_code,
        "comment": client.post(post_url(post, "comments"), {"body": "b"}, format="json").status_code,
        "upvote": client.post(post_url(post, "upvote")).status_code,
        "report": client.post(post_url(post, "report"), {"reason": "spam"}, format="json").status_code,
        "pin": client.post(post_url(post, "pin")).status_code,
    }


def test_a_student_of_another_course_is_forbidden_on_a_published_course(post):
    outsider = StudentFactory()
    EnrollmentFactory(student=outsider)  # enrolled elsewhere
    statuses = _every_post_endpoint(client_for(outsider), post)
    assert set(statuses.values()) == {403}, statuses
    post.refresh_from_db()
    assert not post.is_removed and post.vote_count == 0 and post.comment_count == 0


def test_a_draft_course_forum_is_not_found_for_outsiders(instructor, student, other_instructor):
    draft = CourseFactory(instructor=instructor)
    EnrollmentFactory(student=student, course=draft)  # enrolled before it was unpublished
    post = services.post_create(course=draft, author=student, title="Draft", body="Still here")
    for user in (StudentFactory(), other_instructor):
        statuses = _every_post_endpoint(client_for(user), post)
        assert set(statuses.values()) == {404}, statuses
    # The enrolled student, the instructor and admins still take part.
    assert client_for(student).get(posts_url(draft)).status_code == 200
    assert client_for(instructor).get(post_url(post)).status_code == 200


def test_a_revoked_enrollment_loses_access(clients, post, student, other_student):
    enrollment = other_student.enrollments.get(course=post.course)
    enrollment_revoke(actor=None, enrollment=enrollment)
    statuses = _every_post_endpoint(clients["other_student"], post)
    assert set(statuses.values()) == {403}, statuses
    # Their own thread, too.
    own = PostFactory(course=post.course, author=other_student)
    assert clients["other_student"].get(post_url(own)).status_code == 403
    assert clients["other_student"].patch(post_url(own), {"title": "x"}, format="json").status_code == 403
    assert clients["student"].get(posts_url(post.course)).status_code == 200


def test_unknown_thread_and_course_are_404(clients):
    assert clients["student"].get("/api/v1/forum/posts/999999/").status_code == 404
    assert clients["admin"].get("/api/v1/courses/999999/forum/posts/").status_code == 404
    assert clients["admin"].post("/api/v1/courses/999999/forum/posts/", {"title": "t", "body": "b"}).status_code == 404


# --- soft delete -----------------------------------------------------------------------------------
def test_deleting_a_thread_keeps_its_shape(clients, post, comment, instructor):
    reply = services.comment_create(post=post, author=instructor, body="Also chapter 2.", parent=comment)
    assert clients["student"].delete(post_url(post)).status_code == 204

    r = clients["other_student"].get(post_url(post))
    assert r.status_code == 200
    gone = r.json()
    assert gone["is_removed"] is True
    assert gone["title"] == gone["body"] == REMOVED
    assert gone["comment_count"] == 2
    listed = clients["other_student"].get(posts_url(post.course)).json()["results"]
    assert [(p["id"], p["title"], p["body"]) for p in listed] == [(post.pk, REMOVED, REMOVED)]
    tree = clients["other_student"].get(post_url(post, "comments")).json()["results"]
    assert [c["id"] for c in tree] == [comment.pk]
    assert [c["id"] for c in tree[0]["replies"]] == [reply.pk]
    # The old text is gone for good, including from search; a deleted thread takes no more comments
    # or edits, and deleting it again changes nothing.
    assert not Post.objects.filter(body__contains="How do I start").exists()
    assert ids(clients["other_student"].get(posts_url(post.course), {"search": "start"})) == []
    assert clients["other_student"].post(post_url(post, "comments"), {"body": "hi"}).status_code == 403
    assert clients["student"].patch(post_url(post), {"title": "back"}, format="json").status_code == 409
    assert clients["admin"].delete(post_url(post)).status_code == 204
    assert not ModerationLog.objects.exists()  # the author deleted it: not a moderation action


# --- upvotes -------------------------------------------------------------------------------------
def test_upvote_toggles_and_counts_every_reader_once(clients, post):
    readers = [clients[r] for r in READERS]
    for n, client in enumerate(readers, start=1):
        r = client.post(post_url(post, "upvote"))
        assert r.json() == {"voted": True, "vote_count": n}
    assert clients["student"].get(post_url(post)).json()["has_voted"] is True
    assert clients["student"].post(post_url(post, "upvote")).json() == {"voted": False, "vote_count": 3}
    assert clients["student"].get(post_url(post)).json()["has_voted"] is False
    assert clients["other_student"].get(post_url(post)).json()["has_voted"] is True
    assert clients["student"].post(post_url(post, "upvote")).json() == {"voted": True, "vote_count": 4}
    for client in readers:
        client.post(post_url(post, "upvote"))
    post.refresh_from_db()
    assert post.vote_count == 0 == Vote.objects.filter(post=post).count()


# --- ordering and pagination ---------------------------------------------------------------------
def test_pinned_first_then_last_activity(clients, course, student, other_student, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    first = services.post_create(course=course, author=student, title="first", body="b")
    time_machine.shift(1)
    second = services.post_create(course=course, author=student, title="second", body="b")
    time_machine.shift(1)
    third = services.post_create(course=course, author=student, title="third", body="b")
    client = clients["other_student"]
    assert ids(client.get(posts_url(course))) == [third.pk, second.pk, first.pk]

    time_machine.shift(1)
    client.post(post_url(first, "comments"), {"body": "bump"}, format="json")
    assert ids(client.get(posts_url(course))) == [first.pk, third.pk, second.pk]

    clients["instructor"].post(post_url(second, "pin"))
    assert ids(client.get(posts_url(course))) == [second.pk, first.pk, third.pk]

    # A newer thread stays below the pinned one; a comment on the pinned one keeps it on top.
    time_machine.shift(1)
    fourth = services.post_create(course=course, author=student, title="fourth", body="b")
    assert ids(client.get(posts_url(course))) == [second.pk, fourth.pk, first.pk, third.pk]
    time_machine.shift(1)
    client.post(post_url(third, "comments"), {"body": "bump"}, format="json")
    assert ids(client.get(posts_url(course))) == [second.pk, third.pk, fourth.pk, first.pk]

    # Unpinned, it goes back to where its last activity puts it.
    clients["admin"].post(post_url(second, "unpin"))
    assert ids(client.get(posts_url(course))) == [third.pk, fourth.pk, first.pk, second.pk]


def _walk(client, url, **params) -> list[int]:
    seen, pages = [], 0
    r = client.get(url, params)
    while True:
        assert r.status_code == 200, r.content
        body = r.json()
        assert set(body) >= {"next", "previous", "results"}
        seen += [p["id"] for p in body["results"]]
        pages += 1
        assert pages < 100
        if not body["next"]:
            return seen
        r = client.get(body["next"])


def test_cursor_pagination_walks_every_thread_once(clients, course, student, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    posts = []
    for n in range(23):
        time_machine.shift(1)
        posts.append(services.post_create(course=course, author=student, title=f"t{n}", body="b"))
    for pinned in (posts[3], posts[17]):
        services.post_set_flag(post=pinned, actor=course.instructor, flag="is_pinned", value=True)
    expected = list(
        Post.objects.filter(course=course)
        .order_by("-is_pinned", "-last_activity_at", "-id")
        .values_list("id", flat=True)
    )
    assert expected[:2] == [posts[17].pk, posts[3].pk]
    seen = _walk(clients["other_student"], posts_url(course), page_size=5)
    assert seen == expected
    assert len(seen) == len(set(seen)) == 23
    r = clients["other_student"].get(posts_url(course))
    assert len(r.json()["results"]) == 20  # the default page size


def test_cursor_pagination_with_equal_activity_times(clients, course, student):
    posts = PostFactory.create_batch(
        12, course=course, author=student, last_activity_at="2030-01-01T10:00:00Z", sort_key="2030-01-01T10:00:00Z"
    )
    seen = _walk(clients["other_student"], posts_url(course), page_size=5)
    assert sorted(seen) == sorted(p.pk for p in posts)
    assert len(seen) == len(set(seen))


def test_a_bad_cursor_is_not_a_server_error(clients, post):
    r = clients["student"].get(posts_url(post.course), {"cursor": "not-a-cursor"})
    assert r.status_code in (400, 404)


# --- search ---------------------------------------------------------------------------------------
@pytest.fixture
def searchable(course, student, other_student):
    return {
        "title": services.post_create(course=course, author=student, title="Django signals", body="How?"),
        "body": services.post_create(course=course, author=other_student, title="Help", body="django ORM joins"),
        "other": services.post_create(course=course, author=student, title="Week 2", body="Homework"),
        "percent": services.post_create(course=course, author=student, title="Grades", body="Is 100% needed?"),
        "quote": services.post_create(course=course, author=student, title="O'Reilly book", body="Good?"),
    }


def test_search_matches_titles_and_bodies(clients, searchable):
    client = clients["other_student"]
    course = searchable["title"].course
    found = set(ids(client.get(posts_url(course), {"search": "DJANGO"})))
    assert found == {searchable["title"].pk, searchable["body"].pk}
    assert set(ids(client.get(posts_url(course), {"search": "homework"}))) == {searchable["other"].pk}
    assert set(ids(client.get(posts_url(course), {"search": "100%"}))) == {searchable["percent"].pk}
    assert set(ids(client.get(posts_url(course), {"search": "o'reilly"}))) == {searchable["quote"].pk}
    assert len(ids(client.get(posts_url(course), {"search": ""}))) == 5
    # Only this course's threads.
    elsewhere = PostFactory(course=PublishedCourseFactory(), title="Django elsewhere")
    assert elsewhere.pk not in ids(client.get(posts_url(course), {"search": "django"}))


@pytest.mark.parametrize(
    "query",
    [
        "'; DROP TABLE forum_post; --",
        '" OR 1=1 --',
        "%",
        "_",
        "%%_\\",
        "\\",
        "a\x00b",
        "\x00",
        "💥 ünïcödé",
        "x" * 201,
        "x" * 5000,
    ],
)
def test_hostile_search_is_never_a_server_error(clients, searchable, query):
    course = searchable["title"].course
    r = clients["student"].get(posts_url(course), {"search": query})
    assert r.status_code in (200, 400), r.content
    if r.status_code == 200 and query in ("%", "_", "\\", "%%_\\"):
        # LIKE wildcards are matched literally.
        expected = {searchable["percent"].pk} if query == "%" else set()
        assert set(ids(r)) == expected
    assert Post.objects.count() == 5


# --- bad input -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"title": "", "body": "b"}, "title"),
        ({"title": "t", "body": ""}, "body"),
        ({"title": "   ", "body": "b"}, "title"),
        ({"title": "t", "body": "  \n "}, "body"),
        ({"body": "b"}, "title"),
        ({"title": "t"}, "body"),
        ({"title": "t" * 201, "body": "b"}, "title"),
        ({"title": "t", "body": "b" * 20001}, "body"),
        ({"title": "t", "body": "b" * 100_000}, "body"),
        ({"title": "t\x00", "body": "b"}, "title"),
        ({"title": "t", "body": "b\x00b"}, "body"),
        ({"title": ["t"], "body": "b"}, "title"),
        ({"title": "t", "body": {"x": 1}}, "body"),
    ],
)
def test_bad_thread_input_is_400(clients, course, payload, field):
    r = clients["student"].post(posts_url(course), payload, format="json")
    assert r.status_code == 400, r.content
    assert field in r.json()
    assert not Post.objects.exists()


def test_a_20000_character_body_is_fine(clients, course):
    r = clients["student"].post(posts_url(course), {"title": "t", "body": "b" * 20000}, format="json")
    assert r.status_code == 201, r.content


@pytest.mark.parametrize("raw", ['{"title": "t", "body": ', "not json", "[1, 2]", "null", '"a string"'])
def test_malformed_json_is_400(clients, course, post, raw):
    client = clients["student"]
    for method, url in ((client.post, posts_url(course)), (client.patch, post_url(post))):
        r = method(url, raw, content_type="application/json")
        assert r.status_code == 400, (url, r.content)
        assert r["Content-Type"].startswith("application/json")


@pytest.mark.parametrize(
    ("payload", "field"),
    [({"title": ""}, "title"), ({"body": ""}, "body"), ({"body": "b" * 20001}, "body"), ({"body": "\x00"}, "body")],
)
def test_bad_edit_is_400(clients, post, payload, field):
    r = clients["student"].patch(post_url(post), payload, format="json")
    assert r.status_code == 400, r.content
    assert field in r.json()
    post.refresh_from_db()
    assert post.title == "Week 1" and post.body == "How do I start?"


def test_edit_ignores_fields_that_are_not_the_authors_to_set(clients, post, other_student):
    r = clients["student"].patch(
        post_url(post),
        {"body": "New body", "is_pinned": True, "is_hidden": True, "vote_count": 99, "author": other_student.pk},
        format="json",
    )
    assert r.status_code == 200, r.content
    post.refresh_from_db()
    assert post.body == "New body"
    assert (post.is_pinned, post.is_hidden, post.vote_count, post.author_id) == (False, False, 0, post.author_id)
    assert post.author_id != other_student.pk


def test_put_is_not_allowed(clients, post):
    assert clients["student"].put(post_url(post), {"title": "t", "body": "b"}, format="json").status_code == 405
