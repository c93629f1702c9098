"""OWASP API10:2023 Unsafe Consumption of APIs: what Stripe (or anyone claiming to be Stripe)
sends is verified before it is believed: the signature with our secret, a fresh timestamp, and
amounts and currency that match the order."""

from __future__ import annotations

import json
import time
from decimal import Decimal

import pytest

from conftest import stripe_signature
from courses.models import Enrollment
from payments.tests.factories import OrderFactory
from payments.tests.helpers import WEBHOOK_SECRET, WEBHOOK_URL, event, intent_object

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def webhook_secret(settings):
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET


@pytest.fixture
def order():
    return OrderFactory(amount=Decimal("49.99"))


def post(client, payload: bytes, signature: str | None):
    extra = {} if signature is None else {"HTTP_STRIPE_SIGNATURE": signature}
    return client.post(WEBHOOK_URL, data=payload, content_type="application/json", **extra)


def succeeded(order, **kwargs) -> bytes:
    return json.dumps(event("payment_intent.succeeded", intent_object(order, **kwargs))).encode()


def assert_untouched(order) -> None:
    order.refresh_from_db()
    assert order.status == "pending"
    assert not Enrollment.objects.filter(student=order.student, course=order.course).exists()


@pytest.mark.parametrize(
    "signature",
    [
        None,
        "",
        "garbage",
        "t=123",
        "v1=deadbeef",
        "t=abc,v1=deadbeef",
    ],
)
def test_missing_or_malformed_signature_is_400(anon_client, order, signature):
    response = post(anon_client, succeeded(order), signature)
    assert response.status_code == 400, response.content
    assert response.json()["detail"]
    assert_untouched(order)


def test_signature_with_another_secret_is_400(anon_client, order):
    payload = succeeded(order)
    response = post(anon_client, payload, stripe_signature(payload, "whsec_someone_else"))
    assert response.status_code == 400
    assert_untouched(order)


def test_signature_of_another_payload_is_400(anon_client, order):
    """A valid signature, but the body was changed after signing (the amount, say)."""
    genuine = succeeded(order)
    tampered = genuine.replace(b'"amount": 4999', b'"amount": 1')
    response = post(anon_client, tampered, stripe_signature(genuine, WEBHOOK_SECRET))
    assert response.status_code == 400
    assert_untouched(order)


@pytest.mark.parametrize("age_seconds", [301, 3600, 86400 * 30])
def test_a_replayed_old_event_is_rejected(anon_client, order, age_seconds):
    payload = succeeded(order)
    old = int(time.time()) - age_seconds
    response = post(anon_client, payload, stripe_signature(payload, WEBHOOK_SECRET, timestamp=old))
    assert response.status_code == 400
    assert_untouched(order)


def test_a_fresh_signed_event_is_accepted(anon_client, order):
    payload = succeeded(order)
    response = post(anon_client, payload, stripe_signature(payload, WEBHOOK_SECRET))
    assert response.status_code == 200, response.content
    order.refresh_from_db()
    assert order.status == "paid"


def test_the_same_event_replayed_in_time_is_handled_once(anon_client, order):
    payload = succeeded(order)
    for _ in range(3):
        assert post(anon_client, payload, stripe_signature(payload, WEBHOOK_SECRET)).status_code == 200
    assert Enrollment.objects.filter(student=order.student, course=order.course).count() == 1


@pytest.mark.parametrize(
    ("amount", "currency"),
    [(1, None), (4998, None), (5000, None), (0, None), (-4999, None), (4999, "eur"), (4999, "jpy")],
)
def test_amount_and_currency_must_match_the_order(anon_client, order, amount, currency):
    payload = succeeded(order, amount=amount, amount_received=amount, currency=currency)
    response = post(anon_client, payload, stripe_signature(payload, WEBHOOK_SECRET))
    assert response.status_code == 200  # acknowledged so Stripe stops retrying; refused inside
    assert "mismatch" in response.json()["outcome"] or "refused" in response.json()["outcome"]
    order.refresh_from_db()
    assert order.status != "paid"
    assert not Enrollment.objects.filter(student=order.student, course=order.course, status="active").exists()


def test_an_event_for_an_unknown_intent_changes_nothing(anon_client, order):
    obj = intent_object(order)
    obj["id"] = "pi_unknown_000"
    obj["metadata"] = {}
    payload = json.dumps(event("payment_intent.succeeded", obj)).encode()
    response = post(anon_client, payload, stripe_signature(payload, WEBHOOK_SECRET))
    assert response.status_code in (200, 400)
    assert_untouched(order)


@pytest.mark.parametrize(
    "body",
    [b"not json", b"[]", b'{"id": "evt_1"}', b'{"id": "evt_1", "type": "payment_intent.succeeded", "data": 5}'],
)
def test_malformed_signed_payloads_are_400_not_500(anon_client, body):
    response = post(anon_client, body, stripe_signature(body, WEBHOOK_SECRET))
    assert response.status_code == 400, response.content


def test_the_webhook_ignores_authentication_and_needs_no_csrf(anon_client, order, student):
    """A user's token does not make an unsigned event acceptable."""
    from conftest import client_for

    payload = succeeded(order)
    response = post(client_for(student), payload, None)
    assert response.status_code == 400
    assert_untouched(order)


def test_without_a_configured_secret_nothing_is_accepted(anon_client, order, settings):
    settings.STRIPE_WEBHOOK_SECRET = ""
    payload = succeeded(order)
    response = post(anon_client, payload, stripe_signature(payload, ""))
    assert response.status_code == 503
    assert_untouched(order)
