"""GET /instructor/reviews/: the reviews of my courses, with filters."""

import pytest

from courses.tests.factories import CourseFactory, PublishedCourseFactory
from reviews.tests.factories import InstructorReplyFactory, ReviewFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", 401),
        ("student", 403),
        ("other_student", 403),
        ("instructor", 200),
        ("other_instructor", 200),
        ("admin", 403),
    ],
)
def test_instructor_reviews_roles(clients, role, expected, review):
    response = clients[role].get("/api/v1/instructor/reviews/")
    assert response.status_code == expected
    if expected == 200:
        ids = [r["id"] for r in response.json()["results"]]
        assert ids == ([review.pk] if role == "instructor" else [])


def test_instructor_reviews_lists_only_own_courses_with_filters(clients, instructor, other_instructor):
    mine_a = PublishedCourseFactory(instructor=instructor)
    mine_b = CourseFactory(instructor=instructor)  # a draft: still the instructor's own
    theirs = PublishedCourseFactory(instructor=other_instructor)
    answered = ReviewFactory(course=mine_a, rating=5)
    InstructorReplyFactory(review=answered)
    open_a = ReviewFactory(course=mine_a, rating=2)
    open_b = ReviewFactory(course=mine_b, rating=5)
    ReviewFactory(course=theirs, rating=1)

    def ids(query=""):
        response = clients["instructor"].get("/api/v1/instructor/reviews/" + query)
        assert response.status_code == 200, response.content
        return {r["id"] for r in response.json()["results"]}

    assert ids() == {answered.pk, open_a.pk, open_b.pk}
    assert ids("?unanswered=true") == {open_a.pk, open_b.pk}
    assert ids("?unanswered=false") == {answered.pk}
    assert ids(f"?course={mine_a.pk}") == {answered.pk, open_a.pk}
    assert ids(f"?course={theirs.pk}") == set()
    assert ids("?rating=5") == {answered.pk, open_b.pk}
    assert ids(f"?unanswered=true&course={mine_b.pk}&rating=5") == {open_b.pk}

    listed = clients["instructor"].get("/api/v1/instructor/reviews/").json()
    assert {"count", "next", "previous", "results"} <= set(listed)
    by_id = {r["id"]: r for r in listed["results"]}
    assert by_id[answered.pk]["reply"]["body"]
    assert by_id[open_a.pk]["reply"] is None
    assert by_id[open_a.pk]["course"] == mine_a.pk


@pytest.mark.parametrize("query", ["?rating=abc", "?course=abc", "?ordering=bogus"])
def test_instructor_reviews_bad_query_is_400(clients, review, query):
    assert clients["instructor"].get("/api/v1/instructor/reviews/" + query).status_code == 400
