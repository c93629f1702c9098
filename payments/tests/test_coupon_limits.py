"""Coupon codes cannot be probed: a code of another course gets exactly the answer of a code that
does not exist, and refused codes are limited per user (COUPON_FAILURES_PER_USER within
COUPON_FAILURE_WINDOW_MINUTES, then 429 with Retry-After for the window, a right code included).
Only refusals count; the limit fails open when the cache is down."""

import logging
import socket
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from accounts.tests.factories import StudentFactory
from conftest import client_for
from courses.tests.factories import PublishedCourseFactory
from payments.models import Order

from .factories import CouponFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def course():
    return PublishedCourseFactory(price=Decimal("49.99"))


@pytest.fixture
def limits(settings):
    settings.COUPON_FAILURES_PER_USER = 10
    settings.COUPON_FAILURE_WINDOW_MINUTES = 15


def checkout(client, course, coupon=None):
    return client.post(f"/api/v1/courses/{course.pk}/checkout/", {"coupon": coupon} if coupon else {})


def answer(response) -> tuple:
    return response.status_code, response.json(), response.get("Retry-After")


def test_another_courses_code_gets_the_answer_of_an_unknown_one(stripe_emulator, limits, student, course):
    CouponFactory(course=PublishedCourseFactory(price=Decimal("20.00")), code="ELSEWHERE", percent_off=50)
    buyer = client_for(student)

    elsewhere = checkout(buyer, course, "ELSEWHERE")
    unknown = checkout(buyer, course, "NOWHERE1")

    assert answer(elsewhere) == answer(unknown) == (400, {"coupon": ["Unknown coupon code."]}, None)
    assert not Order.objects.exists()


def test_after_ten_refused_codes_every_coupon_checkout_is_429_for_the_window(stripe_emulator, limits, course):
    CouponFactory(course=course, code="RIGHT10", percent_off=10)
    student, other = StudentFactory(), StudentFactory()
    buyer = client_for(student)

    guesses = [checkout(buyer, course, f"GUESS{n:02d}") for n in range(10)]
    assert [r.status_code for r in guesses] == [400] * 10

    locked = checkout(buyer, course, "GUESS10")
    assert locked.status_code == 429
    assert locked.json()["code"] == "too_many_coupon_failures"
    assert 14 * 60 < int(locked["Retry-After"]) <= 15 * 60
    # While locked, the right code is refused too (or the lock would mean nothing) ...
    assert checkout(buyer, course, "RIGHT10").status_code == 429
    assert not Order.objects.exists()
    # ... but buying without a coupon goes on, and other users are not affected.
    assert checkout(client_for(other), course, "RIGHT10").status_code == 201
    assert checkout(buyer, course).status_code == 201

    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        response = checkout(client_for(student), course, "RIGHT10")  # a fresh token: the old one expired
    assert response.status_code == 201, response.content
    assert response.json()["discount"] == "5.00"


def test_sixty_quick_guesses_get_ten_answers(stripe_emulator, limits, student, course):
    """The probe of the report: 60 guesses in a few seconds. Ten are answered, the rest are 429."""
    buyer = client_for(student)
    statuses = [checkout(buyer, course, f"PROBE{n:02d}").status_code for n in range(60)]
    assert statuses == [400] * 10 + [429] * 50


def test_only_refused_codes_count(stripe_emulator, limits, student, course):
    CouponFactory(course=course, code="RIGHT10", percent_off=10)
    buyer = client_for(student)
    for _ in range(9):
        assert checkout(buyer, course, "WRONG").status_code == 400
    for _ in range(20):  # the same pending order, checked out again with the right code
        assert checkout(buyer, course, "RIGHT10").status_code == 201
    assert checkout(buyer, course, "WRONG").status_code == 400  # the tenth refusal
    assert checkout(buyer, course, "RIGHT10").status_code == 429


@pytest.mark.parametrize(
    "make",
    [
        lambda course: CouponFactory(course=course, code="OLD", expires_at=timezone.now() - timedelta(days=1)),
        lambda course: CouponFactory(course=course, code="OLD", active=False),
        lambda course: CouponFactory(course=course, code="OLD", max_redemptions=1, redemptions=1),
    ],
    ids=["expired", "inactive", "used-up"],
)
def test_this_courses_unusable_codes_say_why_and_count_as_refusals(stripe_emulator, limits, student, course, make):
    make(course)
    buyer = client_for(student)
    replies = [checkout(buyer, course, "OLD") for _ in range(11)]
    assert replies[0].status_code == 400 and "Unknown" not in replies[0].json()["coupon"][0]
    assert [r.status_code for r in replies] == [400] * 10 + [429]


def test_the_limit_fails_open_when_the_cache_is_down(
    stripe_emulator, limits, settings, monkeypatch, student, course, caplog
):
    monkeypatch.setattr("lms.cache._last_logged", {})  # logged once a minute: maybe by an earlier test
    with socket.socket() as s:  # a port nobody listens on: every cache call is refused at once
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings.CACHES = {"default": {"BACKEND": "lms.cache.RedisCache", "LOCATION": f"redis://127.0.0.1:{port}/0"}}
    caplog.set_level(logging.WARNING)
    CouponFactory(course=course, code="RIGHT10", percent_off=10)
    buyer = client_for(student)

    assert [checkout(buyer, course, f"GUESS{n:02d}").status_code for n in range(12)] == [400] * 12
    assert checkout(buyer, course, "RIGHT10").status_code == 201
    assert "coupon limits goes on without it" in caplog.text
