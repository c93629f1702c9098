"""Payments' part of privacy: the export of a person's orders (theirs only, no card data, no client
secret) and the erasure that keeps the orders for accounting without personal data: open orders
closed (their intents canceled at Stripe, their coupon uses and cohort seats given back), client
secrets and decline messages blanked; idempotent, counters right, other people's orders untouched."""

import json
from decimal import Decimal

import pytest
from django.utils import timezone

from courses.models import Enrollment, EnrollmentStatus
from courses.tests.factories import PublishedCourseFactory
from lms.counters import counters_drift
from payments import services
from payments.models import Coupon, Order, OrderStatus
from payments.privacy import payments_erase, payments_export
from payments.services import ERASED_REASON
from privacy import registry
from schedules.models import CohortMember, MemberStatus
from schedules.tests.factories import CohortFactory

from .factories import CouponFactory, OrderFactory
from .helpers import buy_through_emulator, confirm_as_stripe_js, deliver, emulator, event, intent_object

pytestmark = pytest.mark.django_db

SECRET = "pi_test_secret_abc"
DECLINED = "Your card has insufficient funds."


@pytest.fixture
def course(instructor):
    return PublishedCourseFactory(price=Decimal("49.99"), instructor=instructor)


def checkout(client, course, **body):
    response = client.post(f"/api/v1/courses/{course.pk}/checkout/", body, format="json")
    assert response.status_code in (201, 202), response.content
    return response


def order_of(response) -> Order:
    return Order.objects.get(pk=response.json()["order_id"])


def rows(queryset) -> list[dict]:
    return list(queryset.order_by("pk").values())


def coupon_counts(coupon) -> tuple[int, int]:
    coupon.refresh_from_db()
    return coupon.redemptions, coupon.reserved


# --- registration ---------------------------------------------------------------------------------
def test_payments_registers_an_exporter_and_an_eraser_covering_its_user_links():
    exporter = next(e for e in registry.exporters() if e.name == "payments")
    eraser = next(e for e in registry.erasers() if e.name == "payments")
    assert [m._meta.label for m in exporter.models] == ["payments.Order"]
    assert [m._meta.label for m in eraser.models] == ["payments.Order"]
    assert exporter.describe and eraser.policy
    assert not [label for label in registry.uncovered()["erase"] if label.startswith("payments.")]
    assert not [label for label in registry.uncovered()["export"] if label.startswith("payments.")]
    # before the courses eraser, which revokes the enrollment an order settled here made
    assert eraser.order < next(e for e in registry.erasers() if e.name == "courses").order


# --- export ---------------------------------------------------------------------------------------
def test_the_export_lists_the_buyers_orders_only_without_card_data_or_secrets(student, other_student, course):
    coupon = CouponFactory(course=course, code="HALF", percent_off=50)
    paid = OrderFactory(
        student=student,
        course=course,
        coupon=coupon,
        discount=Decimal("25.00"),
        status=OrderStatus.PAID,
        paid_at=timezone.now(),
        client_secret=SECRET,
    )
    failed = OrderFactory(student=student, status=OrderStatus.FAILED, failure_reason=DECLINED)
    theirs = OrderFactory(student=other_student, course=course, client_secret="theirs_secret")

    data = payments_export(student)

    text = json.dumps(data)  # JSON-able as it is
    assert {row["id"] for row in data["orders"]} == {str(paid.pk), str(failed.pk)}
    assert str(theirs.pk) not in text
    assert SECRET not in text and "secret" not in text
    row = next(row for row in data["orders"] if row["id"] == str(paid.pk))
    assert row == {
        "id": str(paid.pk),
        "course_id": course.pk,
        "course_title": course.title,
        "cohort_id": None,
        "coupon_code": "HALF",
        "status": "paid",
        "list_price": "49.99",
        "discount": "25.00",
        "amount": "24.99",
        "currency": paid.currency,
        "payment_intent_id": paid.payment_intent_id,
        "refund_id": "",
        "failure_reason": "",
        "created_at": paid.created_at.isoformat(),
        "updated_at": paid.updated_at.isoformat(),
        "paid_at": paid.paid_at.isoformat(),
        "refunded_at": None,
    }
    assert next(row for row in data["orders"] if row["id"] == str(failed.pk))["failure_reason"] == DECLINED


def test_the_export_of_someone_without_orders_is_empty(student):
    assert payments_export(student) == {"orders": []}


# --- erasure without Stripe -----------------------------------------------------------------------
def test_erasure_keeps_the_orders_for_accounting_and_blanks_what_is_personal(no_stripe, student, other_student, course):
    coupon = CouponFactory(course=course, code="ONCE", max_redemptions=3)
    paid = OrderFactory(
        student=student, course=course, status=OrderStatus.PAID, paid_at=timezone.now(), client_secret=SECRET
    )
    declined = OrderFactory(student=student, status=OrderStatus.FAILED, failure_reason=DECLINED, client_secret=SECRET)
    # An open order holding one of the coupon's uses (as checkout leaves it).
    pending = OrderFactory(
        student=student, course=course, coupon=coupon, coupon_held=True, client_secret=SECRET, payment_intent_id=None
    )
    OrderFactory(student=other_student, course=course, coupon=coupon, coupon_held=True, client_secret="theirs")
    Coupon.objects.filter(pk=coupon.pk).update(reserved=2)
    others_before = rows(Order.objects.filter(student=other_student))

    payments_erase(student)

    paid.refresh_from_db()
    assert (paid.status, paid.amount, paid.client_secret) == ("paid", Decimal("49.99"), "")
    assert paid.paid_at is not None and paid.student_id == student.pk and paid.course_id == course.pk
    declined.refresh_from_db()
    assert (declined.status, declined.failure_reason, declined.client_secret) == ("failed", "", "")
    pending.refresh_from_db()
    assert (pending.status, pending.failure_reason, pending.coupon_held) == ("failed", ERASED_REASON, False)
    assert coupon_counts(coupon) == (0, 1)  # only the other student's hold is left
    assert rows(Order.objects.filter(student=other_student)) == others_before
    assert Order.objects.count() == 4
    assert list(counters_drift()) == []


def test_a_second_erasure_changes_nothing(no_stripe, student, course):
    OrderFactory(student=student, course=course, client_secret=SECRET, payment_intent_id=None)
    OrderFactory(student=student, status=OrderStatus.FAILED, failure_reason=DECLINED)
    payments_erase(student)
    after_first = rows(Order.objects.all())

    assert services.orders_erase_for_user(user=student) == 0

    assert rows(Order.objects.all()) == after_first


def test_without_stripe_configured_an_open_order_with_an_intent_is_closed_without_a_call(no_stripe, student, course):
    order = OrderFactory(student=student, course=course, payment_intent_id="pi_unknown_here")

    assert services.orders_erase_for_user(user=student) == 1

    order.refresh_from_db()
    assert (order.status, order.failure_reason) == ("failed", ERASED_REASON)


# --- erasure with Stripe (the localstripe emulator) -----------------------------------------------
def test_an_open_order_is_canceled_at_stripe_and_its_coupon_use_given_back(
    stripe_emulator, clients, student, other_student, course
):
    coupon = CouponFactory(course=course, code="TWICE", max_redemptions=2)
    mine = order_of(checkout(clients["student"], course, coupon="TWICE"))
    theirs = order_of(checkout(clients["other_student"], course, coupon="TWICE"))
    bought = buy_through_emulator(student, PublishedCourseFactory(price=Decimal("20.00")))
    assert coupon_counts(coupon) == (0, 2)
    others_before = rows(Order.objects.filter(student=other_student))

    assert services.orders_erase_for_user(user=student) == 1

    mine.refresh_from_db()
    assert (mine.status, mine.failure_reason, mine.coupon_held, mine.client_secret) == (
        "failed",
        ERASED_REASON,
        False,
        "",
    )
    assert emulator().v1.payment_intents.retrieve(mine.payment_intent_id).status == "canceled"
    bought.refresh_from_db()
    assert (bought.status, bought.client_secret) == ("paid", "")
    assert coupon_counts(coupon) == (0, 1)
    assert rows(Order.objects.filter(student=other_student)) == others_before
    assert emulator().v1.payment_intents.retrieve(theirs.payment_intent_id).status == "requires_payment_method"
    assert list(counters_drift()) == []

    # Again (a rerun after a crash): the intent is found canceled, nothing changes.
    after_first = rows(Order.objects.all())
    assert services.orders_erase_for_user(user=student) == 0
    assert rows(Order.objects.all()) == after_first


def test_a_declined_order_still_holding_its_use_is_closed_too(stripe_emulator, clients, student, course):
    coupon = CouponFactory(course=course, code="ONCE", max_redemptions=1)
    order = order_of(checkout(clients["student"], course, coupon="ONCE"))
    declined = intent_object(order, status="requires_payment_method")
    declined["last_payment_error"] = {"message": DECLINED}
    deliver(event("payment_intent.payment_failed", declined))
    order.refresh_from_db()
    assert (order.status, order.coupon_held, order.failure_reason) == ("failed", True, DECLINED)

    assert services.orders_erase_for_user(user=student) == 1

    order.refresh_from_db()
    assert (order.status, order.coupon_held, order.failure_reason) == ("failed", False, "")
    assert emulator().v1.payment_intents.retrieve(order.payment_intent_id).status == "canceled"
    assert coupon_counts(coupon) == (0, 0)


def test_an_order_paid_at_stripe_before_its_webhook_is_settled_not_canceled(stripe_emulator, clients, student, course):
    order = order_of(checkout(clients["student"], course))
    assert confirm_as_stripe_js(order.payment_intent_id) == "succeeded"  # no webhook yet

    assert services.orders_erase_for_user(user=student) == 0

    order.refresh_from_db()
    assert (order.status, order.client_secret) == ("paid", "")
    # enrolled, as the webhook would have; the courses eraser (next) revokes it with the others
    assert Enrollment.objects.get(student=student, course=course).status == EnrollmentStatus.ACTIVE


def test_an_open_order_gives_its_cohort_seat_to_the_first_waiting(
    stripe_emulator, clients, student, other_student, instructor
):
    cohort = CohortFactory(course=PublishedCourseFactory(price=Decimal("49.99"), instructor=instructor), capacity=1)
    order = order_of(checkout(clients["student"], cohort.course, cohort=cohort.pk))
    checkout(clients["other_student"], cohort.course, cohort=cohort.pk, waitlist=True)

    services.orders_erase_for_user(user=student)

    order.refresh_from_db()
    assert (order.status, order.seat_held) == ("failed", False)
    assert CohortMember.objects.filter(cohort=cohort, student=student).get().status == MemberStatus.LEFT
    assert CohortMember.objects.filter(cohort=cohort, student=other_student).get().status == MemberStatus.OFFERED
    assert list(counters_drift()) == []
