"""OWASP API6:2023 Unrestricted Access to Sensitive Business Flows: a coupon beyond its limit, a
paid course without paying, a quiz submitted twice, a refund twice: each is the right 4xx and
leaves no extra rows behind."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.tests.factories import StudentFactory
from conftest import client_for
from courses.models import Enrollment
from courses.tests.factories import EnrollmentFactory, PublishedCourseFactory
from payments.models import Coupon, Order
from payments.tests.helpers import pay
from quizzes.models import Attempt
from quizzes.tests.factories import QuestionFactory, QuizFactory

from .world import paid_order

pytestmark = pytest.mark.django_db


def test_a_paid_course_cannot_be_enrolled_in_without_paying(student):
    course = PublishedCourseFactory(price=Decimal("49.99"))
    client = client_for(student)
    response = client.post(f"/api/v1/courses/{course.pk}/enroll/")
    assert response.status_code == 402, response.content
    assert response.json()["detail"]
    assert not Enrollment.objects.filter(course=course).exists()
    # Nor through the lesson, quiz or certificate side doors.
    lesson = course.lessons.first()
    assert client.post(f"/api/v1/lessons/{lesson.pk}/complete/").status_code in (403, 404)
    assert client.post("/api/v1/me/certificates/", {"course": course.pk}, format="json").status_code in (403, 404)
    assert not Enrollment.objects.filter(course=course).exists()


def test_a_pending_order_does_not_give_access(stripe_emulator, student):
    course = PublishedCourseFactory(price=Decimal("49.99"))
    client = client_for(student)
    assert client.post(f"/api/v1/courses/{course.pk}/checkout/").status_code == 201
    assert client.post(f"/api/v1/courses/{course.pk}/checkout/").status_code == 201  # the same pending order
    assert Order.objects.filter(student=student, course=course).count() == 1
    assert not Enrollment.objects.filter(course=course, student=student).exists()
    assert client.get(f"/api/v1/courses/{course.pk}/progress/").status_code == 403


def test_a_coupon_is_not_used_beyond_its_limit(stripe_emulator):
    coupon = Coupon.objects.create(
        course=PublishedCourseFactory(price=Decimal("50.00")), code="ONCE", percent_off=50, max_redemptions=1
    )
    first, second = StudentFactory(), StudentFactory()
    response = client_for(first).post(f"/api/v1/courses/{coupon.course_id}/checkout/", {"coupon": "ONCE"})
    assert response.status_code == 201, response.content
    assert response.json()["amount"] == "25.00"
    pay(Order.objects.get(pk=response.json()["order_id"]))

    response = client_for(second).post(f"/api/v1/courses/{coupon.course_id}/checkout/", {"coupon": "ONCE"})
    assert response.status_code in (400, 409), response.content
    assert "coupon" in response.json() or response.json().get("code")
    coupon.refresh_from_db()
    assert coupon.redemptions == 1
    assert not Order.objects.filter(student=second).exists()


def test_the_same_buyer_cannot_use_a_coupon_twice(stripe_emulator, student):
    coupon = Coupon.objects.create(course=PublishedCourseFactory(price=Decimal("50.00")), code="AGAIN", percent_off=50)
    client = client_for(student)
    response = client.post(f"/api/v1/courses/{coupon.course_id}/checkout/", {"coupon": "AGAIN"})
    assert response.status_code == 201
    pay(Order.objects.get(pk=response.json()["order_id"]))
    again = client.post(f"/api/v1/courses/{coupon.course_id}/checkout/", {"coupon": "AGAIN"})
    assert again.status_code == 409, again.content
    coupon.refresh_from_db()
    assert coupon.redemptions == 1
    assert Order.objects.filter(student=student).count() == 1


def test_an_expired_or_inactive_coupon_is_refused(stripe_emulator, student):
    course = PublishedCourseFactory(price=Decimal("50.00"))
    Coupon.objects.create(course=course, code="OLD", percent_off=50, expires_at=timezone.now())
    Coupon.objects.create(course=course, code="OFF", percent_off=50, active=False)
    for code in ("OLD", "OFF", "NOPE"):
        response = client_for(student).post(f"/api/v1/courses/{course.pk}/checkout/", {"coupon": code})
        assert response.status_code == 400, (code, response.content)
        assert "coupon" in response.json()
    assert not Order.objects.filter(student=student).exists()


def test_a_coupon_of_another_course_does_not_apply(stripe_emulator, student):
    Coupon.objects.create(course=PublishedCourseFactory(price=Decimal("50.00")), code="ELSEWHERE", percent_off=90)
    course = PublishedCourseFactory(price=Decimal("50.00"))
    response = client_for(student).post(f"/api/v1/courses/{course.pk}/checkout/", {"coupon": "ELSEWHERE"})
    assert response.status_code == 400
    assert not Order.objects.filter(student=student).exists()


def test_a_quiz_attempt_is_submitted_once(student):
    question = QuestionFactory(quiz=QuizFactory(max_attempts=1))
    EnrollmentFactory(student=student, course=question.quiz.course)
    client = client_for(student)
    attempt = client.post(f"/api/v1/quizzes/{question.quiz.pk}/attempts/").json()
    wrong = {"answers": [{"question": question.pk, "choice_ids": [question.choices.get(is_correct=False).pk]}]}
    right = {"answers": [{"question": question.pk, "choice_ids": [question.choices.get(is_correct=True).pk]}]}
    first = client.post(f"/api/v1/attempts/{attempt['id']}/submit/", wrong, format="json")
    assert first.status_code == 200 and first.json()["passed"] is False
    second = client.post(f"/api/v1/attempts/{attempt['id']}/submit/", right, format="json")
    assert second.status_code == 409, second.content
    saved = client.patch(f"/api/v1/attempts/{attempt['id']}/", right, format="json")
    assert saved.status_code == 409
    graded = Attempt.objects.get(pk=attempt["id"])
    assert graded.passed is False
    # max_attempts=1: no new attempt either
    assert client.post(f"/api/v1/quizzes/{question.quiz.pk}/attempts/").status_code == 403
    assert Attempt.objects.filter(student=student).count() == 1


def test_a_refund_happens_once(student):
    order = paid_order(student)
    course = order.course
    client = client_for(student)
    assert client.post(f"/api/v1/orders/{order.pk}/refund/").status_code == 200
    again = client.post(f"/api/v1/orders/{order.pk}/refund/")
    assert again.status_code == 409, again.content
    order.refresh_from_db()
    assert order.status == "refunded"
    assert not Enrollment.objects.filter(student=student, course=course, status="active").exists()
    assert Order.objects.filter(student=student).count() == 1


def test_refund_through_stripe_happens_once(stripe_emulator, student):
    from payments.tests.helpers import buy_through_emulator

    order = buy_through_emulator(student, PublishedCourseFactory(price=Decimal("20.00")))
    client = client_for(student)
    assert client.post(f"/api/v1/orders/{order.pk}/refund/").status_code == 200
    assert client.post(f"/api/v1/orders/{order.pk}/refund/").status_code == 409
    order.refresh_from_db()
    assert order.status == "refunded"


def test_a_review_is_written_once(student):
    course = PublishedCourseFactory()
    EnrollmentFactory(student=student, course=course)
    client = client_for(student)
    assert client.post(f"/api/v1/courses/{course.pk}/reviews/", {"rating": 5}).status_code == 201
    assert client.post(f"/api/v1/courses/{course.pk}/reviews/", {"rating": 5}).status_code == 409
    course.refresh_from_db()
    assert course.rating_count == 1


def test_a_vote_toggles_and_is_never_counted_twice(student):
    from forum import services

    course = PublishedCourseFactory()
    EnrollmentFactory(student=student, course=course)
    post = services.post_create(course=course, author=student, title="T", body="B")
    client = client_for(student)
    counts = [client.post(f"/api/v1/forum/posts/{post.pk}/upvote/").json()["vote_count"] for _ in range(3)]
    assert counts == [1, 0, 1]
