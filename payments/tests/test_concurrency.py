"""Races on PostgreSQL: threads released together by a barrier, each with its own client and its
own database connection, so the database (not Python) decides."""

import json
import threading
from decimal import Decimal

import pytest
from django.db import connection
from rest_framework.test import APIClient

from conftest import client_for
from courses.models import Enrollment
from courses.tests.factories import PublishedCourseFactory
from notifications.models import Notification
from payments.models import Order, StripeEvent

from .factories import CouponFactory, OrderFactory
from .helpers import WEBHOOK_URL, emulator, event, intent_object, signed

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def race(requests) -> list:
    """Runs each zero-argument callable in its own thread, all released at once; returns the
    responses (or the exception a thread raised)."""
    barrier = threading.Barrier(len(requests))
    results: list = [None] * len(requests)

    def run(index, request):
        try:
            barrier.wait(timeout=10)
            results[index] = request()
        except Exception as exc:  # reported by the assertions, never swallowed
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, r)) for i, r in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a request hung"
    return results


def test_twenty_concurrent_deliveries_of_one_event_enroll_once(postgres, webhook_secret, student):
    coupon = CouponFactory(percent_off=10)
    order = OrderFactory(student=student, course=coupon.course, coupon=coupon, discount=Decimal("5.00"))
    payload = json.dumps(event("payment_intent.succeeded", intent_object(order))).encode()
    headers = signed(payload)

    def delivery():
        return APIClient().post(WEBHOOK_URL, data=payload, content_type="application/json", **headers)

    replies = race([delivery] * 20)

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

    replies = race(
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

    replies = race([lambda c=c: c.post(url) for c in clients])

    statuses = [getattr(r, "status_code", r) for r in replies]
    assert set(statuses) <= {201, 409} and 201 in statuses, statuses
    assert Order.objects.filter(student=student, course=course).count() == 1
    order_ids = {r.json()["order_id"] for r in replies if r.status_code == 201}
    assert len(order_ids) == 1
    assert len(emulator().v1.payment_intents.list().data) == 1
