"""The course's average_rating, rating_count and rating_distribution after every create, edit and
delete, compared each time with a fresh computation from the review rows."""

import random
from decimal import Decimal

import pytest

from accounts.tests.factories import StudentFactory
from conftest import client_for
from courses.models import Course
from courses.tests.factories import EnrollmentFactory, PublishedCourseFactory
from reviews import services
from reviews.models import Review

from .factories import ReviewFactory, assert_figures_exact, fresh_figures, stored_figures

pytestmark = pytest.mark.django_db

EMPTY = {"1": 0, "2": 0, "3": 0, "4": 0, "5": 0}


def _enrolled_clients(course, n):
    students = StudentFactory.create_batch(n)
    for student in students:
        EnrollmentFactory(student=student, course=course)
    return [client_for(student) for student in students]


def test_a_new_course_has_empty_figures():
    course = PublishedCourseFactory()
    assert stored_figures(course.pk) == (0, Decimal("0.00"), EMPTY)


def test_api_sequence_of_creates_edits_and_deletes_keeps_the_figures_exact():
    course = PublishedCourseFactory()
    a, b, c = _enrolled_clients(course, 3)
    url = f"/api/v1/courses/{course.pk}/reviews/"

    ids = {}
    for name, client, rating in (("a", a, 5), ("b", b, 4), ("c", c, 4)):
        response = client.post(url, {"rating": rating, "comment": f"by {name}"})
        assert response.status_code == 201, response.content
        ids[name] = response.json()["id"]
        assert_figures_exact(course.pk)
    assert stored_figures(course.pk) == (3, Decimal("4.33"), {**EMPTY, "4": 2, "5": 1})

    assert a.patch(f"/api/v1/reviews/{ids['a']}/", {"rating": 1}).status_code == 200
    assert stored_figures(course.pk) == (3, Decimal("3.00"), {**EMPTY, "1": 1, "4": 2})
    assert_figures_exact(course.pk)

    # A comment-only edit, a rejected edit and a rejected second review leave the figures alone.
    assert b.patch(f"/api/v1/reviews/{ids['b']}/", {"comment": "changed my mind"}).status_code == 200
    assert b.patch(f"/api/v1/reviews/{ids['b']}/", {"rating": 9}).status_code == 400
    assert b.post(url, {"rating": 1}).status_code == 409
    assert stored_figures(course.pk) == (3, Decimal("3.00"), {**EMPTY, "1": 1, "4": 2})

    assert c.patch(f"/api/v1/reviews/{ids['c']}/", {"rating": 5, "comment": "even better"}).status_code == 200
    assert stored_figures(course.pk) == (3, Decimal("3.33"), {**EMPTY, "1": 1, "4": 1, "5": 1})

    assert a.delete(f"/api/v1/reviews/{ids['a']}/").status_code == 204
    assert stored_figures(course.pk) == (2, Decimal("4.50"), {**EMPTY, "4": 1, "5": 1})
    assert_figures_exact(course.pk)

    # The author may review again after deleting.
    assert a.post(url, {"rating": 2}).status_code == 201
    assert stored_figures(course.pk) == (3, Decimal("3.67"), {**EMPTY, "2": 1, "4": 1, "5": 1})

    for name, client in (("b", b), ("c", c)):
        assert client.delete(f"/api/v1/reviews/{ids[name]}/").status_code == 204
        assert_figures_exact(course.pk)
    assert stored_figures(course.pk) == (1, Decimal("2.00"), {**EMPTY, "2": 1})
    Review.objects.filter(course=course).delete()  # bypasses the services: refresh puts things right
    services.course_rating_refresh(course_id=course.pk)
    assert stored_figures(course.pk) == (0, Decimal("0.00"), EMPTY)


@pytest.mark.parametrize(
    ("ratings", "average"),
    [
        ([5, 4, 4], "4.33"),
        ([5, 5, 4], "4.67"),
        ([1, 2], "1.50"),
        ([1, 1, 2], "1.33"),
        ([3, 4, 4, 4, 4, 4, 4, 4], "3.88"),  # 3.875 rounds half up
        ([5] * 7, "5.00"),
    ],
)
def test_average_is_rounded_half_up_to_two_places(ratings, average):
    course = PublishedCourseFactory()
    for rating in ratings:
        ReviewFactory(course=course, rating=rating)
    assert stored_figures(course.pk)[:2] == (len(ratings), Decimal(average))
    assert_figures_exact(course.pk)


def test_random_sequence_on_two_courses_stays_exact_after_every_step():
    rng = random.Random(20261130)
    courses = [PublishedCourseFactory(), PublishedCourseFactory()]
    students = StudentFactory.create_batch(8)
    for course in courses:
        for student in students:
            EnrollmentFactory(student=student, course=course)

    for _ in range(60):
        course, student = rng.choice(courses), rng.choice(students)
        review = Review.objects.filter(course=course, student=student).first()
        if review is None:
            services.review_create(course=course, student=student, rating=rng.randint(1, 5))
        elif rng.random() < 0.6:
            services.review_update(review=review, actor=student, data={"rating": rng.randint(1, 5)})
        else:
            services.review_delete(review=review, actor=student)
        for each in courses:
            assert_figures_exact(each.pk)


def test_a_stale_course_instance_never_overwrites_current_figures():
    course = PublishedCourseFactory()
    stale = Course.objects.get(pk=course.pk)  # read before any review exists
    for rating in (5, 5, 1):
        ReviewFactory(course=course, rating=rating)
    student = StudentFactory()
    EnrollmentFactory(student=student, course=course)

    services.review_create(course=stale, student=student, rating=3)

    assert stored_figures(course.pk) == (4, Decimal("3.50"), {**EMPTY, "1": 1, "3": 1, "5": 2})


def test_figures_are_shown_on_the_course_detail(clients):
    course = PublishedCourseFactory()
    for rating in (2, 5, 5):
        ReviewFactory(course=course, rating=rating)
    body = clients["anonymous"].get(f"/api/v1/courses/{course.pk}/").json()
    assert body["rating_count"] == 3
    assert Decimal(str(body["average_rating"])) == Decimal("4.00")
    assert body["rating_distribution"] == {**EMPTY, "2": 1, "5": 2}


def test_catalog_ordering_by_rating_follows_the_stored_figures(clients):
    low, mid, high, unrated = (PublishedCourseFactory() for _ in range(4))
    for course, ratings in ((low, [1, 2]), (mid, [3, 3]), (high, [5, 5, 4])):
        for rating in ratings:
            ReviewFactory(course=course, rating=rating)

    def catalog_order():
        response = clients["anonymous"].get("/api/v1/courses/?ordering=-average_rating&page_size=100")
        assert response.status_code == 200, response.content
        return [c["id"] for c in response.json()["results"] if c["id"] in {low.pk, mid.pk, high.pk, unrated.pk}]

    assert catalog_order() == [high.pk, mid.pk, low.pk, unrated.pk]

    # Turn the order around through the API; the catalog follows at once.
    review = Review.objects.get(course=low, rating=1)
    assert client_for(review.student).patch(f"/api/v1/reviews/{review.pk}/", {"rating": 5}).status_code == 200
    for review in Review.objects.filter(course=high):
        assert client_for(review.student).delete(f"/api/v1/reviews/{review.pk}/").status_code == 204
    # Ties (both 0.00) fall back to the newest course first.
    assert catalog_order() == [low.pk, mid.pk, unrated.pk, high.pk]
    assert fresh_figures(high.pk) == stored_figures(high.pk) == (0, Decimal("0.00"), EMPTY)
    stored = {c.pk: c.average_rating for c in Course.objects.filter(pk__in=[low.pk, mid.pk, high.pk, unrated.pk])}
    assert stored == {low.pk: Decimal("3.50"), mid.pk: Decimal("3.00"), high.pk: Decimal("0.00"), unrated.pk: 0}
