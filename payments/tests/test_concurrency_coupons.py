"""Checkouts racing for the last uses of a coupon, on PostgreSQL: threads released together by a
barrier, each with its own client and database connection. Whatever the interleaving, a coupon's
paid redemptions plus the uses held by unsettled orders never pass max_redemptions, every order
that holds a use is counted exactly once, and no customer is given (or can pay) a discount it
did not get."""

import json
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from accounts.tests.factories import StudentFactory
from conftest import client_for
from courses.models import Enrollment
from courses.tests.factories import PublishedCourseFactory
from lms.testing import run_together
from payments.models import Coupon, Order
from payments.services import ALL_HELD, USED_UP

from .factories import CouponFactory
from .helpers import WEBHOOK_URL, emulator, event, intent_object, pay, signed

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

RACERS = 8


@pytest.fixture
def course(instructor):
    return PublishedCourseFactory(price=Decimal("49.99"), instructor=instructor)


def checkout_as(student, course, code):
    client = client_for(student)  # token made before the race
    return lambda: client.post(f"/api/v1/courses/{course.pk}/checkout/", {"coupon": code}, format="json")


def assert_coupon_consistent(coupon: Coupon, earlier_redemptions: int = 0) -> None:
    """The counters agree with the orders, and never pass the limit."""
    coupon.refresh_from_db()
    assert coupon.reserved == Order.objects.filter(coupon=coupon, coupon_held=True).count()
    paid = Order.objects.filter(coupon=coupon, status="paid").count()
    assert coupon.redemptions == earlier_redemptions + paid
    if coupon.max_redemptions is not None:
        assert coupon.redemptions + coupon.reserved <= coupon.max_redemptions


def test_checkouts_racing_for_the_last_use_give_it_to_exactly_one(postgres, stripe_emulator, course):
    coupon = CouponFactory(course=course, code="LAST", percent_off=20, max_redemptions=3, redemptions=2)
    students = StudentFactory.create_batch(RACERS)

    replies = run_together([checkout_as(s, course, "last") for s in students])

    statuses = [getattr(r, "status_code", r) for r in replies]
    assert sorted(statuses, key=str) == [201] + [400] * (RACERS - 1), statuses
    for reply in replies:
        if reply.status_code == 400:
            assert reply.json()["coupon"] == [ALL_HELD]  # named, not a 500
    winner = next(r for r in replies if r.status_code == 201).json()
    assert winner["amount"] == "39.99"
    order = Order.objects.get()
    assert str(order.pk) == winner["order_id"] and order.coupon_held and order.coupon == coupon
    coupon.refresh_from_db()
    assert (coupon.redemptions, coupon.reserved) == (2, 1)
    # Losers may have reached Stripe before losing; their intents (never handed out) are canceled,
    # so exactly one discounted intent can ever be paid.
    payable = [i for i in emulator().v1.payment_intents.list().data if i.status != "canceled"]
    assert [i.id for i in payable] == [winner["payment_intent_id"]]

    pay(order)

    coupon.refresh_from_db()
    assert (coupon.redemptions, coupon.reserved) == (3, 0)
    assert_coupon_consistent(coupon, earlier_redemptions=2)
    late = checkout_as(StudentFactory(), course, "LAST")()
    assert late.status_code == 400 and late.json()["coupon"] == [USED_UP]


def test_fully_discounted_checkouts_racing_for_the_last_use_enroll_one(postgres, no_stripe, course):
    """A 100 % coupon needs no Stripe: the race is decided and paid in one transaction."""
    coupon = CouponFactory(course=course, code="FREEBIE", percent_off=100, max_redemptions=1)
    students = StudentFactory.create_batch(RACERS)

    replies = run_together([checkout_as(s, course, "FREEBIE") for s in students])

    statuses = [getattr(r, "status_code", r) for r in replies]
    assert sorted(statuses, key=str) == [201] + [400] * (RACERS - 1), statuses
    coupon.refresh_from_db()
    assert (coupon.redemptions, coupon.reserved) == (1, 0)
    assert Order.objects.filter(status="paid").count() == 1 == Order.objects.count()
    assert Enrollment.objects.filter(course=course, status="active").count() == 1
    course.refresh_from_db()
    assert course.enrollment_count == 1
    assert_coupon_consistent(coupon)


def test_many_buyers_racing_for_a_few_uses_then_paying_at_once_never_pass_the_limit(postgres, stripe_emulator, course):
    """The reported bug: two paid orders both redeeming the last use. Now only orders holding a use
    exist, and all their successes (each delivered twice, at once) redeem exactly the limit."""
    coupon = CouponFactory(course=course, code="TWO", percent_off=10, max_redemptions=2)
    students = StudentFactory.create_batch(RACERS)

    replies = run_together([checkout_as(s, course, "TWO") for s in students])

    statuses = [getattr(r, "status_code", r) for r in replies]
    assert sorted(statuses, key=str) == [201] * 2 + [400] * (RACERS - 2), statuses
    orders = list(Order.objects.filter(coupon=coupon))
    assert len(orders) == 2 and all(o.coupon_held for o in orders)

    payloads = [json.dumps(event("payment_intent.succeeded", intent_object(o))).encode() for o in orders]
    deliveries = run_together(
        [lambda p=p: deliver_raw(p) for p in payloads for _ in range(2)]  # each event delivered twice
    )

    assert sorted(r.json()["outcome"] for r in deliveries) == ["duplicate", "duplicate", "paid", "paid"]
    coupon.refresh_from_db()
    assert (coupon.redemptions, coupon.reserved) == (2, 0)
    assert Enrollment.objects.filter(course=course, status="active").count() == 2
    assert_coupon_consistent(coupon)


def deliver_raw(payload: bytes):
    return APIClient().post(WEBHOOK_URL, data=payload, content_type="application/json", **signed(payload))


def test_a_cancellation_racing_new_checkouts_hands_the_use_on_at_most_once(postgres, stripe_emulator, course):
    coupon = CouponFactory(course=course, code="ONCE", percent_off=10, max_redemptions=1)
    first = StudentFactory()
    holder = checkout_as(first, course, "ONCE")()
    assert holder.status_code == 201
    held = Order.objects.get(pk=holder.json()["order_id"])
    emulator().v1.payment_intents.cancel(held.payment_intent_id)  # e.g. the customer gave up
    canceled = json.dumps(event("payment_intent.canceled", intent_object(held, status="canceled"))).encode()
    others = StudentFactory.create_batch(RACERS - 1)

    replies = run_together([lambda: deliver_raw(canceled)] + [checkout_as(s, course, "ONCE") for s in others])

    assert replies[0].status_code == 200 and replies[0].json()["outcome"] == "failed"
    statuses = [getattr(r, "status_code", r) for r in replies[1:]]
    assert set(statuses) <= {201, 400} and statuses.count(201) <= 1, statuses
    held.refresh_from_db()
    assert held.status == "failed" and not held.coupon_held
    coupon.refresh_from_db()
    assert coupon.reserved == statuses.count(201)
    assert_coupon_consistent(coupon)


def test_one_student_racing_checkouts_with_two_coupons_holds_one_use(postgres, stripe_emulator, course):
    """Swapping coupons while another checkout of the same student runs: one order, holding a use
    of exactly the coupon it records."""
    a = CouponFactory(course=course, code="AAA", percent_off=10, max_redemptions=5)
    b = CouponFactory(course=course, code="BBB", percent_off=20, max_redemptions=5)
    student = StudentFactory()
    assert checkout_as(student, course, "AAA")().status_code == 201

    replies = run_together([checkout_as(student, course, code) for code in ("AAA", "BBB") * 3])

    statuses = [getattr(r, "status_code", r) for r in replies]
    assert set(statuses) <= {201, 409} and 201 in statuses, statuses
    order = Order.objects.get(student=student)
    assert order.coupon_held
    for coupon in (a, b):
        assert_coupon_consistent(coupon)
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.reserved + b.reserved == 1
    assert (a if order.coupon == a else b).reserved == 1
    intent = emulator().v1.payment_intents.retrieve(order.payment_intent_id)
    assert int(intent.amount) == int(order.amount * 100)  # Stripe charges what the order says
