"""OWASP API3:2023 Broken Object Property Level Authorization: fields a caller may not set (role,
staff flags, owners, statuses, prices, counters) are ignored or rejected and never reach the
database; fields a caller may not read (lesson content, correct answers, e-mail addresses, hashes)
never reach the response. The matrix in test_api1 also scans every response it gets."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import User
from accounts.tests.factories import PASSWORD, StudentFactory
from conftest import client_for
from courses.models import Course
from courses.tests.factories import EnrollmentFactory, LessonFactory, PublishedCourseFactory, SectionFactory
from forum.models import Post
from payments.models import Coupon, Order
from quizzes.tests.factories import QuestionFactory, QuizFactory
from reviews.models import Review

pytestmark = pytest.mark.django_db

PRIVILEGES = {
    "role": "admin",
    "is_staff": True,
    "is_superuser": True,
    "is_active": True,
    "id": 1,
    "pk": 1,
    "date_joined": "2000-01-01T00:00:00Z",
    "last_login": "2000-01-01T00:00:00Z",
}


@pytest.mark.parametrize("path", ["/api/v1/auth/register/", "/api/v1/auth/instructors/register/"])
def test_sign_up_cannot_choose_role_or_staff_flags(anon_client, path):
    body = {"email": "climber@example.net", "password": "Long-enough-pass-42", "first_name": "C", "last_name": "L"}
    response = anon_client.post(path, {**body, **PRIVILEGES, "groups": [1], "user_permissions": [1]}, format="json")
    assert response.status_code in (201, 400), response.content
    user = User.objects.filter(email="climber@example.net").first()
    if response.status_code == 400:  # rejected outright is fine too
        assert user is None
        return
    expected_role = "instructor" if "instructors" in path else "student"
    assert (user.role, user.is_staff, user.is_superuser) == (expected_role, False, False)
    assert not user.groups.exists() and not user.user_permissions.exists()
    assert response.json()["user"]["role"] == expected_role


def test_profile_update_cannot_change_role_email_or_flags(student_client, student):
    payload = {**PRIVILEGES, "email": "taken-over@example.net", "password": "pwned-pass-123", "first_name": "Ok"}
    response = student_client.patch("/api/v1/auth/me/", payload, format="json")
    assert response.status_code in (200, 400), response.content
    student.refresh_from_db()
    assert (student.role, student.is_staff, student.is_superuser) == ("student", False, False)
    assert student.email != "taken-over@example.net"
    assert student.check_password(PASSWORD)
    assert response.json().get("role", "student") == "student"


def test_admin_user_update_only_changes_role_and_active(admin_client, student):
    before = User.objects.get(pk=student.pk)
    response = admin_client.patch(
        f"/api/v1/admin/users/{student.pk}/",
        {"is_staff": True, "is_superuser": True, "email": "renamed@example.net", "password": "x" * 20},
        format="json",
    )
    assert response.status_code == 200
    student.refresh_from_db()
    assert (student.is_staff, student.is_superuser, student.email) == (False, False, before.email)
    assert student.password == before.password


def test_course_create_ignores_owner_status_and_counters(instructor_client, instructor, other_instructor):
    forged = {
        "title": "My course",
        "price": "19.99",
        "instructor": other_instructor.pk,
        "instructor_id": other_instructor.pk,
        "status": "published",
        "published_at": "2020-01-01T00:00:00Z",
        "average_rating": "5.00",
        "rating_count": 999,
        "rating_distribution": {"5": 999},
        "enrollment_count": 100000,
        "lesson_count": 50,
        "slug": "x",
    }
    response = instructor_client.post("/api/v1/courses/", forged, format="json")
    assert response.status_code in (201, 400), response.content
    if response.status_code == 400:
        return
    course = Course.objects.get(pk=response.json()["id"])
    assert course.instructor_id == instructor.pk
    assert course.status == "draft" and course.published_at is None
    assert (course.enrollment_count, course.rating_count, course.lesson_count) == (0, 0, 0)
    assert course.average_rating == Decimal("0.00")


def test_course_update_ignores_owner_status_and_counters(instructor_client, instructor, other_instructor):
    course = PublishedCourseFactory(instructor=instructor)
    before = Course.objects.get(pk=course.pk)
    response = instructor_client.patch(
        f"/api/v1/courses/{course.pk}/",
        {"instructor": other_instructor.pk, "status": "archived", "enrollment_count": 500, "average_rating": "4.9"},
        format="json",
    )
    assert response.status_code in (200, 400), response.content
    course.refresh_from_db()
    assert course.instructor_id == instructor.pk
    assert course.status == before.status
    assert (course.enrollment_count, course.average_rating) == (before.enrollment_count, before.average_rating)


def test_review_is_by_the_caller_whatever_the_body_says(student, other_student):
    course = PublishedCourseFactory()
    EnrollmentFactory(student=student, course=course)
    response = client_for(student).post(
        f"/api/v1/courses/{course.pk}/reviews/",
        {"rating": 5, "student": other_student.pk, "course": 999999, "reply": {"body": "fake reply"}},
        format="json",
    )
    assert response.status_code == 201, response.content
    review = Review.objects.get(pk=response.json()["id"])
    assert (review.student_id, review.course_id) == (student.pk, course.pk)
    assert not hasattr(review, "reply") or review.reply is None


def test_forum_post_ignores_author_and_moderation_flags(student, other_student):
    course = PublishedCourseFactory()
    EnrollmentFactory(student=student, course=course)
    response = client_for(student).post(
        f"/api/v1/courses/{course.pk}/forum/posts/",
        {
            "title": "Hi",
            "body": "Hello",
            "author": other_student.pk,
            "is_pinned": True,
            "is_locked": True,
            "is_hidden": True,
            "vote_count": 1000,
            "comment_count": 50,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    post = Post.objects.get(pk=response.json()["id"])
    assert post.author_id == student.pk
    assert (post.is_pinned, post.is_locked, post.is_hidden, post.vote_count, post.comment_count) == (
        False,
        False,
        False,
        0,
        0,
    )


def test_coupon_counters_are_not_writable(instructor_client, instructor):
    course = PublishedCourseFactory(instructor=instructor, price=Decimal("50.00"))
    response = instructor_client.post(
        f"/api/v1/courses/{course.pk}/coupons/",
        {"code": "HALF", "percent_off": 50, "redemptions": -100, "reserved": -5, "course": 999999},
        format="json",
    )
    assert response.status_code == 201, response.content
    coupon = Coupon.objects.get(pk=response.json()["id"])
    assert (coupon.redemptions, coupon.reserved, coupon.course_id) == (0, 0, course.pk)


def test_checkout_amount_comes_from_the_course_not_the_body(stripe_emulator, student):
    course = PublishedCourseFactory(price=Decimal("49.99"))
    response = client_for(student).post(
        f"/api/v1/courses/{course.pk}/checkout/",
        {"amount": "0.01", "price": "0.01", "currency": "JPY", "discount": "49.98", "status": "paid"},
        format="json",
    )
    assert response.status_code == 201, response.content
    order = Order.objects.get(pk=response.json()["order_id"])
    assert (order.amount, order.currency, order.status) == (Decimal("49.99"), "USD", "pending")
    assert response.json()["amount"] == "49.99"
    assert not course.enrollments.filter(student=student).exists()


def test_attempt_submit_ignores_a_claimed_score(student):
    question = QuestionFactory(quiz=QuizFactory())
    EnrollmentFactory(student=student, course=question.quiz.course)
    client = client_for(student)
    attempt = client.post(f"/api/v1/quizzes/{question.quiz.pk}/attempts/").json()
    wrong = question.choices.get(is_correct=False)
    response = client.post(
        f"/api/v1/attempts/{attempt['id']}/submit/",
        {
            "answers": [{"question": question.pk, "choice_ids": [wrong.pk]}],
            "score": 100,
            "percent": 100,
            "passed": True,
            "max_score": 1,
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["passed"] is False
    assert Decimal(str(response.json()["score"])) == 0


def test_lesson_content_and_video_hidden_from_outsiders(other_student, student):
    section = SectionFactory(course=PublishedCourseFactory(lessons=0))
    lesson = LessonFactory(section=section, content="SECRET-LESSON-TEXT", video_url="https://v.example/secret.mp4")
    EnrollmentFactory(student=student, course=section.course)
    for client in (client_for(None), client_for(other_student)):
        for path in (
            f"/api/v1/lessons/{lesson.pk}/",
            f"/api/v1/sections/{section.pk}/lessons/",
            f"/api/v1/courses/{section.course.pk}/",
            f"/api/v1/courses/{section.course.pk}/sections/",
        ):
            response = client.get(path)
            assert response.status_code == 200
            assert b"SECRET-LESSON-TEXT" not in response.content, path
            assert b"secret.mp4" not in response.content, path
    assert b"SECRET-LESSON-TEXT" in client_for(student).get(f"/api/v1/lessons/{lesson.pk}/").content


def test_correct_answers_hidden_from_students_before_the_policy_allows(student):
    question = QuestionFactory(quiz=QuizFactory(show_correct_answers="after_submit"))
    EnrollmentFactory(student=student, course=question.quiz.course)
    client = client_for(student)
    for response in (
        client.get(f"/api/v1/quizzes/{question.quiz.pk}/"),
        client.post(f"/api/v1/quizzes/{question.quiz.pk}/attempts/"),
    ):
        assert response.status_code in (200, 201), response.content
        assert b"is_correct" not in response.content or b'"is_correct":null' in response.content.replace(b" ", b"")
        assert b'"is_correct":true' not in response.content.replace(b" ", b"")


def test_course_pages_do_not_carry_the_instructors_email(anon_client, instructor):
    course = PublishedCourseFactory(instructor=instructor)
    for path in (f"/api/v1/courses/{course.pk}/", "/api/v1/courses/", f"/api/v1/courses/{course.pk}/reviews/"):
        assert instructor.email.encode() not in anon_client.get(path).content, path


def test_quiz_results_do_not_carry_students_emails(instructor):
    """The course's instructor sees scores, not contact details (e-mail is personal data the
    contract does not give instructors anywhere else)."""
    quiz = QuizFactory(course=PublishedCourseFactory(instructor=instructor))
    QuestionFactory(quiz=quiz)
    learner = StudentFactory()
    EnrollmentFactory(student=learner, course=quiz.course)
    client_for(learner).post(f"/api/v1/quizzes/{quiz.pk}/attempts/")
    response = client_for(instructor).get(f"/api/v1/quizzes/{quiz.pk}/results/")
    assert response.status_code == 200
    assert learner.email.encode() not in response.content


def test_public_certificate_verification_shows_no_contact_details():
    from certificates.tests.factories import CertificateFactory

    certificate = CertificateFactory()
    response = client_for(None).get(f"/api/v1/certificates/verify/{certificate.verification_code}/")
    assert response.status_code == 200
    assert certificate.student.email.encode() not in response.content
    assert not [key for key in response.json() if "email" in key or key in ("student", "student_id")]


def test_order_output_hides_provider_secrets(student):
    order = Order.objects.create(
        student=student,
        course=PublishedCourseFactory(price=Decimal("10.00")),
        list_price=Decimal("10.00"),
        amount=Decimal("10.00"),
        currency="USD",
        status="paid",
        paid_at=timezone.now(),
        payment_intent_id="pi_3NqPrivate0001",
    )
    response = client_for(student).get(f"/api/v1/orders/{order.pk}/")
    assert response.status_code == 200
    assert b"client_secret" not in response.content  # only checkout hands it out, to the buyer
