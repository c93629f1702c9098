"""Concurrent review writes on PostgreSQL: threads released together by a barrier, each with its
own API client and its own database connection, so the database (not Python) decides the race."""

import threading
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.db import connection, transaction

from accounts.tests.factories import StudentFactory
from conftest import client_for
from courses.models import Enrollment
from courses.services import enrollment_create, enrollment_revoke
from courses.tests.factories import EnrollmentFactory, PublishedCourseFactory
from lms.testing import run_together, wait_for_a_lock_waiter
from reviews import services
from reviews.models import InstructorReply, Review

from .factories import ReviewFactory, assert_figures_exact, stored_figures

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

RATINGS = [5, 5, 5, 4, 4, 4, 4, 3, 3, 2, 1, 5, 5, 4, 3, 2, 5, 4, 5, 1]  # 20 reviews


def race(requests) -> list:
    """The response status codes of run_together (or the exception a request raised)."""
    return [getattr(r, "status_code", r) for r in run_together(requests)]


def _enrolled_clients(course, n):
    clients = []
    for _ in range(n):
        student = StudentFactory()
        EnrollmentFactory(student=student, course=course)
        clients.append(client_for(student))  # tokens made before the race
    return clients


def test_twenty_concurrent_reviews_give_exact_figures(postgres):
    course = PublishedCourseFactory()
    clients = _enrolled_clients(course, len(RATINGS))
    url = f"/api/v1/courses/{course.pk}/reviews/"

    statuses = race(
        [
            lambda c=c, r=r: c.post(url, {"rating": r, "comment": f"{r} stars"})
            for c, r in zip(clients, RATINGS, strict=True)
        ]
    )

    assert statuses == [201] * len(RATINGS), statuses
    expected_average = (Decimal(sum(RATINGS)) / len(RATINGS)).quantize(Decimal("0.01"), ROUND_HALF_UP)
    expected_distribution = {str(s): RATINGS.count(s) for s in range(1, 6)}
    assert stored_figures(course.pk) == (20, expected_average, expected_distribution)
    assert expected_average == Decimal("3.70")
    assert_figures_exact(course.pk)
    assert Review.objects.filter(course=course).count() == 20


def test_concurrent_duplicate_reviews_by_one_student_make_one(postgres, student):
    course = PublishedCourseFactory()
    EnrollmentFactory(student=student, course=course)
    clients = [client_for(student) for _ in range(8)]
    url = f"/api/v1/courses/{course.pk}/reviews/"

    statuses = race([lambda c=c, i=i: c.post(url, {"rating": i % 5 + 1}) for i, c in enumerate(clients)])

    assert sorted(statuses, key=str) == [201] + [409] * 7, statuses
    assert Review.objects.filter(course=course, student=student).count() == 1
    assert stored_figures(course.pk)[0] == 1
    assert_figures_exact(course.pk)


def test_concurrent_creates_edits_and_deletes_give_exact_figures(postgres):
    course = PublishedCourseFactory()
    existing = [ReviewFactory(course=course, rating=r) for r in (1, 2, 3, 4, 5, 1, 2, 3, 4, 5)]
    newcomers = _enrolled_clients(course, 5)
    url = f"/api/v1/courses/{course.pk}/reviews/"
    requests = []
    for review in existing[:5]:
        author = client_for(review.student)
        requests.append(lambda a=author, r=review: a.patch(f"/api/v1/reviews/{r.pk}/", {"rating": 6 - r.rating}))
    for review in existing[5:]:
        author = client_for(review.student)
        requests.append(lambda a=author, r=review: a.delete(f"/api/v1/reviews/{r.pk}/"))
    for i, client in enumerate(newcomers):
        requests.append(lambda c=client, i=i: c.post(url, {"rating": i + 1}))

    statuses = race(requests)

    assert statuses == [200] * 5 + [204] * 5 + [201] * 5, statuses
    # Edited 1..5 -> 5..1, deleted the second 1..5, created 1..5.
    assert stored_figures(course.pk) == (10, Decimal("3.00"), {str(s): 2 for s in range(1, 6)})
    assert_figures_exact(course.pk)


def test_concurrent_replies_to_one_review_make_one(postgres, instructor):
    course = PublishedCourseFactory(instructor=instructor)
    review = ReviewFactory(course=course)
    clients = [client_for(instructor) for _ in range(6)]
    url = f"/api/v1/reviews/{review.pk}/reply/"

    statuses = race([lambda c=c, i=i: c.post(url, {"body": f"reply {i}"}) for i, c in enumerate(clients)])

    assert sorted(statuses, key=str) == [201] + [409] * 5, statuses
    assert InstructorReply.objects.filter(review=review).count() == 1


def test_an_edit_racing_a_delete_of_the_same_review_is_not_a_500(postgres):
    """The author edits while an admin deletes: the edit must end as 404 (gone), never a 500, and
    the figures must stay exact. The delete holds the course lock until the edit is waiting for it,
    so the interleaving is the same on every run."""
    course = PublishedCourseFactory()
    review = ReviewFactory(course=course, rating=2)
    ReviewFactory(course=course, rating=4)
    author = client_for(review.student)
    deleted, release = threading.Event(), threading.Event()
    outcome: dict = {}

    def delete_and_hold():
        try:
            with transaction.atomic():
                services.review_delete(review=Review.objects.get(pk=review.pk), actor=review.student)
                deleted.set()
                release.wait(timeout=15)
        finally:
            connection.close()

    def edit():
        try:
            outcome["status"] = author.patch(f"/api/v1/reviews/{review.pk}/", {"rating": 5}).status_code
        except Exception as exc:
            outcome["status"] = exc
        finally:
            connection.close()

    holder = threading.Thread(target=delete_and_hold)
    holder.start()
    assert deleted.wait(timeout=10)
    editor = threading.Thread(target=edit)
    editor.start()
    try:
        assert wait_for_a_lock_waiter(), "the request never waited for the course lock"
    finally:
        release.set()
        holder.join(timeout=20)
        editor.join(timeout=20)

    assert_figures_exact(course.pk)
    assert outcome["status"] == 404, outcome


def test_ten_students_each_posting_twice_at_once_make_ten_reviews_and_exact_figures(postgres):
    course = PublishedCourseFactory()
    ratings = [5, 4, 4, 3, 5, 1, 2, 5, 4, 3]
    clients = _enrolled_clients(course, len(ratings))
    url = f"/api/v1/courses/{course.pk}/reviews/"
    requests = [lambda c=c, r=r: c.post(url, {"rating": r}) for c, r in zip(clients, ratings, strict=True)]

    statuses = race(requests + requests)  # every student twice, all at once

    assert sorted(statuses, key=str) == [201] * 10 + [409] * 10, statuses
    for i in range(len(ratings)):
        assert sorted([statuses[i], statuses[i + len(ratings)]]) == [201, 409]  # once per student
    assert Review.objects.filter(course=course).count() == 10
    average = (Decimal(sum(ratings)) / len(ratings)).quantize(Decimal("0.01"), ROUND_HALF_UP)
    assert stored_figures(course.pk) == (10, average, {str(s): ratings.count(s) for s in range(1, 6)})
    assert_figures_exact(course.pk)


def test_a_revocation_waits_for_a_review_being_written_and_leaves_it_out(postgres, student):
    """The student's review is being written (the course row locked) when their enrollment is
    revoked (a refund): the revocation's recount waits for the lock, then leaves the review out.
    Deterministic: the review's transaction is held open until the revocation waits."""
    course = PublishedCourseFactory()
    enrollment = EnrollmentFactory(student=student, course=course)
    ReviewFactory(course=course, rating=5)
    written, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def review_and_hold():
        try:
            with transaction.atomic():
                services.review_create(course=course, student=student, rating=1)
                written.set()
                release.wait(timeout=15)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    def revoke():
        try:
            enrollment_revoke(actor=None, enrollment=enrollment)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    writer = threading.Thread(target=review_and_hold)
    writer.start()
    assert written.wait(timeout=10)
    revoker = threading.Thread(target=revoke)
    revoker.start()
    try:
        assert wait_for_a_lock_waiter(), "the revocation never waited for the course lock"
    finally:
        release.set()
        writer.join(timeout=20)
        revoker.join(timeout=20)

    assert not errors, errors
    assert Review.objects.filter(course=course, student=student).exists()  # kept, not counted
    assert stored_figures(course.pk) == (1, Decimal("5.00"), {"1": 0, "2": 0, "3": 0, "4": 0, "5": 1})
    assert_figures_exact(course.pk)


def test_revocations_restorations_and_edits_racing_give_exact_figures(postgres):
    course = PublishedCourseFactory()
    reviews = [ReviewFactory(course=course, rating=r) for r in (1, 2, 3, 4, 5, 5, 4, 3)]
    enrollments = [Enrollment.objects.get(student_id=r.student_id, course=course) for r in reviews]
    for enrollment in enrollments[4:]:
        enrollment_revoke(actor=None, enrollment=enrollment)

    calls = [lambda e=e: enrollment_revoke(actor=None, enrollment=e) for e in enrollments[:4]]
    calls += [lambda r=r: enrollment_create(student=r.student, course=course) for r in reviews[4:]]
    calls += [lambda r=r: services.review_update(review=r, actor=r.student, data={"rating": 5}) for r in reviews[4:]]
    results = run_together(calls)

    # An edit may run before its author is enrolled again: refused (403), never a 500.
    unexpected = [r for r in results if isinstance(r, BaseException) and getattr(r, "code", "") != "not_enrolled"]
    assert not unexpected, unexpected
    assert stored_figures(course.pk)[0] == 4
    assert_figures_exact(course.pk)
