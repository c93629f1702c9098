"""The staff dashboard for reviews: pages and filters load, and changes made there go through the
services so the course's figures stay exact."""

from decimal import Decimal

import pytest
from django.test import Client

from courses.tests.factories import PublishedCourseFactory
from reviews.models import InstructorReply, Review

from .factories import InstructorReplyFactory, ReviewFactory, assert_figures_exact, stored_figures

pytestmark = pytest.mark.django_db


@pytest.fixture
def course():
    course = PublishedCourseFactory()
    for rating in (5, 4, 1):
        review = ReviewFactory(course=course, rating=rating)
    InstructorReplyFactory(review=review)
    return course


def test_changelist_with_filters_and_search_loads(staff, course):
    other = PublishedCourseFactory()
    ReviewFactory(course=other, rating=5)
    base = "/admin/reviews/review/"

    page = staff.get(base)
    assert page.status_code == 200
    assert page.context["cl"].result_count == 4

    for query, expected in (
        (f"?course__id__exact={course.pk}", 3),
        ("?rating__exact=5", 2),
        (f"?course__id__exact={course.pk}&rating__exact=5", 1),
        (f"?course__id__exact={other.pk}&rating__exact=1", 0),
        ("?q=Review", 4),
    ):
        response = staff.get(base + query)
        assert response.status_code == 200, query
        assert response.context["cl"].result_count == expected, query


def test_change_page_loads_with_the_reply_inline(staff, course):
    reply = InstructorReply.objects.get()
    response = staff.get(f"/admin/reviews/review/{reply.review_id}/change/")
    assert response.status_code == 200
    assert reply.body in response.content.decode()


def test_students_and_instructors_cannot_open_the_admin(student, instructor):
    for user in (student, instructor):
        client = Client()
        client.force_login(user)
        assert client.get("/admin/reviews/review/").status_code == 302


def test_deleting_a_review_in_the_admin_keeps_the_figures_exact(staff, course):
    doomed = Review.objects.get(course=course, rating=1)
    response = staff.post(f"/admin/reviews/review/{doomed.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Review.objects.filter(pk=doomed.pk).exists()
    assert stored_figures(course.pk) == (2, Decimal("4.50"), {"1": 0, "2": 0, "3": 0, "4": 1, "5": 1})
    assert_figures_exact(course.pk)


def test_bulk_delete_in_the_admin_keeps_the_figures_exact(staff, course):
    other = PublishedCourseFactory()
    kept = ReviewFactory(course=other, rating=2)
    doomed = [*Review.objects.filter(rating__gte=4).values_list("pk", flat=True), kept.pk]
    response = staff.post(
        "/admin/reviews/review/",
        {"action": "delete_selected", "_selected_action": doomed, "post": "yes"},
    )
    assert response.status_code == 302
    assert list(Review.objects.filter(course=course).values_list("rating", flat=True)) == [1]
    assert stored_figures(course.pk) == (1, Decimal("1.00"), {"1": 1, "2": 0, "3": 0, "4": 0, "5": 0})
    assert stored_figures(other.pk)[0] == 0
    assert_figures_exact(course.pk)
    assert_figures_exact(other.pk)


def test_changing_a_rating_in_the_admin_keeps_the_figures_exact(staff, course):
    review = Review.objects.get(course=course, rating=1)
    response = staff.post(
        f"/admin/reviews/review/{review.pk}/change/",
        {
            "course": course.pk,
            "student": review.student_id,
            "rating": 5,
            "comment": "Changed by staff",
            "reply-TOTAL_FORMS": 0,
            "reply-INITIAL_FORMS": 0,
            "reply-MIN_NUM_FORMS": 0,
            "reply-MAX_NUM_FORMS": 1,
        },
    )
    assert response.status_code == 302, response.context["adminform"].errors if response.context else response
    review.refresh_from_db()
    assert review.rating == 5
    assert stored_figures(course.pk)[:2] == (3, Decimal("4.67"))
    assert_figures_exact(course.pk)
