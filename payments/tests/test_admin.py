"""The staff dashboard for payments: changelists and filters load, the refund action goes through
the service (and so through Stripe)."""

from decimal import Decimal

import pytest
from django.contrib.admin.utils import quote
from django.contrib.messages import get_messages
from django.test import Client

from courses.models import Enrollment
from courses.tests.factories import PublishedCourseFactory
from payments.models import Order, StripeEvent

from .factories import CouponFactory, OrderFactory
from .helpers import buy_through_emulator, pay

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(admin_user):
    client = Client()
    client.force_login(admin_user)
    return client


@pytest.fixture
def some_payments(webhook_secret, student):
    coupon = CouponFactory()
    paid = pay(OrderFactory(student=student, course=coupon.course, coupon=coupon, discount=Decimal("10.00")))
    OrderFactory(status="failed")
    return paid


@pytest.mark.parametrize(
    "url",
    [
        "/admin/payments/order/",
        "/admin/payments/order/?status__exact=paid",
        "/admin/payments/order/?status__exact=pending&currency__exact=USD",
        "/admin/payments/order/?course__id__exact={course}",
        "/admin/payments/order/?q=example.com",
        "/admin/payments/order/{order}/change/",
        "/admin/payments/coupon/",
        "/admin/payments/coupon/?active__exact=1",
        "/admin/payments/coupon/add/",
        "/admin/payments/stripeevent/",
        "/admin/payments/stripeevent/?type=payment_intent.succeeded",
        "/admin/payments/stripeevent/{event}/change/",
    ],
)
def test_pages_load(staff, some_payments, url):
    event = StripeEvent.objects.get()
    # the admin escapes '_' in primary keys (evt_23... would read as evt#...), as its own links do
    url = url.format(course=some_payments.course_id, order=some_payments.pk, event=quote(event.pk))
    assert staff.get(url).status_code == 200


def test_the_coupon_list_shows_uses_held_by_unpaid_orders(staff):
    CouponFactory(
        course=PublishedCourseFactory(), code="HELD", percent_off=10, redemptions=2, reserved=3, max_redemptions=10
    )
    page = staff.get("/admin/payments/coupon/").content.decode()
    assert "column-reserved" in page and '<td class="field-reserved">3</td>' in page


def test_orders_cannot_be_added_in_the_admin(staff):
    assert staff.get("/admin/payments/order/add/").status_code == 403


def test_the_refund_action_refunds_through_stripe(stripe_emulator, staff, student):
    course = PublishedCourseFactory(price=Decimal("49.99"))
    order = buy_through_emulator(student, course)
    pending = OrderFactory(course=course)

    response = staff.post(
        "/admin/payments/order/",
        {"action": "refund", "_selected_action": [str(order.pk), str(pending.pk)]},
    )

    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == "refunded" and order.refund_id.startswith("re_")
    assert Enrollment.objects.get(student=student, course=course).status == "revoked"
    assert Order.objects.get(pk=pending.pk).status == "pending"
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert "1 order(s) refunded." in messages
    assert any(str(pending.pk) in m and "pending" in m for m in messages)
