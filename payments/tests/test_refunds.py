"""POST /api/v1/orders/{id}/refund/: admins any time; the buyer within the window and before a
certificate; through Stripe; the order ends refunded and access ends, progress kept."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from activity.models import ActivityEvent
from certificates.models import Certificate
from conftest import client_for
from courses.models import Enrollment, LessonCompletion
from courses.tests.factories import PublishedCourseFactory
from notifications.models import Notification
from payments.models import Order

from .factories import OrderFactory
from .helpers import buy_through_emulator, emulator, pay

pytestmark = pytest.mark.django_db


def refund(client, order):
    return client.post(f"/api/v1/orders/{order.pk}/refund/")


@pytest.fixture
def course(instructor):
    return PublishedCourseFactory(price=Decimal("49.99"), instructor=instructor)


@pytest.fixture
def paid_order(webhook_secret, student, course):
    """Paid through the webhook service, with an intent the emulator does not know: for the
    refusals, which never reach Stripe."""
    return pay(OrderFactory(student=student, course=course))


def test_an_admin_refunds_a_really_paid_order_through_stripe(stripe_emulator, clients, student, course):
    order = buy_through_emulator(student, course)
    enrollment = Enrollment.objects.get(student=student, course=course)
    lesson = course.lessons.first()
    LessonCompletion.objects.create(enrollment=enrollment, lesson=lesson)
    assert client_for(student).get(f"/api/v1/lessons/{lesson.pk}/").json()["content"]

    response = refund(clients["admin"], order)

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "refunded"
    order.refresh_from_db()
    assert order.status == "refunded" and order.refunded_at is not None
    assert order.refund_id.startswith("re_")
    stripe_refund = emulator().v1.refunds.retrieve(order.refund_id)
    assert stripe_refund.amount == 4999 and stripe_refund.payment_intent == order.payment_intent_id
    enrollment.refresh_from_db()
    assert enrollment.status == "revoked"
    assert LessonCompletion.objects.filter(enrollment=enrollment).count() == 1  # progress kept
    assert Notification.objects.filter(recipient=student, type="payment_refunded").count() == 1
    assert ActivityEvent.objects.filter(verb="payment_refunded", target_id=str(order.pk)).count() == 1
    # access has ended: the lesson content is no longer served to the former buyer
    assert not client_for(student).get(f"/api/v1/lessons/{lesson.pk}/").json().get("content")


def test_an_admin_refunds_after_the_window_too(stripe_emulator, clients, student, course):
    order = buy_through_emulator(student, course)
    with time_machine.travel(timezone.now() + timedelta(days=60)):
        response = refund(client_for(clients["admin"].user), order)
    assert response.status_code == 200, response.content


def test_the_buyer_refunds_within_the_window(stripe_emulator, student, course):
    order = buy_through_emulator(student, course)
    with time_machine.travel(timezone.now() + timedelta(days=13)):
        response = refund(client_for(student), order)
    assert response.status_code == 200, response.content
    assert Order.objects.get(pk=order.pk).status == "refunded"
    assert Enrollment.objects.get(student=student, course=course).status == "revoked"


def test_the_buyer_cannot_refund_after_the_window(paid_order, student, settings):
    settings.REFUND_WINDOW_DAYS = 14
    with time_machine.travel(timezone.now() + timedelta(days=15)):
        response = refund(client_for(student), paid_order)
    assert response.status_code == 403
    assert "14 days" in response.json()["detail"]
    paid_order.refresh_from_db()
    assert paid_order.status == "paid"


def test_the_buyer_cannot_refund_once_a_certificate_exists(paid_order, student, course):
    enrollment = Enrollment.objects.get(student=student, course=course)
    now = timezone.now()
    Certificate.objects.create(
        enrollment=enrollment,
        student=student,
        course=course,
        student_name=student.get_full_name(),
        course_title=course.title,
        instructor_name=course.instructor.get_full_name(),
        issued_at=now,
        completed_at=now,
    )

    response = refund(client_for(student), paid_order)

    assert response.status_code == 403
    assert "certificate" in response.json()["detail"]
    assert Enrollment.objects.get(pk=enrollment.pk).status == "active"


@pytest.mark.parametrize(("role", "expected"), [("anonymous", 401), ("other_student", 404), ("instructor", 404)])
def test_strangers_cannot_refund(clients, paid_order, role, expected):
    # the course's own instructor is a stranger to the order as well
    assert refund(clients[role], paid_order).status_code == expected
    paid_order.refresh_from_db()
    assert paid_order.status == "paid"


def test_a_stranger_gets_404_for_a_made_up_order(clients):
    response = clients["student"].post("/api/v1/orders/3f9b2a52-9d5b-4d2c-8b7e-2d7a9c0b8e11/refund/")
    assert response.status_code == 404


@pytest.mark.parametrize("status", ["pending", "failed", "refunded"])
@pytest.mark.parametrize("who", ["student", "admin"])
def test_an_unpaid_order_cannot_be_refunded(clients, student, course, status, who):
    order = OrderFactory(student=student, course=course, status=status)
    assert refund(clients[who], order).status_code == 409
    order.refresh_from_db()
    assert order.status == status


def test_a_stripe_refusal_is_503_and_changes_nothing(stripe_emulator, clients, paid_order):
    # the emulator has never heard of this intent, so Stripe refuses
    response = refund(clients["admin"], paid_order)
    assert response.status_code == 503
    paid_order.refresh_from_db()
    assert paid_order.status == "paid"
    assert Enrollment.objects.get(student=paid_order.student, course=paid_order.course).status == "active"
