"""The staff dashboard for payments: changelists and filters load, the refund action goes through
the service (and so through Stripe)."""

from decimal import Decimal

import pytest
from django.contrib.admin.utils import quote
from django.contrib.messages import get_messages

from courses.models import Enrollment
from courses.tests.factories import PublishedCourseFactory
from lms.tests.admin_forms import form_errors, page_data
from payments.models import Coupon, Order, StripeEvent

from .factories import CouponFactory, OrderFactory
from .helpers import buy_through_emulator, pay

pytestmark = pytest.mark.django_db


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
    assert "1 order refunded." in messages
    assert any(str(pending.pk) in m and "pending" in m for m in messages)


# --- coupons are written by their services --------------------------------------------------------
ADD_COUPON = "/admin/payments/coupon/add/"


def test_a_coupon_added_in_the_admin_goes_through_coupon_create(staff):
    course = PublishedCourseFactory(price=Decimal("40.00"))
    data = page_data(staff.get(ADD_COUPON), course=course.pk, code="SPRING-25", percent_off="25")

    r = staff.post(ADD_COUPON, data)

    assert r.status_code == 302, form_errors(r)
    assert Coupon.objects.filter(course=course, code="SPRING-25", percent_off=25, amount_off=None).exists()


@pytest.mark.parametrize(
    "fields,errors",
    [
        ({"code": "TAKEN", "percent_off": "10"}, {"code": ["This course already has a coupon with this code."]}),
        (
            {"code": "BOTH", "percent_off": "10", "amount_off": "5.00"},
            {"percent_off": ["Give either percent_off or amount_off, not both or neither."]},
        ),
        ({"code": "has space", "percent_off": "10"}, {"code": ["Use 3 to 40 letters, digits, - or _."]}),
    ],
)
def test_a_coupon_the_services_refuse_is_a_form_error(staff, fields, errors):
    course = PublishedCourseFactory(price=Decimal("40.00"))
    CouponFactory(course=course, code="taken")

    r = staff.post(ADD_COUPON, page_data(staff.get(ADD_COUPON), course=course.pk, **fields))

    assert form_errors(r) == errors
    assert Coupon.objects.filter(course=course).count() == 1


def test_editing_a_coupon_keeps_its_course_and_use_counters(staff):
    coupon = CouponFactory(redemptions=2, reserved=1)
    url = f"/admin/payments/coupon/{coupon.pk}/change/"

    r = staff.post(
        url, page_data(staff.get(url), percent_off="", amount_off="3.00", course=PublishedCourseFactory().pk)
    )

    assert r.status_code == 302, form_errors(r)
    coupon.refresh_from_db()
    assert (coupon.percent_off, coupon.amount_off) == (None, Decimal("3.00"))
    assert (coupon.course_id, coupon.redemptions, coupon.reserved) == (coupon.course_id, 2, 1)


def test_stripe_events_are_records(staff, some_payments):
    event = StripeEvent.objects.get()
    assert staff.post(f"/admin/payments/stripeevent/{quote(event.pk)}/delete/", {"post": "yes"}).status_code == 403
    assert StripeEvent.objects.filter(pk=event.pk).exists()
