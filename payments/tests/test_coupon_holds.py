"""A limited coupon's use is held by the unsettled order that was promised it: taken at checkout,
turned into a redemption when the order is paid, given back when the order can never be paid
(intent canceled, refunded first, coupon swapped, expired by reconciliation). A declined card
keeps it, since Stripe lets the customer retry the same intent."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from courses.models import Enrollment
from courses.tests.factories import PublishedCourseFactory
from payments import services
from payments.models import Order
from payments.services import ALL_HELD, USED_UP

from .factories import CouponFactory
from .helpers import deliver, emulator, event, intent_object, pay

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(instructor):
    return PublishedCourseFactory(price=Decimal("49.99"), instructor=instructor)


def checkout(client, course, code=""):
    body = {"coupon": code} if code else {}
    return client.post(f"/api/v1/courses/{course.pk}/checkout/", body, format="json")


def counts(coupon):
    coupon.refresh_from_db()
    return coupon.redemptions, coupon.reserved


def test_checkout_holds_the_last_use_until_the_order_is_paid(stripe_emulator, clients, course):
    coupon = CouponFactory(course=course, code="ONCE", max_redemptions=1)
    first = checkout(clients["student"], course, "ONCE")
    assert first.status_code == 201
    assert counts(coupon) == (0, 1)  # held, not yet redeemed

    other = checkout(clients["other_student"], course, "ONCE")
    assert other.status_code == 400 and other.json()["coupon"] == [ALL_HELD]
    again = checkout(clients["student"], course, "ONCE")  # resuming keeps the same hold
    assert again.status_code == 201 and again.json()["order_id"] == first.json()["order_id"]
    assert counts(coupon) == (0, 1)

    pay(Order.objects.get(pk=first.json()["order_id"]))

    assert counts(coupon) == (1, 0)
    late = checkout(clients["other_student"], course, "ONCE")
    assert late.status_code == 400 and late.json()["coupon"] == [USED_UP]


def test_swapping_or_dropping_the_coupon_gives_the_use_back(stripe_emulator, clients, course):
    a = CouponFactory(course=course, code="AAA", max_redemptions=1)
    b = CouponFactory(course=course, code="BBB", max_redemptions=1)
    order_id = checkout(clients["student"], course, "AAA").json()["order_id"]

    assert checkout(clients["student"], course, "BBB").json()["order_id"] == order_id
    assert (counts(a), counts(b)) == ((0, 0), (0, 1))
    assert checkout(clients["other_student"], course, "AAA").status_code == 201  # free again

    assert checkout(clients["student"], course).json()["amount"] == "49.99"
    assert counts(b) == (0, 0)
    order = Order.objects.get(pk=order_id)
    assert order.coupon is None and not order.coupon_held
    assert int(emulator().v1.payment_intents.retrieve(order.payment_intent_id).amount) == 4999


def test_a_canceled_intent_gives_the_use_back(stripe_emulator, clients, course):
    coupon = CouponFactory(course=course, code="ONCE", max_redemptions=1)
    order = Order.objects.get(pk=checkout(clients["student"], course, "ONCE").json()["order_id"])

    assert deliver(event("payment_intent.canceled", intent_object(order, status="canceled"))).json()["outcome"] == (
        "failed"
    )

    order.refresh_from_db()
    assert order.status == "failed" and not order.coupon_held
    assert counts(coupon) == (0, 0)
    assert checkout(clients["other_student"], course, "ONCE").status_code == 201


def test_a_declined_card_keeps_the_use_and_the_retry_revives_the_same_order(stripe_emulator, clients, course):
    coupon = CouponFactory(course=course, code="ONCE", max_redemptions=1)
    first = checkout(clients["student"], course, "ONCE").json()
    order = Order.objects.get(pk=first["order_id"])
    declined = intent_object(order, status="requires_payment_method")
    declined["last_payment_error"] = {"message": "Your card was declined."}
    deliver(event("payment_intent.payment_failed", declined))
    order.refresh_from_db()
    assert order.status == "failed" and order.coupon_held
    assert checkout(clients["other_student"], course, "ONCE").status_code == 400

    retry = checkout(clients["student"], course, "ONCE")

    assert retry.status_code == 201
    assert retry.json()["order_id"] == first["order_id"]
    assert retry.json()["client_secret"] == first["client_secret"]
    order.refresh_from_db()
    assert order.status == "pending" and order.failure_reason == ""
    assert Order.objects.count() == 1 and counts(coupon) == (0, 1)
    pay(order)
    assert counts(coupon) == (1, 0)


def test_a_success_after_a_decline_redeems_the_held_use(stripe_emulator, clients, course):
    coupon = CouponFactory(course=course, code="ONCE", max_redemptions=1)
    order = Order.objects.get(pk=checkout(clients["student"], course, "ONCE").json()["order_id"])
    deliver(event("payment_intent.payment_failed", intent_object(order, status="requires_payment_method")))

    pay(order)  # the customer retried with another card on the same intent

    assert order.status == "paid"
    assert counts(coupon) == (1, 0)


def test_a_refund_before_the_success_gives_the_use_back(stripe_emulator, clients, course):
    from .helpers import charge_object

    coupon = CouponFactory(course=course, code="ONCE", max_redemptions=1)
    order = Order.objects.get(pk=checkout(clients["student"], course, "ONCE").json()["order_id"])

    deliver(event("charge.refunded", charge_object(order)))

    assert counts(coupon) == (0, 0)
    pay(order)  # the late success never enrolls nor redeems
    assert counts(coupon) == (0, 0)
    assert not Enrollment.objects.filter(course=course, status="active").exists()


def test_reconciliation_expires_an_abandoned_order_and_frees_its_use(stripe_emulator, clients, course, settings):
    settings.PAYMENTS_ORDER_EXPIRE_MINUTES = 60
    coupon = CouponFactory(course=course, code="ONCE", max_redemptions=1)
    order = Order.objects.get(pk=checkout(clients["student"], course, "ONCE").json()["order_id"])

    assert services.payments_reconcile() == {}  # too recent to look at
    with time_machine.travel(timezone.now() + timedelta(minutes=30)):
        assert services.payments_reconcile() == {"still pending": 1}
    with time_machine.travel(timezone.now() + timedelta(minutes=61)):
        assert services.payments_reconcile() == {"expired": 1}

    order.refresh_from_db()
    assert order.status == "failed" and order.failure_reason.startswith("expired") and not order.coupon_held
    assert emulator().v1.payment_intents.retrieve(order.payment_intent_id).status == "canceled"
    assert counts(coupon) == (0, 0)
    assert checkout(clients["other_student"], course, "ONCE").status_code == 201
    # the buyer who came back late simply gets a new order (the expired one cannot be paid)
    back = checkout(clients["student"], course)
    assert back.status_code == 201 and back.json()["order_id"] != str(order.pk)


def test_an_order_paid_just_before_it_expires_is_settled_not_canceled(stripe_emulator, clients, course, settings):
    from .helpers import confirm_as_stripe_js

    settings.PAYMENTS_ORDER_EXPIRE_MINUTES = 60
    coupon = CouponFactory(course=course, code="ONCE", max_redemptions=1)
    order = Order.objects.get(pk=checkout(clients["student"], course, "ONCE").json()["order_id"])
    assert confirm_as_stripe_js(order.payment_intent_id) == "succeeded"  # no webhook arrives

    with time_machine.travel(timezone.now() + timedelta(minutes=61)):
        assert services.payments_reconcile() == {"paid": 1}

    order.refresh_from_db()
    assert order.status == "paid"
    assert counts(coupon) == (1, 0)


def test_a_declined_order_still_holding_its_use_expires_too(stripe_emulator, clients, course, settings):
    settings.PAYMENTS_ORDER_EXPIRE_MINUTES = 60
    coupon = CouponFactory(course=course, code="ONCE", max_redemptions=1)
    order = Order.objects.get(pk=checkout(clients["student"], course, "ONCE").json()["order_id"])
    deliver(event("payment_intent.payment_failed", intent_object(order, status="requires_payment_method")))

    with time_machine.travel(timezone.now() + timedelta(minutes=61)):
        assert services.payments_reconcile() == {"expired": 1}

    order.refresh_from_db()
    assert order.status == "failed" and not order.coupon_held
    assert counts(coupon) == (0, 0)
