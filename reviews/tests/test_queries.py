"""The review lists run a fixed number of queries however many reviews (with replies) they show."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from courses.tests.factories import PublishedCourseFactory

from .factories import InstructorReplyFactory, ReviewFactory

pytestmark = pytest.mark.django_db

# Anonymous: the course, COUNT(*), the page. Signed in adds the user behind the token and the
# enrollment check that decides whether a course is visible.
MAX_QUERIES = 5


def _reviews_with_replies(course, n):
    for i in range(n):
        review = ReviewFactory(course=course, rating=i % 5 + 1)
        if i % 2 == 0:
            InstructorReplyFactory(review=review)


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(ctx.captured_queries), response.json()


@pytest.mark.parametrize("n", [3, 30])
@pytest.mark.parametrize("role", ["anonymous", "student", "instructor", "admin"])
def test_course_review_list_query_count_is_bounded(clients, instructor, django_assert_max_num_queries, n, role):
    course = PublishedCourseFactory(instructor=instructor)
    _reviews_with_replies(course, n)
    with django_assert_max_num_queries(MAX_QUERIES):
        response = clients[role].get(f"/api/v1/courses/{course.pk}/reviews/?page_size=100")
    assert response.status_code == 200
    assert len(response.json()["results"]) == n


@pytest.mark.parametrize("query", ["", "?ordering=-rating", "?rating=1", "?page_size=100"])
def test_course_review_list_query_count_is_the_same_for_3_and_30_reviews(clients, instructor, query):
    small, large = PublishedCourseFactory(instructor=instructor), PublishedCourseFactory(instructor=instructor)
    _reviews_with_replies(small, 3)
    _reviews_with_replies(large, 30)
    few, _ = _count(clients["anonymous"], f"/api/v1/courses/{small.pk}/reviews/{query}")
    many, large_body = _count(clients["anonymous"], f"/api/v1/courses/{large.pk}/reviews/{query}")
    assert few == many, (few, many)
    assert any(r["reply"] for r in large_body["results"])


@pytest.mark.parametrize("query", ["", "?unanswered=true", "?page_size=100"])
def test_instructor_review_list_query_count_is_the_same_for_3_and_30_reviews(
    clients, instructor, django_assert_max_num_queries, query
):
    course = PublishedCourseFactory(instructor=instructor)
    _reviews_with_replies(course, 3)
    few, _ = _count(clients["instructor"], "/api/v1/instructor/reviews/" + query)
    _reviews_with_replies(PublishedCourseFactory(instructor=instructor), 27)
    many, body = _count(clients["instructor"], "/api/v1/instructor/reviews/" + query)
    assert few == many, (few, many)
    assert body["count"] == (14 if "unanswered" in query else 30)  # every other one has a reply
    with django_assert_max_num_queries(MAX_QUERIES):
        clients["instructor"].get("/api/v1/instructor/reviews/" + query)
