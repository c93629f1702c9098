"""Stripe events built and signed as Stripe builds and signs them, and the Stripe.js side of a
payment done against the emulator."""

import json
import uuid

import stripe
from django.conf import settings
from rest_framework.test import APIClient

from conftest import client_for, stripe_signature
from payments import gateway, services
from payments.models import Order

WEBHOOK_URL = "/api/v1/payments/stripe/webhook/"
WEBHOOK_SECRET = "whsec_test_local"


def intent_object(order: Order, *, amount: int | None = None, currency: str | None = None, **extra) -> dict:
    """A payment_intent as Stripe puts it in an event's data.object."""
    minor = gateway.to_minor_units(order.amount, order.currency) if amount is None else amount
    return {
        "id": order.payment_intent_id,
        "object": "payment_intent",
        "amount": minor,
        "amount_received": minor,
        "currency": (currency or order.currency).lower(),
        "status": "succeeded",
        "metadata": {"order_id": str(order.pk)},
        **extra,
    }


def charge_object(order: Order, *, refunded: bool = True) -> dict:
    minor = gateway.to_minor_units(order.amount, order.currency)
    return {
        "id": f"ch_{uuid.uuid4().hex[:24]}",
        "object": "charge",
        "amount": minor,
        "amount_refunded": minor if refunded else minor // 2,
        "refunded": refunded,
        "currency": order.currency.lower(),
        "payment_intent": order.payment_intent_id,
        "metadata": {},
    }


def event(event_type: str, obj: dict, event_id: str | None = None) -> dict:
    return {
        "id": event_id or f"evt_{uuid.uuid4().hex[:24]}",
        "object": "event",
        "api_version": "2024-06-20",
        "created": 1_700_000_000,
        "livemode": False,
        "type": event_type,
        "data": {"object": obj},
    }


def signed(payload: bytes, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> dict:
    return {"HTTP_STRIPE_SIGNATURE": stripe_signature(payload, secret, timestamp)}


def deliver(evt: dict, client: APIClient | None = None, **kwargs):
    """POSTs the event to our webhook, signed with the test secret."""
    payload = json.dumps(evt).encode()
    client = client or APIClient()
    return client.post(WEBHOOK_URL, data=payload, content_type="application/json", **signed(payload, **kwargs))


def pay(order: Order) -> Order:
    """Settles the order as the signed payment_intent.succeeded webhook would."""
    evt = event("payment_intent.succeeded", intent_object(order))
    services.webhook_event_process(event_id=evt["id"], event_type=evt["type"], obj=evt["data"]["object"])
    order.refresh_from_db()
    return order


def emulator() -> stripe.StripeClient:
    return stripe.StripeClient(settings.STRIPE_SECRET_KEY, base_addresses={"api": settings.STRIPE_API_BASE})


def confirm_as_stripe_js(intent_id: str) -> str:
    """What the Payment Element does in the browser: attach a card and confirm."""
    client = emulator()
    card = {"number": "4242424242424242", "exp_month": 12, "exp_year": 2034, "cvc": "123"}
    method = client.v1.payment_methods.create(params={"type": "card", "card": card})
    client.v1.payment_intents.update(intent_id, params={"payment_method": method.id})
    return client.v1.payment_intents.confirm(intent_id).status


def buy_through_emulator(student, course) -> Order:
    """Checkout through our API, confirm in the emulator, then deliver the signed
    payment_intent.succeeded event built from the emulator's own intent."""
    response = client_for(student).post(f"/api/v1/courses/{course.pk}/checkout/")
    assert response.status_code == 201, response.content
    intent_id = response.json()["payment_intent_id"]
    assert confirm_as_stripe_js(intent_id) == "succeeded"
    intent = emulator().v1.payment_intents.retrieve(intent_id).to_dict()
    reply = deliver(event("payment_intent.succeeded", intent))
    assert reply.status_code == 200, reply.content
    order = Order.objects.get(pk=response.json()["order_id"])
    assert order.status == "paid"
    return order


def refunded_in_stripe(order: Order) -> dict:
    """A refund made at Stripe (the dashboard, a dispute): the refund in the emulator, then the
    charge.refunded event Stripe sends, built from the emulator's own charge (localstripe does not
    track refunds on its charges, so the refunded fields are added as Stripe sets them)."""
    client = emulator()
    refund = client.v1.refunds.create(params={"payment_intent": order.payment_intent_id})
    intent = client.v1.payment_intents.retrieve(order.payment_intent_id)
    charge_id = intent.latest_charge if isinstance(intent.latest_charge, str) else intent.latest_charge.id
    charge = client.v1.charges.retrieve(charge_id).to_dict()
    assert charge["payment_intent"] == order.payment_intent_id and refund.amount == charge["amount"]
    return event("charge.refunded", {**charge, "refunded": True, "amount_refunded": refund.amount})
