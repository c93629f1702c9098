"""Races on PostgreSQL: threads released together by a barrier, each with its own client and its
own database connection, so the database (not Python) decides."""

import json
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from conftest import client_for
from courses.models import Enrollment
from courses.tests.factories import PublishedCourseFactory
from lms.testing import run_together
from notifications.models import Notification
from payments.models import Order, StripeEvent

from .factories import CouponFactory, OrderFactory
from .helpers import WEBHOOK_URL, confirm_as_stripe_js, emulator, event, intent_object, signed

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_twenty_concurrent_deliveries_of_one_event_enroll_once(postgres, webhook_secret, student):
    coupon = CouponFactory(percent_off=10)
    order = OrderFactory(student=student, course=coupon.course, coupon=coupon, discount=Decimal("5.00"))
    payload = json.dumps(event("payment_intent.succeeded", intent_object(order))).encode()
    headers = signed(payload)

    def delivery():
        return APIClient().post(WEBHOOK_URL, data=payload, content_type="application/json", **headers)

    replies = run_together([delivery] * 20)

    statuses = [getattr(r, "status_code", r) for r in replies]
    assert all(isinstance(s, int) and 200 <= s < 300 for s in statuses), statuses
    outcomes = sorted(r.json()["outcome"] for r in replies)
    assert outcomes == ["duplicate"] * 19 + ["paid"], outcomes
    assert Enrollment.objects.filter(student=student, course=order.course).count() == 1
    assert StripeEvent.objects.count() == 1
    assert Notification.objects.filter(type="payment_succeeded").count() == 1
    order.refresh_from_db()
    coupon.refresh_from_db()
    assert order.status == "paid" and coupon.redemptions == 1


def test_a_success_and_a_refund_racing_end_refunded_without_access(postgres, webhook_secret, student):
    from .helpers import charge_object

    order = OrderFactory(student=student)
    events = [event("payment_intent.succeeded", intent_object(order)), event("charge.refunded", charge_object(order))]
    payloads = [json.dumps(e).encode() for e in events]

    replies = run_together(
        [
            lambda p=p: APIClient().post(WEBHOOK_URL, data=p, content_type="application/json", **signed(p))
            for p in payloads
        ]
    )

    assert [getattr(r, "status_code", r) for r in replies] == [200, 200]
    order.refresh_from_db()
    assert order.status == "refunded"
    assert not Enrollment.objects.filter(student=student, course=order.course, status="active").exists()


def test_concurrent_checkouts_make_one_pending_order_and_one_intent(postgres, stripe_emulator, student):
    course = PublishedCourseFactory(price=Decimal("49.99"))
    clients = [client_for(student) for _ in range(4)]
    url = f"/api/v1/courses/{course.pk}/checkout/"

    replies = run_together([lambda c=c: c.post(url) for c in clients])

    statuses = [getattr(r, "status_code", r) for r in replies]
    assert set(statuses) <= {201, 409} and 201 in statuses, statuses
    assert Order.objects.filter(student=student, course=course).count() == 1
    order_ids = {r.json()["order_id"] for r in replies if r.status_code == 201}
    assert len(order_ids) == 1
    assert len(emulator().v1.payment_intents.list().data) == 1


def post_event(evt: dict):
    payload = json.dumps(evt).encode()
    return lambda: APIClient().post(WEBHOOK_URL, data=payload, content_type="application/json", **signed(payload))


@pytest.mark.parametrize("failure_first", [True, False])
def test_a_success_and_a_decline_racing_always_end_paid_and_enrolled_once(postgres, webhook_secret, failure_first):
    """A declined card and the retry that succeeded, delivered at once in either order: a late
    failure never downgrades a paid order, so every round ends paid with one enrollment."""
    for _ in range(5):
        order = OrderFactory()
        declined = intent_object(order, status="requires_payment_method")
        events = [
            event("payment_intent.payment_failed", declined),
            event("payment_intent.succeeded", intent_object(order)),
        ]
        if not failure_first:
            events.reverse()

        replies = run_together([post_event(e) for e in events])

        assert [getattr(r, "status_code", r) for r in replies] == [200, 200]
        order.refresh_from_db()
        assert order.status == "paid"
        assert Enrollment.objects.filter(student=order.student, course=order.course, status="active").count() == 1
        order.course.refresh_from_db()
        assert order.course.enrollment_count == 1


def test_distinct_success_events_and_reconciliation_racing_settle_once(postgres, stripe_emulator, student):
    """Stripe's success (as several events with their own ids, e.g. re-sent after an endpoint
    change) arriving while two reconciliation runs read the intent: paid once, enrolled once,
    one receipt, and every event recorded."""
    from payments import services

    course = PublishedCourseFactory(price=Decimal("49.99"))
    coupon = CouponFactory(course=course, code="RACE", percent_off=10, max_redemptions=1)
    response = client_for(student).post(f"/api/v1/courses/{course.pk}/checkout/", {"coupon": "RACE"}, format="json")
    order = Order.objects.get(pk=response.json()["order_id"])
    assert confirm_as_stripe_js(order.payment_intent_id) == "succeeded"
    intent = emulator().v1.payment_intents.retrieve(order.payment_intent_id).to_dict()
    events = [event("payment_intent.succeeded", intent) for _ in range(6)]

    replies = run_together(
        [post_event(e) for e in events] + [lambda: services.payments_reconcile(older_than_minutes=0)] * 2
    )

    deliveries, runs = replies[:6], replies[6:]
    assert all(getattr(r, "status_code", r) == 200 for r in deliveries), deliveries
    outcomes = [r.json()["outcome"] for r in deliveries] + [k for run in runs for k in run]
    assert outcomes.count("paid") == 1, outcomes
    assert set(outcomes) <= {"paid", "kept paid", "already settled"}, outcomes
    order.refresh_from_db()
    coupon.refresh_from_db()
    assert order.status == "paid" and (coupon.redemptions, coupon.reserved) == (1, 0)
    assert Enrollment.objects.filter(student=student, course=course).count() == 1
    assert Notification.objects.filter(type="payment_succeeded", recipient=student).count() == 1
    assert StripeEvent.objects.count() == 6
    course.refresh_from_db()
    assert course.enrollment_count == 1


def test_twenty_concurrent_deliveries_of_one_refund_revoke_once(postgres, webhook_secret, student):
    from .helpers import charge_object, pay

    order = pay(OrderFactory(student=student))
    refund = event("charge.refunded", charge_object(order))

    replies = run_together([post_event(refund)] * 20)

    assert sorted(r.json()["outcome"] for r in replies) == ["duplicate"] * 19 + ["refunded"]
    order.refresh_from_db()
    assert order.status == "refunded"
    assert Enrollment.objects.get(student=student, course=order.course).status == "revoked"
    assert Notification.objects.filter(type="payment_refunded", recipient=student).count() == 1
    order.course.refresh_from_db()
    assert order.course.enrollment_count == 0


def test_a_success_racing_the_buyers_refund_request_never_leaves_a_refunded_buyer_enrolled(
    postgres, stripe_emulator, student
):
    """The buyer asks for a refund while Stripe's success is being delivered: either the refund
    comes first (409: nothing paid yet) and the order ends paid, or after (200) and it ends
    refunded with access removed. Never a 500, never both."""
    course = PublishedCourseFactory(price=Decimal("49.99"))
    response = client_for(student).post(f"/api/v1/courses/{course.pk}/checkout/")
    order = Order.objects.get(pk=response.json()["order_id"])
    assert confirm_as_stripe_js(order.payment_intent_id) == "succeeded"
    intent = emulator().v1.payment_intents.retrieve(order.payment_intent_id).to_dict()
    buyer = client_for(student)

    delivery, refund = run_together(
        [
            post_event(event("payment_intent.succeeded", intent)),
            lambda: buyer.post(f"/api/v1/orders/{order.pk}/refund/"),
        ]
    )

    assert delivery.status_code == 200 and delivery.json()["outcome"] == "paid"
    assert refund.status_code in (200, 409), refund.content
    order.refresh_from_db()
    active = Enrollment.objects.filter(student=student, course=course, status="active").count()
    course.refresh_from_db()
    if refund.status_code == 200:
        assert order.status == "refunded" and active == 0 == course.enrollment_count
        assert len(emulator().v1.refunds.list().data) == 1
    else:
        assert order.status == "paid" and active == 1 == course.enrollment_count
