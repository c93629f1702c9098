"""POST /api/v1/courses/{id}/checkout/: a pending order and a PaymentIntent in the emulator."""

from decimal import Decimal

import pytest

from activity.models import ActivityEvent
from conftest import client_for
from courses.models import Enrollment
from courses.tests.factories import CourseFactory, EnrollmentFactory, PublishedCourseFactory
from payments.models import Order

from .factories import CouponFactory
from .helpers import emulator

pytestmark = pytest.mark.django_db


def checkout(client, course, **body):
    return client.post(f"/api/v1/courses/{course.pk}/checkout/", body, format="json")


@pytest.fixture
def course(instructor):
    return PublishedCourseFactory(price=Decimal("49.99"), instructor=instructor)


def test_checkout_creates_a_pending_order_and_an_intent_in_stripe(stripe_emulator, clients, student, course):
    response = checkout(clients["student"], course)

    assert response.status_code == 201, response.content
    body = response.json()
    assert {"order_id", "payment_intent_id", "client_secret", "amount", "currency", "publishable_key"} <= set(body)
    assert body["amount"] == "49.99" and body["currency"] == "USD"
    assert body["publishable_key"] == "pk_test_local"
    assert body["client_secret"].startswith(body["payment_intent_id"] + "_secret_")
    order = Order.objects.get(pk=body["order_id"])
    assert (order.student, order.course, order.status) == (student, course, "pending")
    assert order.payment_intent_id == body["payment_intent_id"]
    intent = emulator().v1.payment_intents.retrieve(body["payment_intent_id"])
    assert intent.amount == 4999 and intent.currency == "usd"
    assert intent.metadata["order_id"] == str(order.pk)
    assert not Enrollment.objects.filter(student=student, course=course).exists()
    assert ActivityEvent.objects.filter(verb="order_created", actor=student, target_id=str(order.pk)).count() == 1


def test_a_second_checkout_reuses_the_pending_order_and_its_intent(stripe_emulator, clients, course):
    first = checkout(clients["student"], course).json()
    second = checkout(clients["student"], course)

    assert second.status_code == 201
    assert second.json()["order_id"] == first["order_id"]
    assert second.json()["payment_intent_id"] == first["payment_intent_id"]
    assert second.json()["client_secret"] == first["client_secret"]
    assert Order.objects.filter(course=course).count() == 1
    assert len(emulator().v1.payment_intents.list().data) == 1


def test_a_coupon_changes_the_amount_and_updates_the_intent(stripe_emulator, clients, course):
    coupon = CouponFactory(course=course, code="SPRING20", percent_off=20)
    first = checkout(clients["student"], course).json()

    response = checkout(clients["student"], course, coupon="spring20")

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["order_id"] == first["order_id"] and body["payment_intent_id"] == first["payment_intent_id"]
    assert body["amount"] == "39.99"  # 49.99 - 10.00 (20 %, rounded half up)
    order = Order.objects.get(pk=body["order_id"])
    assert order.coupon == coupon and order.discount == Decimal("10.00")
    # localstripe stores an updated amount as the form-encoded string it received
    assert int(emulator().v1.payment_intents.retrieve(body["payment_intent_id"]).amount) == 3999
    coupon.refresh_from_db()
    assert coupon.redemptions == 0  # counted only when the order is paid
    # ...but the unpaid order holds a use, which the owner sees on the coupon
    shown = clients["instructor"].get(f"/api/v1/coupons/{coupon.pk}/").json()
    assert (shown["redemptions"], shown["reserved"]) == (0, 1)


def test_a_free_course_is_not_checked_out(stripe_emulator, clients):
    course = PublishedCourseFactory(price=Decimal("0.00"))
    response = checkout(clients["student"], course)
    assert response.status_code == 400
    assert not Order.objects.exists()


def test_already_enrolled_is_a_conflict(stripe_emulator, clients, student, course):
    EnrollmentFactory(student=student, course=course, source="paid")
    assert checkout(clients["student"], course).status_code == 409
    assert not Order.objects.exists()


def test_a_draft_course_is_not_found(stripe_emulator, clients, instructor):
    draft = CourseFactory(price=Decimal("49.99"), instructor=instructor)
    assert checkout(clients["student"], draft).status_code == 404


def test_an_unknown_course_is_not_found(stripe_emulator, clients):
    assert clients["student"].post("/api/v1/courses/999999/checkout/").status_code == 404


@pytest.mark.parametrize(("role", "expected"), [("anonymous", 401), ("instructor", 403), ("admin", 403)])
def test_only_students_check_out(stripe_emulator, clients, course, role, expected):
    assert checkout(clients[role], course).status_code == expected
    assert not Order.objects.exists()


def test_without_stripe_keys_checkout_is_503_and_free_courses_still_work(no_stripe, clients, student, course):
    response = checkout(clients["student"], course)

    assert response.status_code == 503
    assert "STRIPE_SECRET_KEY" in response.json()["detail"]
    assert not Order.objects.exists()
    free = PublishedCourseFactory(price=Decimal("0.00"))
    assert clients["student"].post(f"/api/v1/courses/{free.pk}/enroll/").status_code == 201
    assert Enrollment.objects.get(student=student, course=free).source == "free"


def test_a_revoked_buyer_can_buy_again(stripe_emulator, student, course):
    from courses.services import enrollment_revoke

    enrollment_revoke(actor=None, enrollment=EnrollmentFactory(student=student, course=course, source="paid"))
    response = checkout(client_for(student), course)
    assert response.status_code == 201


def test_a_pending_order_whose_intent_stripe_does_not_know_gets_a_new_one(stripe_emulator, clients, course):
    """Stripe keys changed or test data wiped: the old intent is gone. Checkout (here with a new
    coupon, so the intent must be updated) replaces it instead of failing with 503 forever."""
    first = checkout(clients["student"], course).json()
    Order.objects.filter(pk=first["order_id"]).update(payment_intent_id="pi_gone_from_stripe")
    CouponFactory(course=course, code="SPRING20", percent_off=20)

    response = checkout(clients["student"], course, coupon="SPRING20")

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["order_id"] == first["order_id"] and body["amount"] == "39.99"
    assert body["payment_intent_id"] not in ("pi_gone_from_stripe", first["payment_intent_id"])
    intent = emulator().v1.payment_intents.retrieve(body["payment_intent_id"])
    assert intent.amount == 3999 and intent.metadata["order_id"] == str(first["order_id"])
    assert Order.objects.get(pk=first["order_id"]).client_secret == body["client_secret"]
