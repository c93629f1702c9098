"""A review counts while its author's enrollment is active. When the enrollment is revoked (the
buyer's refund within the window, an admin's refund, staff revoking it) the review is kept but
leaves the course's rating figures (recounted at once, under the course row lock), the course's
public list and the instructor's list, and can no longer be edited or replied to; its author (or
an admin) can still delete it. Enrolled again, the student's review counts and shows again."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from conftest import client_for
from courses import services as courses
from courses.models import Enrollment
from courses.tests.factories import EnrollmentFactory, PublishedCourseFactory
from payments.tests.helpers import buy_through_emulator
from reviews.models import Review

from .factories import ReviewFactory, assert_figures_exact, stored_figures

pytestmark = pytest.mark.django_db

FIVE_ONLY = (1, Decimal("5.00"), {"1": 0, "2": 0, "3": 0, "4": 0, "5": 1})
BOTH = (2, Decimal("3.00"), {"1": 1, "2": 0, "3": 0, "4": 0, "5": 1})


def listed(client, course) -> list[int]:
    return [r["id"] for r in client.get(f"/api/v1/courses/{course.pk}/reviews/").json()["results"]]


def test_a_refund_within_the_window_takes_the_buyers_review_out(stripe_emulator, clients, student, instructor):
    course = PublishedCourseFactory(instructor=instructor, price=Decimal("49.99"))
    order = buy_through_emulator(student, course)
    one_star = ReviewFactory(course=course, student=student, rating=1, comment="Refunding this.")
    five_stars = ReviewFactory(course=course, rating=5)
    assert stored_figures(course.pk) == BOTH

    with time_machine.travel(timezone.now() + timedelta(days=3)):
        assert client_for(student).post(f"/api/v1/orders/{order.pk}/refund/").status_code == 200

    assert stored_figures(course.pk) == FIVE_ONLY
    assert_figures_exact(course.pk)
    detail = clients["anonymous"].get(f"/api/v1/courses/{course.pk}/").json()
    assert (detail["rating_count"], detail["average_rating"]) == (1, 5.0)
    assert listed(clients["anonymous"], course) == [five_stars.pk]
    mine = clients["instructor"].get("/api/v1/instructor/reviews/").json()
    assert [r["id"] for r in mine["results"]] == [five_stars.pk]

    edit = client_for(student).patch(f"/api/v1/reviews/{one_star.pk}/", {"rating": 1, "comment": "Still bad"})
    assert edit.status_code == 403
    assert edit.json()["code"] == "not_enrolled"
    assert Review.objects.get(pk=one_star.pk).comment == "Refunding this."
    reply = clients["instructor"].post(f"/api/v1/reviews/{one_star.pk}/reply/", {"body": "Sorry to hear"})
    assert reply.status_code == 404

    assert client_for(student).delete(f"/api/v1/reviews/{one_star.pk}/").status_code == 204
    assert stored_figures(course.pk) == FIVE_ONLY


def test_staff_revoking_and_restoring_an_enrollment_recounts(clients, student):
    course = PublishedCourseFactory()
    one_star = ReviewFactory(course=course, student=student, rating=1)
    ReviewFactory(course=course, rating=5)
    enrollment = Enrollment.objects.get(student=student, course=course)

    courses.enrollment_revoke(actor=None, enrollment=enrollment)

    assert stored_figures(course.pk) == FIVE_ONLY
    assert one_star.pk not in listed(clients["anonymous"], course)

    courses.enrollment_create(student=student, course=course)  # enrolled again: progress and review kept

    assert stored_figures(course.pk) == BOTH
    assert_figures_exact(course.pk)
    assert one_star.pk in listed(clients["anonymous"], course)
    edit = client_for(student).patch(f"/api/v1/reviews/{one_star.pk}/", {"rating": 2})
    assert edit.status_code == 200
    assert stored_figures(course.pk)[1] == Decimal("3.50")


def test_an_admin_can_still_delete_a_revoked_students_review(clients, student):
    course = PublishedCourseFactory()
    review = ReviewFactory(course=course, student=student, rating=1)
    courses.enrollment_revoke(actor=None, enrollment=Enrollment.objects.get(student=student, course=course))

    assert clients["admin"].delete(f"/api/v1/reviews/{review.pk}/").status_code == 204
    assert not Review.objects.filter(pk=review.pk).exists()
    assert stored_figures(course.pk) == (0, Decimal("0.00"), dict.fromkeys("12345", 0))


def test_a_revocation_without_a_review_leaves_the_figures_alone(student):
    course = PublishedCourseFactory()
    ReviewFactory(course=course, rating=5)
    enrollment = EnrollmentFactory(student=student, course=course)

    courses.enrollment_revoke(actor=None, enrollment=enrollment)

    assert stored_figures(course.pk) == FIVE_ONLY
    assert_figures_exact(course.pk)
