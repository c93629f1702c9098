"""The thread list, the comment tree and the moderators' lists run a fixed number of queries,
however many threads, comments, replies and reports there are."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.tests.factories import StudentFactory
from courses.tests.factories import EnrollmentFactory
from forum import services
from forum.models import Vote
from forum.tests.factories import CommentFactory, PostFactory, post_url, posts_url

pytestmark = pytest.mark.django_db


def queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(url, params or {})
    assert r.status_code == 200, r.content
    return len(ctx)


def add_threads(course, n, voter):
    for _ in range(n):
        post = PostFactory(course=course, author=StudentFactory())
        Vote.objects.create(post=post, user=voter)


def test_thread_list_query_count_is_constant(clients, course, student, django_assert_max_num_queries):
    client = clients["student"]
    add_threads(course, 3, student)
    small = queries(client, posts_url(course), {"page_size": 100})
    add_threads(course, 27, student)
    with django_assert_max_num_queries(small):
        r = client.get(posts_url(course), {"page_size": 100})
    assert len(r.json()["results"]) == 30
    assert all(p["has_voted"] for p in r.json()["results"])
    with django_assert_max_num_queries(small):
        client.get(posts_url(course), {"page_size": 100, "search": "Thread"})
    assert small <= 8, small


def add_comments(post, n, replies_each):
    for _ in range(n):
        top = CommentFactory(post=post, author=StudentFactory())
        CommentFactory.create_batch(replies_each, post=post, author=StudentFactory(), parent=top)


@pytest.mark.parametrize("role", ["other_student", "instructor"])
def test_comment_tree_query_count_is_constant(clients, post, role, django_assert_max_num_queries):
    client = clients[role]
    add_comments(post, 3, 1)
    small = queries(client, post_url(post, "comments"), {"page_size": 100})
    add_comments(post, 27, 2)
    with django_assert_max_num_queries(small):
        r = client.get(post_url(post, "comments"), {"page_size": 100})
    results = r.json()["results"]
    assert len(results) == 30 and sum(len(c["replies"]) for c in results) == 3 + 27 * 2
    assert small <= 10, small


def test_report_queue_and_log_query_counts_are_constant(clients, course, instructor, django_assert_max_num_queries):
    def add_reports(n):
        for _ in range(n):
            reporter = StudentFactory()
            EnrollmentFactory(student=reporter, course=course)
            post = services.post_create(course=course, author=instructor, title="t", body="b")
            comment = services.comment_create(post=post, author=instructor, body="c")
            services.report_create(reporter=reporter, post=post, reason="x")
            services.report_create(reporter=reporter, comment=comment, reason="x")
            services.post_set_flag(post=post, actor=instructor, flag="is_pinned", value=True)

    client = clients["instructor"]
    add_reports(2)
    small_reports = queries(client, "/api/v1/forum/reports/", {"page_size": 100})
    small_log = queries(client, "/api/v1/forum/moderation-log/", {"page_size": 100})
    add_reports(10)
    with django_assert_max_num_queries(small_reports):
        assert len(client.get("/api/v1/forum/reports/", {"page_size": 100}).json()["results"]) == 24
    with django_assert_max_num_queries(small_log):
        assert len(client.get("/api/v1/forum/moderation-log/", {"page_size": 100}).json()["results"]) == 12
