"""POST /api/v1/payments/stripe/webhook/: signed events, each handled once, in any order."""

import json
import time

import pytest
from django.db import DatabaseError
from rest_framework.test import APIClient

from activity.models import ActivityEvent
from courses.models import Enrollment
from notifications.models import Notification
from payments.models import StripeEvent

from .factories import CouponFactory, OrderFactory
from .helpers import WEBHOOK_URL, charge_object, deliver, event, intent_object, signed

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(webhook_secret, student):
    return OrderFactory(student=student)


def enrollments(order):
    return Enrollment.objects.filter(student=order.student, course=order.course)


def succeeded(order, **kwargs):
    return event("payment_intent.succeeded", intent_object(order, **kwargs))


# --- signatures ----------------------------------------------------------------------------------
def test_a_missing_signature_is_refused(order):
    payload = json.dumps(succeeded(order)).encode()
    response = APIClient().post(WEBHOOK_URL, data=payload, content_type="application/json")
    assert response.status_code == 400
    assert not StripeEvent.objects.exists()


@pytest.mark.parametrize(
    "how",
    ["wrong secret", "tampered body", "expired", "garbage header"],
)
def test_a_bad_signature_is_refused(order, how):
    payload = json.dumps(succeeded(order)).encode()
    header = signed(payload)
    if how == "wrong secret":
        header = signed(payload, secret="whsec_someone_else")
    elif how == "tampered body":
        payload = payload.replace(b'"amount": 4999', b'"amount": 1')
    elif how == "expired":  # beyond Stripe's default tolerance of 300 seconds: a replayed capture
        header = signed(payload, timestamp=int(time.time()) - 3600)
    else:
        header = {"HTTP_STRIPE_SIGNATURE": "t=1,v1=deadbeef"}

    response = APIClient().post(WEBHOOK_URL, data=payload, content_type="application/json", **header)

    assert response.status_code == 400
    assert not StripeEvent.objects.exists()
    order.refresh_from_db()
    assert order.status == "pending"
    assert not enrollments(order).exists()


def test_a_signed_body_that_is_not_json_is_refused(order):
    payload = b"this is not json"
    response = APIClient().post(WEBHOOK_URL, data=payload, content_type="application/json", **signed(payload))
    assert response.status_code == 400
    assert not StripeEvent.objects.exists()


def test_without_a_webhook_secret_the_endpoint_is_unavailable(order, settings):
    settings.STRIPE_WEBHOOK_SECRET = ""
    assert deliver(succeeded(order)).status_code == 503


# --- payment_intent.succeeded --------------------------------------------------------------------
def test_a_success_pays_the_order_and_enrolls_the_student(webhook_secret, student):
    coupon = CouponFactory(percent_off=10)
    order = OrderFactory(student=student, course=coupon.course, coupon=coupon, discount=coupon.course.price / 10)
    evt = succeeded(order)

    response = deliver(evt)

    assert response.status_code == 200, response.content
    assert response.json()["outcome"] == "paid"
    order.refresh_from_db()
    assert order.status == "paid" and order.paid_at is not None
    enrollment = enrollments(order).get()
    assert (enrollment.status, enrollment.source) == ("active", "paid")
    coupon.refresh_from_db()
    assert coupon.redemptions == 1
    assert Notification.objects.filter(recipient=student, type="payment_succeeded").count() == 1
    assert ActivityEvent.objects.filter(verb="payment_succeeded", actor=student, target_id=str(order.pk)).count() == 1
    assert StripeEvent.objects.get(pk=evt["id"]).order == order


def test_the_same_event_replayed_five_times_enrolls_once(order):
    evt = succeeded(order)

    replies = [deliver(evt) for _ in range(5)]

    assert [r.status_code for r in replies] == [200] * 5
    assert [r.json()["outcome"] for r in replies] == ["paid"] + ["duplicate"] * 4
    assert enrollments(order).count() == 1
    assert StripeEvent.objects.count() == 1
    assert Notification.objects.filter(type="payment_succeeded").count() == 1


def test_a_second_success_event_for_a_paid_order_changes_nothing(order):
    deliver(succeeded(order))
    response = deliver(succeeded(order))  # a different event id for the same intent
    assert response.status_code == 200
    assert enrollments(order).count() == 1
    assert Notification.objects.filter(type="payment_succeeded").count() == 1
    assert StripeEvent.objects.count() == 2


def test_an_order_found_by_metadata_when_the_intent_id_is_unknown(order):
    obj = intent_object(order)
    obj["id"] = "pi_created_but_never_saved"
    assert deliver(event("payment_intent.succeeded", obj)).json()["outcome"] == "paid"
    assert enrollments(order).count() == 1


@pytest.mark.parametrize("mismatch", [{"amount": 100}, {"currency": "eur"}], ids=["amount", "currency"])
def test_an_amount_or_currency_mismatch_is_refused(order, mismatch):
    response = deliver(succeeded(order, **mismatch))

    assert response.status_code == 200  # recorded: retrying would not change Stripe's numbers
    assert "mismatch" in response.json()["outcome"]
    order.refresh_from_db()
    assert order.status == "pending"
    assert "mismatch" in order.failure_reason
    assert not enrollments(order).exists()


# --- failures, refunds, order of delivery --------------------------------------------------------
@pytest.mark.parametrize("event_type", ["payment_intent.payment_failed", "payment_intent.canceled"])
def test_a_failure_marks_a_pending_order_failed(order, event_type):
    obj = intent_object(order, status="requires_payment_method")
    obj["last_payment_error"] = {"message": "Your card was declined."}
    assert deliver(event(event_type, obj)).status_code == 200
    order.refresh_from_db()
    assert order.status == "failed"
    assert order.failure_reason
    assert not enrollments(order).exists()


def test_a_late_failure_never_downgrades_a_paid_order(order):
    deliver(succeeded(order))
    response = deliver(event("payment_intent.payment_failed", intent_object(order)))
    assert response.status_code == 200
    order.refresh_from_db()
    assert order.status == "paid"
    assert enrollments(order).get().status == "active"


def test_a_success_after_a_failure_pays(order):
    deliver(event("payment_intent.payment_failed", intent_object(order)))
    deliver(succeeded(order))  # the student retried with another card on the same intent
    order.refresh_from_db()
    assert order.status == "paid"
    assert enrollments(order).get().status == "active"


def test_a_refund_before_the_success_wins_and_the_late_success_does_not_enroll(order):
    assert deliver(event("charge.refunded", charge_object(order))).status_code == 200
    order.refresh_from_db()
    assert order.status == "refunded"

    response = deliver(succeeded(order))

    assert response.status_code == 200
    order.refresh_from_db()
    assert order.status == "refunded"
    assert not enrollments(order).filter(status="active").exists()


def test_charge_refunded_revokes_the_enrollment(order):
    deliver(succeeded(order))

    response = deliver(event("charge.refunded", charge_object(order)))

    assert response.status_code == 200
    order.refresh_from_db()
    assert order.status == "refunded" and order.refunded_at is not None
    assert enrollments(order).get().status == "revoked"
    assert Notification.objects.filter(recipient=order.student, type="payment_refunded").count() == 1
    assert ActivityEvent.objects.filter(verb="payment_refunded", target_id=str(order.pk)).count() == 1


def test_a_partial_refund_keeps_access(order):
    deliver(succeeded(order))
    deliver(event("charge.refunded", charge_object(order, refunded=False)))
    order.refresh_from_db()
    assert order.status == "paid"
    assert enrollments(order).get().status == "active"


def test_an_unknown_order_is_acknowledged(webhook_secret):
    obj = {"id": "pi_nobody", "object": "payment_intent", "amount": 100, "currency": "usd", "metadata": {}}
    response = deliver(event("payment_intent.succeeded", obj))
    assert response.status_code == 200
    assert response.json()["outcome"] == "unknown order"
    assert not Enrollment.objects.exists()


def test_a_malformed_order_id_in_metadata_is_acknowledged(webhook_secret):
    obj = {"id": "pi_x", "object": "payment_intent", "amount": 1, "currency": "usd", "metadata": {"order_id": "1 or 1"}}
    assert deliver(event("payment_intent.succeeded", obj)).status_code == 200


@pytest.mark.parametrize("event_type", ["customer.created", "charge.succeeded", "payment_intent.created"])
def test_ignored_event_types_are_acknowledged(order, event_type):
    response = deliver(event(event_type, intent_object(order)))
    assert response.status_code == 200
    assert response.json()["outcome"] == "ignored"
    order.refresh_from_db()
    assert order.status == "pending"


# --- a failure while processing: 5xx, nothing recorded, Stripe's retry succeeds ------------------
@pytest.fixture
def broken_enrollment(monkeypatch):
    def fail(**kwargs):
        raise DatabaseError("the database went away")

    monkeypatch.setattr("payments.services.enrollment_create", fail)
    return monkeypatch


def test_a_database_failure_answers_5xx_records_nothing_and_the_retry_succeeds(order, broken_enrollment):
    evt = succeeded(order)

    response = deliver(evt, client=APIClient(raise_request_exception=False))

    assert response.status_code >= 500
    assert not StripeEvent.objects.exists()
    order.refresh_from_db()
    assert order.status == "pending"
    assert not enrollments(order).exists()

    broken_enrollment.undo()
    retry = deliver(evt)
    assert retry.status_code == 200 and retry.json()["outcome"] == "paid"
    assert enrollments(order).count() == 1


def test_a_database_failure_answers_503(order, broken_enrollment):
    response = deliver(succeeded(order), client=APIClient(raise_request_exception=False))
    assert response.status_code == 503
    assert response.json() == {"detail": "Try again later."}


@pytest.mark.parametrize(
    "data", [{}, {"object": None}, {"object": 7}, "not an object"], ids=["no-object", "null", "number", "string"]
)
def test_a_signed_event_without_a_usable_object_is_400(webhook_secret, data):
    evt = event("payment_intent.succeeded", {})
    evt["data"] = data
    response = deliver(evt, client=APIClient(raise_request_exception=False))
    assert response.status_code == 400
    assert not StripeEvent.objects.exists()


def test_a_signed_event_whose_object_is_a_string_is_400(webhook_secret):
    evt = event("payment_intent.succeeded", {})
    evt["data"] = {"object": "pi_123"}
    response = deliver(evt, client=APIClient(raise_request_exception=False))
    assert response.status_code == 400
