"""A stretch of platform life driven only through the real services (and the sign-up and login
endpoints), which leaves at least one notification of every type that is sent and one activity
event of every verb. The schema tests hold each of them up against its documented shape, so a
service that starts sending a key the schema does not declare (or stops sending one) fails there."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import User
from accounts.tests.factories import AdminFactory, InstructorFactory, StudentFactory
from assignments import services as assignments
from courses import services as courses
from courses.models import Enrollment
from courses.tests.factories import PublishedCourseFactory
from forum import services as forum
from notifications import services as notifications
from payments import services as payments
from payments.tests.factories import CouponFactory
from payments.tests.helpers import charge_object, event
from privacy import services as privacy
from quizzes import services as quizzes
from reviews import services as reviews
from schedules import reminders
from schedules import services as schedules

PASSWORD = "a-long-enough-password-1"


def _sign_up_and_log_in() -> User:
    client = APIClient()
    body = {"email": "journey@example.com", "password": PASSWORD, "first_name": "Jo", "last_name": "Urney"}
    assert client.post("/api/v1/auth/register/", body).status_code == 201
    login = {"email": body["email"], "password": PASSWORD}
    assert client.post("/api/v1/auth/login/", login).status_code == 200
    return User.objects.get(email=body["email"])


def run_journey() -> None:
    """Run inside `django_capture_on_commit_callbacks(execute=True)`: deliveries, certificates and
    announcements are queued on commit."""
    student = _sign_up_and_log_in()
    classmate = StudentFactory()
    instructor = InstructorFactory()
    course = PublishedCourseFactory(instructor=instructor, lessons=0)
    for who in (student, classmate):
        courses.enrollment_create(student=who, course=course)

    section = courses.section_create(actor=None, course=course, title="Basics")
    lesson = courses.lesson_create(actor=None, section=section, title="Variables")  # course_updated

    quiz = quizzes.quiz_create(actor=None, course=course, title="Check", is_required=False)
    question = quizzes.question_create(
        actor=None,
        quiz=quiz,
        type="single_choice",
        text="2 + 2?",
        choices=[{"text": "4", "is_correct": True}, {"text": "5"}],
    )
    attempt, _ = quizzes.attempt_start(student=student, quiz=quiz)
    right = question.choices.get(is_correct=True).pk
    quizzes.attempt_submit(actor=student, attempt=attempt, answers=[{"question": question.pk, "choice_ids": [right]}])

    courses.lesson_complete(student=student, lesson=lesson)  # completes the course: a certificate

    post = forum.post_create(course=course, author=student, title="Stuck", body="On lesson 1.")
    comment = forum.comment_create(post=post, author=classmate, body="Read it twice.")  # forum_reply
    forum.report_create(reporter=student, reason="Rude", comment=comment)
    forum.report_create(reporter=classmate, reason="Off topic", post=post)

    review = reviews.review_create(course=course, student=student, rating=5)
    reviews.reply_create(review=review, author=instructor, body="Thank you!")

    notifications.announcement_create(course=course, author=instructor, title="Welcome", body="Lesson 2 soon.")

    essay = assignments.assignment_create(actor=instructor, section=section, title="Essay", points=10)
    submission = assignments.submission_create(
        student=student, assignment=essay, text="My essay."
    )  # submission_received
    assignments.submission_grade(actor=instructor, submission=submission, score=8, feedback="Good")  # assignment_graded

    run = PublishedCourseFactory(instructor=instructor)
    now = timezone.now()
    cohort = schedules.cohort_create(
        actor=None, course=run, name="Spring", starts_at=now + timedelta(days=1), ends_at=now + timedelta(days=60),
        capacity=1,
    )  # fmt: skip
    courses.enrollment_create(student=classmate, course=run, cohort=cohort.pk)
    courses.enrollment_create(student=student, course=run, cohort=cohort.pk, waitlist=True)  # the waitlist
    seat = Enrollment.objects.get(student=classmate, course=run)
    courses.enrollment_revoke(actor=None, enrollment=seat)  # cohort_seat_offered
    schedules.live_session_create(
        actor=instructor, course=course, title="Office hours", starts_at=now + timedelta(minutes=30),
        duration_minutes=45, join_url="https://meet.example.com/office-hours",
    )  # fmt: skip
    schedules.live_session_reminders_send()  # live_session_soon
    courses.enrollment_create(student=student, course=run, cohort=cohort.pk)  # claims the seat offered
    reminders.cohort_starting_send()  # cohort_starting
    assignments.assignment_create(actor=instructor, section=section, title="Project", due_at=now + timedelta(hours=2))
    reminders.due_soon_send()  # due_soon
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    opened = midnight - timedelta(hours=23)  # yesterday (UTC): in today's digest
    courses.lesson_create(actor=instructor, section=section, title="Week 2", available_from=opened)
    reminders.content_released_send()  # content_released

    paid = PublishedCourseFactory(instructor=instructor, price=Decimal("49.99"))
    coupon = CouponFactory(course=paid, percent_off=100)
    order = payments.checkout_start(student=student, course=paid, coupon_code=coupon.code)  # paid at once
    charge = {**charge_object(order), "metadata": {"order_id": str(order.pk)}}
    refund = event("charge.refunded", charge)
    payments.webhook_event_process(event_id=refund["id"], event_type=refund["type"], obj=charge)

    privacy.data_export_request(actor=student, user=student)  # data_export_ready, once built (on commit)

    courses.enrollment_revoke(actor=None, enrollment=Enrollment.objects.get(student=classmate, course=course))
    courses.course_remove(actor=AdminFactory(), course=course, reason="Copied material.")
