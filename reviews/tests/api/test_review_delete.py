"""DELETE /reviews/{id}/: the author or an admin; reviews the caller cannot see are 404."""

import pytest

from accounts.tests.factories import StudentFactory
from conftest import client_for
from courses.tests.factories import CourseFactory, EnrollmentFactory, PublishedCourseFactory
from reviews.models import Review
from reviews.tests.factories import ReviewFactory, assert_figures_exact, reviews_url, stored_figures

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", 401),
        ("student", 204),
        ("other_student", 403),
        ("instructor", 403),
        ("other_instructor", 403),
        ("admin", 204),
    ],
)
def test_the_author_or_an_admin_deletes(clients, role, expected, review, course):
    response = clients[role].delete(f"/api/v1/reviews/{review.pk}/")
    assert response.status_code == expected, response.content
    assert Review.objects.filter(pk=review.pk).exists() == (expected != 204)
    assert_figures_exact(course.pk)
    if expected == 204:
        assert clients[role].delete(f"/api/v1/reviews/{review.pk}/").status_code == 404


def test_review_of_a_draft_course_is_404_to_those_who_cannot_open_it(clients, instructor, student):
    draft = CourseFactory(instructor=instructor)
    review = ReviewFactory(course=draft, student=student)
    assert clients["other_student"].patch(f"/api/v1/reviews/{review.pk}/", {"rating": 1}).status_code == 404
    assert clients["other_instructor"].delete(f"/api/v1/reviews/{review.pk}/").status_code == 404
    assert clients["other_instructor"].post(f"/api/v1/reviews/{review.pk}/reply/", {"body": "x"}).status_code == 404
    assert clients["admin"].delete(f"/api/v1/reviews/{review.pk}/").status_code == 204


def test_unknown_review_is_404(clients):
    assert clients["student"].patch("/api/v1/reviews/999999/", {"rating": 3}).status_code == 404
    assert clients["admin"].delete("/api/v1/reviews/999999/").status_code == 404
    assert clients["instructor"].post("/api/v1/reviews/999999/reply/", {"body": "x"}).status_code == 404


def test_every_role_flow_keeps_other_courses_untouched(clients, course, student):
    other_course = PublishedCourseFactory()
    for rating in (1, 1):
        ReviewFactory(course=other_course, rating=rating, student=StudentFactory())
    before = stored_figures(other_course.pk)
    EnrollmentFactory(student=student, course=course)
    created = clients["student"].post(reviews_url(course), {"rating": 5}).json()
    clients["student"].patch(f"/api/v1/reviews/{created['id']}/", {"rating": 3})
    clients["admin"].delete(f"/api/v1/reviews/{created['id']}/")
    assert stored_figures(other_course.pk) == before
    assert_figures_exact(course.pk)
    assert client_for(student).get(reviews_url(course)).json()["count"] == 0
