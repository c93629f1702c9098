"""Every event type, caused by the service that causes it in production, records one event with the
documented `data` (webhooks.payloads, the README's table): the ids and plain fields of its subject."""

from decimal import Decimal

import pytest

from accounts import services as accounts
from assignments import services as assignments
from assignments.tests.factories import AssignmentFactory
from certificates import services as certificates
from courses import services as courses
from courses.tests.factories import EnrollmentFactory, PublishedCourseFactory
from lms.events import EVENT_TYPES
from payments import services as payments
from payments.tests.factories import OrderFactory
from payments.tests.helpers import charge_object, event, pay
from reviews import services as reviews
from webhooks import payloads
from webhooks.models import Event

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def every_type(make_endpoint):
    """An endpoint that wants every event (it is never sent one here: no drain runs)."""
    return make_endpoint("https://93.184.215.14/all", events=list(EVENT_TYPES))


def recorded(event_type: str) -> dict:
    [event] = Event.objects.filter(type=event_type)
    assert set(event.data) == set(payloads.fields(event_type)), "the data's fields are the documented ones"
    return event.data


def test_every_type_has_a_documented_builder():
    assert set(payloads.BUILDERS) == set(EVENT_TYPES)
    for event_type in EVENT_TYPES:
        assert all(text.strip() for text in payloads.fields(event_type).values()), event_type


def test_user_created_by_sign_up():
    user = accounts.user_create(email="ada@example.com", password="Correct-Horse-42", first_name="Ada", last_name="L")
    data = recorded("user.created")
    assert data == {
        "user_id": user.pk,
        "email": "ada@example.com",
        "first_name": "Ada",
        "last_name": "L",
        "role": "student",
        "language": user.language or "",
        "date_joined": payloads.iso(user.date_joined),
    }
    assert "password" not in str(data)


def test_enrollment_created_completed_and_revoked(student):
    course = PublishedCourseFactory(lessons=1)
    enrollment = courses.enrollment_create(student=student, course=course)
    data = recorded("enrollment.created")
    assert data["enrollment_id"] == enrollment.pk and data["student_id"] == student.pk
    assert (data["course_id"], data["source"], data["status"]) == (course.pk, "free", "active")
    assert data["completed_at"] is None and data["revoked_at"] is None

    courses.lesson_complete(student=student, lesson=course.lessons.get())
    data = recorded("enrollment.completed")
    enrollment.refresh_from_db()
    assert data["enrollment_id"] == enrollment.pk
    assert data["completed_at"] == payloads.iso(enrollment.completed_at) is not None

    courses.enrollment_revoke(actor=None, enrollment=enrollment)
    data = recorded("enrollment.revoked")
    enrollment.refresh_from_db()
    assert (data["enrollment_id"], data["status"]) == (enrollment.pk, "revoked")
    assert data["revoked_at"] == payloads.iso(enrollment.revoked_at) is not None


def test_order_paid_and_refunded():
    order = pay(OrderFactory(course=PublishedCourseFactory(price=Decimal("49.99"))))
    data = recorded("order.paid")
    assert data == {
        "order_id": str(order.pk),
        "student_id": order.student_id,
        "course_id": order.course_id,
        "status": "paid",
        "list_price": "49.99",
        "discount": "0.00",
        "amount": "49.99",
        "currency": order.currency,
        "coupon_id": None,
        "created_at": payloads.iso(order.created_at),
        "paid_at": payloads.iso(order.paid_at),
        "refunded_at": None,
    }
    assert recorded("enrollment.created")["source"] == "paid"  # paying enrolled the student

    refund = event("charge.refunded", charge_object(order))
    payments.webhook_event_process(event_id=refund["id"], event_type=refund["type"], obj=refund["data"]["object"])
    order.refresh_from_db()
    data = recorded("order.refunded")
    assert (data["order_id"], data["status"]) == (str(order.pk), "refunded")
    assert data["refunded_at"] == payloads.iso(order.refunded_at) is not None
    assert recorded("enrollment.revoked")["student_id"] == order.student_id
    assert "client_secret" not in str(Event.objects.values_list("data", flat=True))


def test_certificate_issued_and_revoked(student, settings):
    course = PublishedCourseFactory(lessons=1)
    enrollment = EnrollmentFactory(student=student, course=course)
    courses.lesson_complete(student=student, lesson=course.lessons.get())
    certificate = certificates.certificate_issue(enrollment_id=enrollment.pk)
    data = recorded("certificate.issued")
    assert data["certificate_id"] == certificate.pk and data["enrollment_id"] == enrollment.pk
    assert (data["student_id"], data["course_id"], data["status"]) == (student.pk, course.pk, "issued")
    assert data["verification_code"] == certificate.verification_code
    assert data["verify_url"] == settings.CERTIFICATE_VERIFY_URL.format(code=certificate.verification_code)
    assert data["issued_at"] == payloads.iso(certificate.issued_at)

    certificates.certificate_revoke(actor=None, certificate=certificate, reason="Issued in error")
    data = recorded("certificate.revoked")
    certificate.refresh_from_db()
    assert (data["certificate_id"], data["status"]) == (certificate.pk, "revoked")
    assert data["revoked_at"] == payloads.iso(certificate.revoked_at) is not None


def test_review_created(student):
    course = PublishedCourseFactory()
    EnrollmentFactory(student=student, course=course)
    review = reviews.review_create(course=course, student=student, rating=4, comment="Clear and useful.")
    assert recorded("review.created") == {
        "review_id": review.pk,
        "course_id": course.pk,
        "student_id": student.pk,
        "rating": 4,
        "comment": "Clear and useful.",
        "created_at": payloads.iso(review.created_at),
    }


def test_submission_created_and_graded(student, instructor):
    assignment = AssignmentFactory(section__course=PublishedCourseFactory(instructor=instructor), points=50)
    EnrollmentFactory(student=student, course=assignment.course)
    submission = assignments.submission_create(student=student, assignment=assignment, text="My essay.")
    data = recorded("submission.created")
    assert data == {
        "submission_id": submission.pk,
        "assignment_id": assignment.pk,
        "course_id": assignment.course_id,
        "student_id": student.pk,
        "attempt": 1,
        "status": "submitted",
        "submitted_at": payloads.iso(submission.submitted_at),
        "is_late": False,
        "days_late": 0,
    }
    assert "My essay." not in str(data)  # the work itself is not sent

    grade = assignments.submission_grade(actor=instructor, submission=submission, score=40, feedback="Well argued.")
    data = recorded("submission.graded")
    assert (data["submission_id"], data["status"]) == (submission.pk, "graded")
    assert data["grade"] == {
        "score": "40.00",
        "late_penalty": "0.00",
        "points": "40.00",
        "max_points": 50,
        "percent": "80.00",
        "graded_at": payloads.iso(grade.graded_at),
    }
    assert "Well argued." not in str(data)


def test_a_service_whose_change_rolls_back_records_nothing(student):
    from lms.errors import Conflict

    course = PublishedCourseFactory()
    courses.enrollment_create(student=student, course=course)
    with pytest.raises(Conflict):
        courses.enrollment_create(student=student, course=course)  # already enrolled
    assert Event.objects.filter(type="enrollment.created").count() == 1
