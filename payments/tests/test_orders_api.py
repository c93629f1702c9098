"""GET /api/v1/me/orders/, GET /api/v1/orders/{id}/, and revenue in /api/v1/instructor/courses/."""

from decimal import Decimal

import pytest

from courses.tests.factories import PublishedCourseFactory

from .factories import CouponFactory, OrderFactory
from .helpers import deliver, event, intent_object, pay

pytestmark = pytest.mark.django_db


def test_my_orders_lists_only_my_own(clients, student, other_student):
    coupon = CouponFactory(code="HALF", percent_off=50)
    mine = OrderFactory(student=student, course=coupon.course, coupon=coupon, discount=Decimal("25.00"))
    OrderFactory(student=other_student)

    response = clients["student"].get("/api/v1/me/orders/")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1 and {"next", "previous"} <= set(body)
    order = body["results"][0]
    assert order["id"] == str(mine.pk)
    assert order["course"]["id"] == coupon.course.pk
    assert (order["amount"], order["currency"], order["status"], order["coupon"]) == ("24.99", "USD", "pending", "HALF")
    assert {"created_at", "paid_at", "refunded_at"} <= set(order)
    assert "client_secret" not in order


def test_my_orders_needs_sign_in(clients):
    assert clients["anonymous"].get("/api/v1/me/orders/").status_code == 401


def test_admins_see_no_one_elses_orders_in_their_own_list(clients, student):
    OrderFactory(student=student)
    assert clients["admin"].get("/api/v1/me/orders/").json()["count"] == 0


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", 401),
        ("student", 200),
        ("other_student", 404),
        ("instructor", 404),
        ("other_instructor", 404),
        ("admin", 200),
    ],
)
def test_an_order_is_visible_to_its_buyer_and_admins_only(clients, student, instructor, role, expected):
    order = OrderFactory(student=student, course=PublishedCourseFactory(price=Decimal("49.99"), instructor=instructor))
    response = clients[role].get(f"/api/v1/orders/{order.pk}/")
    assert response.status_code == expected
    if expected == 200:
        assert response.json()["id"] == str(order.pk)


def test_an_unknown_or_malformed_order_id_is_404(clients):
    assert clients["admin"].get("/api/v1/orders/3f9b2a52-9d5b-4d2c-8b7e-2d7a9c0b8e11/").status_code == 404
    assert clients["admin"].get("/api/v1/orders/42/").status_code == 404


def test_revenue_counts_paid_orders_that_were_not_refunded(webhook_secret, clients, instructor):
    course = PublishedCourseFactory(price=Decimal("49.99"), instructor=instructor)
    other = PublishedCourseFactory(price=Decimal("30.00"), instructor=instructor)
    foreign = PublishedCourseFactory(price=Decimal("99.00"))
    pay(OrderFactory(course=course))
    pay(OrderFactory(course=course, discount=Decimal("10.00")))
    refunded = pay(OrderFactory(course=course))
    deliver(
        event(
            "charge.refunded",
            {
                "object": "charge",
                "payment_intent": refunded.payment_intent_id,
                "amount": 4999,
                "amount_refunded": 4999,
                "refunded": True,
            },
        )
    )
    OrderFactory(course=course)  # pending
    OrderFactory(course=course, status="failed")
    pay(OrderFactory(course=foreign))
    mismatched = OrderFactory(course=other)
    deliver(event("payment_intent.succeeded", intent_object(mismatched, amount=1)))

    response = clients["instructor"].get("/api/v1/instructor/courses/")

    assert response.status_code == 200
    revenue = {c["id"]: c["revenue"] for c in response.json()["results"]}
    assert revenue == {course.pk: "89.98", other.pk: "0.00"}
