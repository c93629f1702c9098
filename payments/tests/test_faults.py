"""Stripe unreachable: the real `stripe` library pointed at a closed loopback port (connection
refused) or at one that accepts connections and never answers (a hung provider). Checkout answers
a quick 503 naming the provider and leaves nothing behind: no order, no coupon hold, no activity
(the transaction rolls back). A retry once Stripe is back makes exactly one order. Refunds and
reconciliation fail just as cleanly and succeed on the next try."""

import socket
import threading
import time
from decimal import Decimal

import pytest

from accounts.tests.factories import StudentFactory
from activity.models import ActivityEvent
from conftest import STRIPE_TEST_KEYS, client_for
from courses.models import Enrollment
from courses.tests.factories import PublishedCourseFactory
from lms.testing import run_together
from payments import gateway, services
from payments.models import Order

from .factories import CouponFactory
from .helpers import buy_through_emulator, confirm_as_stripe_js, emulator

pytestmark = [pytest.mark.fault, pytest.mark.django_db]

# Short timeouts for the hung-provider tests; the defaults are checked separately.
TIMEOUT = 1.0


@pytest.fixture
def course(instructor):
    return PublishedCourseFactory(price=Decimal("49.99"), instructor=instructor)


@pytest.fixture
def refused_url():
    """A loopback port nobody listens on: every connection is refused at once."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"


class Silent:
    """Accepts TCP connections and never sends a byte; counts them."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.sock.settimeout(0.2)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.accepted: list[socket.socket] = []
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while not self.stopping.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            self.accepted.append(conn)

    def close(self):
        self.stopping.set()
        self.thread.join(timeout=5)
        for conn in self.accepted:
            conn.close()
        self.sock.close()


@pytest.fixture
def silent():
    server = Silent()
    yield server
    server.close()


def point_stripe_at(settings, url, *, timeout: float | None = None):
    for key, value in STRIPE_TEST_KEYS.items():
        setattr(settings, key, value)
    settings.STRIPE_API_BASE = url
    if timeout is not None:
        settings.STRIPE_CONNECT_TIMEOUT = settings.STRIPE_READ_TIMEOUT = timeout
        settings.STRIPE_MAX_RETRIES = 1


def checkout(client, course, code=""):
    body = {"coupon": code} if code else {}
    started = time.monotonic()
    response = client.post(f"/api/v1/courses/{course.pk}/checkout/", body, format="json")
    return response, time.monotonic() - started


def assert_provider_503(response):
    assert response.status_code == 503, response.content
    body = response.json()
    assert body["provider"] == "stripe"
    assert body["code"] == "payment_provider_unreachable"
    assert "payment provider (Stripe) could not be reached" in body["detail"]


def assert_nothing_left(course, coupon=None):
    assert not Order.objects.filter(course=course).exists()
    assert not ActivityEvent.objects.filter(verb="order_created").exists()
    if coupon is not None:
        coupon.refresh_from_db()
        assert (coupon.redemptions, coupon.reserved) == (0, 0)


# --- checkout ------------------------------------------------------------------------------------
def test_refused_connections_give_a_quick_503_then_a_retry_makes_one_order(
    stripe_emulator, settings, refused_url, clients, course
):
    coupon = CouponFactory(course=course, code="ONCE", max_redemptions=1)
    point_stripe_at(settings, refused_url)  # default timeouts and retries

    response, elapsed = checkout(clients["student"], course, "ONCE")

    assert_provider_503(response)
    assert elapsed < 5, elapsed  # two refused connections and one backoff of 0.5-1 s
    assert_nothing_left(course, coupon)
    assert checkout(clients["student"], course, "ONCE")[0].status_code == 503  # still down: still clean
    assert_nothing_left(course, coupon)

    settings.STRIPE_API_BASE = stripe_emulator  # Stripe is back
    retry, _ = checkout(clients["student"], course, "ONCE")

    assert retry.status_code == 201, retry.content
    order = Order.objects.get(course=course)
    assert str(order.pk) == retry.json()["order_id"] and order.status == "pending" and order.coupon_held
    assert [i.id for i in emulator().v1.payment_intents.list().data] == [order.payment_intent_id]
    assert ActivityEvent.objects.filter(verb="order_created").count() == 1
    coupon.refresh_from_db()
    assert (coupon.redemptions, coupon.reserved) == (0, 1)


def test_a_hung_provider_times_out_with_one_bounded_retry(stripe_emulator, settings, silent, clients, course):
    point_stripe_at(settings, silent.url, timeout=TIMEOUT)

    response, elapsed = checkout(clients["student"], course)

    assert_provider_503(response)
    # two attempts of TIMEOUT each plus one backoff of 0.5-1 s; never the library's 80 s
    assert 2 * TIMEOUT <= elapsed < 2 * TIMEOUT + 3, elapsed
    assert len(silent.accepted) == 2  # the first try and exactly one retry
    assert_nothing_left(course)

    settings.STRIPE_API_BASE = stripe_emulator
    assert checkout(clients["student"], course)[0].status_code == 201
    assert Order.objects.filter(course=course).count() == 1
    assert len(emulator().v1.payment_intents.list().data) == 1


def test_the_default_timeouts_and_retries_are_short_and_bounded(settings):
    for name in ("STRIPE_CONNECT_TIMEOUT", "STRIPE_READ_TIMEOUT", "STRIPE_MAX_RETRIES"):
        if hasattr(settings, name):
            delattr(settings, name)
    for key, value in STRIPE_TEST_KEYS.items():
        setattr(settings, key, value)

    requestor = gateway.client()._requestor

    connect, read = requestor._client._timeout
    retries = requestor._options.max_network_retries
    assert (connect, read, retries) == (gateway.CONNECT_TIMEOUT, gateway.READ_TIMEOUT, gateway.MAX_RETRIES)
    worst_case = (retries + 1) * max(connect, read) + 0.5 + 1.0  # plus the library's backoff
    assert worst_case <= 20


def test_a_resumed_checkout_that_cannot_reach_stripe_keeps_the_order_as_it_was(
    stripe_emulator, settings, refused_url, clients, course
):
    a = CouponFactory(course=course, code="AAA", percent_off=10, max_redemptions=1)
    b = CouponFactory(course=course, code="BBB", percent_off=20, max_redemptions=1)
    first, _ = checkout(clients["student"], course, "AAA")
    assert first.status_code == 201
    point_stripe_at(settings, refused_url)

    response, _ = checkout(clients["student"], course, "BBB")  # would update the intent's amount

    assert_provider_503(response)
    order = Order.objects.get()
    assert (order.status, order.coupon, order.amount, order.coupon_held) == ("pending", a, Decimal("44.99"), True)
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.reserved, b.reserved) == (1, 0)

    settings.STRIPE_API_BASE = stripe_emulator
    retry, _ = checkout(clients["student"], course, "BBB")
    assert retry.status_code == 201 and retry.json()["order_id"] == str(order.pk)
    assert retry.json()["amount"] == "39.99"
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.reserved, b.reserved) == (0, 1)
    assert int(emulator().v1.payment_intents.retrieve(order.payment_intent_id).amount) == 3999


@pytest.mark.django_db(transaction=True)
def test_checkouts_during_an_outage_fail_together_not_one_after_another(
    postgres, stripe_emulator, settings, silent, course
):
    """Racing buyers of one limited coupon while Stripe hangs: nothing holds the coupon's row
    across the call to Stripe, so each fails after its own timeout rather than queueing behind
    the others', and nothing is left behind."""
    coupon = CouponFactory(course=course, code="LAST", max_redemptions=1)
    point_stripe_at(settings, silent.url, timeout=TIMEOUT)
    clients = [client_for(s) for s in StudentFactory.create_batch(4)]

    started = time.monotonic()
    replies = run_together([lambda c=c: checkout(c, course, "LAST")[0] for c in clients])
    elapsed = time.monotonic() - started

    for reply in replies:
        assert not isinstance(reply, Exception), reply
        assert_provider_503(reply)
    assert elapsed < 2 * TIMEOUT + 4, elapsed  # one buyer's budget, not four
    assert_nothing_left(course, coupon)


# --- refunds and reconciliation ------------------------------------------------------------------
def test_a_refund_while_stripe_is_down_changes_nothing_and_succeeds_later(
    stripe_emulator, settings, refused_url, student, course
):
    order = buy_through_emulator(student, course)
    point_stripe_at(settings, refused_url)
    url = f"/api/v1/orders/{order.pk}/refund/"

    response = client_for(student).post(url)

    assert_provider_503(response)
    order.refresh_from_db()
    assert order.status == "paid"
    assert Enrollment.objects.get(student=student, course=course).status == "active"

    settings.STRIPE_API_BASE = stripe_emulator
    assert client_for(student).post(url).status_code == 200
    order.refresh_from_db()
    assert order.status == "refunded"
    assert Enrollment.objects.get(student=student, course=course).status == "revoked"


def test_reconciliation_while_stripe_is_down_leaves_orders_for_the_next_run(
    stripe_emulator, settings, refused_url, student, course
):
    response, _ = checkout(client_for(student), course)
    order = Order.objects.get(pk=response.json()["order_id"])
    assert confirm_as_stripe_js(order.payment_intent_id) == "succeeded"  # the webhook never comes
    point_stripe_at(settings, refused_url)

    assert services.payments_reconcile(older_than_minutes=0) == {"stripe error": 1}
    order.refresh_from_db()
    assert order.status == "pending"

    settings.STRIPE_API_BASE = stripe_emulator
    assert services.payments_reconcile(older_than_minutes=0) == {"paid": 1}
    order.refresh_from_db()
    assert order.status == "paid"
    assert Enrollment.objects.filter(student=student, course=course, status="active").count() == 1
