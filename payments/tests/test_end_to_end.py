"""A purchase through the Stripe emulator: checkout creates the PaymentIntent there, the test
confirms it as Stripe.js would, the emulator delivers the signed webhook to our live server."""

import time
import urllib.parse
import urllib.request
from decimal import Decimal

import pytest
import stripe
from django.conf import settings
from django.db import OperationalError

from courses.models import Enrollment
from courses.tests.factories import PublishedCourseFactory
from payments.models import Order, StripeEvent

pytestmark = pytest.mark.django_db(transaction=True)


def _register_webhook(emulator_url: str, target: str) -> None:
    data = urllib.parse.urlencode({"url": target, "secret": settings.STRIPE_WEBHOOK_SECRET}).encode()
    urllib.request.urlopen(f"{emulator_url}/_config/webhooks/lms", data=data, timeout=5).close()


def _confirm_as_stripe_js(client_secret: str, intent_id: str) -> str:
    """What the Payment Element does in the browser: attach a card and confirm."""
    client = stripe.StripeClient(settings.STRIPE_SECRET_KEY, base_addresses={"api": settings.STRIPE_API_BASE})
    card = {"number": "4242424242424242", "exp_month": 12, "exp_year": 2034, "cvc": "123"}
    method = client.v1.payment_methods.create(params={"type": "card", "card": card})
    client.v1.payment_intents.update(intent_id, params={"payment_method": method.id})
    return client.v1.payment_intents.confirm(intent_id).status


def _settled() -> bool:
    """The webhook's last write (the event's outcome) is visible, so its transaction is done."""
    try:
        return StripeEvent.objects.filter(type="payment_intent.succeeded", outcome="paid").exists()
    except OperationalError:  # SQLite's shared in-memory test database: the server thread is writing
        return False


def test_a_student_buys_a_course_and_the_webhook_enrolls_them(live_server, stripe_emulator, student):
    from conftest import client_for

    course = PublishedCourseFactory(price=Decimal("49.99"), currency="USD")
    _register_webhook(stripe_emulator, f"{live_server.url}/api/v1/payments/stripe/webhook/")
    api = client_for(student)

    response = api.post(f"/api/v1/courses/{course.pk}/checkout/")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["amount"] == "49.99" and body["currency"] == "USD"
    assert body["publishable_key"] == "pk_test_local"
    assert body["client_secret"].startswith(body["payment_intent_id"])
    assert not Enrollment.objects.filter(student=student, course=course).exists()

    assert _confirm_as_stripe_js(body["client_secret"], body["payment_intent_id"]) == "succeeded"

    deadline = time.monotonic() + 15
    while not _settled():
        assert time.monotonic() < deadline, "the webhook never settled the order"
        time.sleep(0.1)
    assert Enrollment.objects.filter(student=student, course=course, status="active").exists()
    order = Order.objects.get(pk=body["order_id"])
    assert order.status == "paid"
    assert Enrollment.objects.get(student=student, course=course).source == "paid"
    assert StripeEvent.objects.filter(order=order, type="payment_intent.succeeded", outcome="paid").count() == 1
