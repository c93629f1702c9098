"""Coupons: CRUD by the course's owner (and admins), and every rule checkout applies."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from courses.models import Enrollment
from courses.tests.factories import CourseFactory, PublishedCourseFactory
from payments.models import Coupon, Order

from .factories import CouponFactory, OrderFactory
from .helpers import pay

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(instructor):
    return PublishedCourseFactory(price=Decimal("49.99"), instructor=instructor)


def coupons_url(course):
    return f"/api/v1/courses/{course.pk}/coupons/"


def checkout(client, course, code):
    return client.post(f"/api/v1/courses/{course.pk}/checkout/", {"coupon": code}, format="json")


# --- CRUD ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("role", ["instructor", "admin"])
def test_the_owner_and_admins_manage_coupons(clients, course, role):
    client = clients[role]
    created = client.post(
        coupons_url(course),
        {"code": "LAUNCH", "percent_off": 25, "max_redemptions": 10, "expires_at": "2099-01-01T00:00:00Z"},
        format="json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["code"] == "LAUNCH" and body["percent_off"] == 25 and body["redemptions"] == 0
    assert body["reserved"] == 0  # read-only: uses held by unpaid orders
    assert body["course"] == course.pk

    listing = client.get(coupons_url(course))
    assert listing.status_code == 200
    assert [c["code"] for c in listing.json()] == ["LAUNCH"]

    url = f"/api/v1/coupons/{body['id']}/"
    assert client.get(url).json()["code"] == "LAUNCH"
    patched = client.patch(url, {"percent_off": None, "amount_off": "5.00", "active": False}, format="json")
    assert patched.status_code == 200, patched.content
    assert patched.json()["amount_off"] == "5.00" and patched.json()["percent_off"] is None
    assert patched.json()["active"] is False

    assert client.delete(url).status_code == 204
    assert not Coupon.objects.exists()


@pytest.mark.parametrize(
    ("role", "expected"), [("anonymous", 401), ("student", 403), ("other_student", 403), ("other_instructor", 403)]
)
def test_others_cannot_manage_coupons(clients, course, role, expected):
    coupon = CouponFactory(course=course)
    url = f"/api/v1/coupons/{coupon.pk}/"
    client = clients[role]

    assert client.get(coupons_url(course)).status_code == expected
    assert client.post(coupons_url(course), {"code": "MINE", "percent_off": 100}, format="json").status_code == expected
    assert client.get(url).status_code == expected
    assert client.patch(url, {"percent_off": 100}, format="json").status_code == expected
    assert client.delete(url).status_code == expected
    coupon.refresh_from_db()
    assert coupon.percent_off == 20 and Coupon.objects.count() == 1


def test_coupons_of_another_instructors_draft_are_not_found(clients, other_instructor):
    draft = CourseFactory(price=Decimal("10.00"), instructor=other_instructor)
    coupon = CouponFactory(course=draft)
    assert clients["instructor"].get(coupons_url(draft)).status_code == 404
    assert clients["instructor"].get(f"/api/v1/coupons/{coupon.pk}/").status_code == 404
    assert clients["student"].delete(f"/api/v1/coupons/{coupon.pk}/").status_code == 404


@pytest.mark.parametrize(
    "body",
    [{"code": "BOTH", "percent_off": 10, "amount_off": "5.00"}, {"code": "NEITHER"}],
    ids=["both", "neither"],
)
def test_a_coupon_has_exactly_one_kind_of_discount(clients, course, body):
    response = clients["instructor"].post(coupons_url(course), body, format="json")
    assert response.status_code == 400
    assert "percent_off" in response.json()
    assert not Coupon.objects.exists()


def test_patching_a_second_kind_of_discount_is_refused(clients, course):
    coupon = CouponFactory(course=course, percent_off=20)
    response = clients["instructor"].patch(f"/api/v1/coupons/{coupon.pk}/", {"amount_off": "5.00"}, format="json")
    assert response.status_code == 400


def test_a_code_is_unique_per_course_whatever_its_case(clients, course):
    CouponFactory(course=course, code="Summer")
    response = clients["instructor"].post(coupons_url(course), {"code": "SUMMER", "percent_off": 5}, format="json")
    assert response.status_code == 400
    assert "code" in response.json()
    other = PublishedCourseFactory(instructor=course.instructor, price=Decimal("20.00"))
    assert clients["instructor"].post(coupons_url(other), {"code": "SUMMER", "percent_off": 5}).status_code == 201


@pytest.mark.parametrize("body", [{"code": "x", "percent_off": 10}, {"code": "OK-CODE", "percent_off": 101}])
def test_bad_coupon_input_is_400(clients, course, body):
    assert clients["instructor"].post(coupons_url(course), body, format="json").status_code == 400


def test_deleting_a_used_coupon_deactivates_it(clients, course, student):
    coupon = CouponFactory(course=course)
    OrderFactory(student=student, course=course, coupon=coupon)
    assert clients["instructor"].delete(f"/api/v1/coupons/{coupon.pk}/").status_code == 204
    coupon.refresh_from_db()
    assert coupon.active is False


# --- checkout rules ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda course: None, "Unknown"),
        (
            lambda course: CouponFactory(course=course, code="SAVE", expires_at=timezone.now() - timedelta(minutes=1)),
            "expired",
        ),
        (lambda course: CouponFactory(course=course, code="SAVE", active=False), "no longer active"),
        (lambda course: CouponFactory(course=course, code="SAVE", max_redemptions=2, redemptions=2), "used up"),
        (lambda course: CouponFactory(code="SAVE"), "Unknown"),  # another course's: never confirmed
    ],
    ids=["unknown", "expired", "inactive", "used-up", "another-course"],
)
def test_each_coupon_rule_is_a_400_naming_coupon(stripe_emulator, clients, course, make, message):
    make(course)
    response = checkout(clients["student"], course, "save")
    assert response.status_code == 400
    assert message in response.json()["coupon"][0]
    assert not Order.objects.filter(course=course).exists()


def test_a_coupon_that_leaves_less_than_the_minimum_charge_is_refused(stripe_emulator, clients, course):
    CouponFactory(course=course, code="ALMOST", percent_off=None, amount_off=Decimal("49.70"))
    response = checkout(clients["student"], course, "ALMOST")
    assert response.status_code == 400 and "coupon" in response.json()


def test_an_amount_off_coupon_lowers_the_price(stripe_emulator, clients, course):
    CouponFactory(course=course, code="TENOFF", percent_off=None, amount_off=Decimal("10.00"))
    response = checkout(clients["student"], course, "TENOFF")
    assert response.status_code == 201
    assert response.json()["amount"] == "39.99"


def test_a_use_is_held_by_the_unpaid_order_and_counted_when_paid(stripe_emulator, clients, course):
    coupon = CouponFactory(course=course, code="ONCE", max_redemptions=1)
    order = Order.objects.get(pk=checkout(clients["student"], course, "ONCE").json()["order_id"])
    coupon.refresh_from_db()
    assert coupon.redemptions == 0
    # The unpaid order holds the only use: nobody else gets it meanwhile.
    assert coupon.reserved == 1
    assert checkout(clients["other_student"], course, "ONCE").status_code == 400

    pay(order)

    coupon.refresh_from_db()
    assert coupon.redemptions == 1


def test_a_used_up_coupon_is_refused_after_payment(webhook_secret, stripe_emulator, clients, course, student):
    coupon = CouponFactory(course=course, code="ONCE", max_redemptions=1)
    pay(OrderFactory(student=student, course=course, coupon=coupon, discount=Decimal("10.00")))
    response = checkout(clients["other_student"], course, "ONCE")
    assert response.status_code == 400 and "used up" in response.json()["coupon"][0]


def test_a_100_percent_coupon_enrolls_without_stripe(no_stripe, clients, student, course):
    coupon = CouponFactory(course=course, code="FREEBIE", percent_off=100)

    response = checkout(clients["student"], course, "freebie")

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["amount"] == "0.00" and body["payment_intent_id"] is None and body["client_secret"] is None
    order = Order.objects.get(pk=body["order_id"])
    assert order.status == "paid"
    assert Enrollment.objects.get(student=student, course=course).source == "paid"
    coupon.refresh_from_db()
    assert coupon.redemptions == 1
    assert checkout(clients["student"], course, "freebie").status_code == 409
