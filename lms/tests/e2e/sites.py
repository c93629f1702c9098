"""The site under test and how a scenario gets its data there.

Two modes share every scenario:

- in the normal suite, `live_server` (this process, the test database): the data comes from the
  factories and is checked in the database;
- with LMS_E2E_URL set, a running deployment whose database this process cannot reach: the data is
  made the way a user would make it, over the HTTP API (sign-ups, an instructor's course, a
  checkout paid at the Stripe emulator the server uses), and checked over the API as the admin.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from dataclasses import dataclass
from decimal import Decimal

import pytest
import requests

PASSWORD = "Correct-Horse-42"
STACK_URL = os.environ.get("LMS_E2E_URL", "").rstrip("/")
# Stack mode: the admin's JWT, fetched once per test process. Login shares THROTTLE_AUTH (120 a minute
# per address by default) with sign-up, and the scenarios sign several people up.
_STACK_TOKENS: dict[tuple[str, str], str] = {}


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


@dataclass
class Account:
    email: str
    password: str = PASSWORD
    pk: int | None = None
    access: str | None = None  # a JWT, when the account was made over the API


@dataclass
class CourseRef:
    pk: int
    title: str


@dataclass
class OrderRef:
    pk: str
    student: Account
    course: CourseRef


class Api:
    """JSON over HTTP to the site, as any client would call it."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.session = requests.Session()

    def call(self, method: str, path: str, *, token: str | None = None, expect: int = 200, **kwargs) -> dict:
        headers = kwargs.pop("headers", {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        for _ in range(2):
            response = self.session.request(method, self.base_url + path, headers=headers, timeout=20, **kwargs)
            retry_after = response.headers.get("Retry-After", "")
            # Sign-up and login share a strict per-address rate (THROTTLE_AUTH): wait it out once.
            if response.status_code != 429 or not retry_after.isdigit() or int(retry_after) > 60:
                break
            time.sleep(int(retry_after) + 0.5)
        assert response.status_code == expect, f"{method} {path}: {response.status_code} {response.text[:500]}"
        return response.json() if response.content else {}

    def login(self, account: Account) -> str:
        body = self.call("POST", "/api/v1/auth/login/", json={"email": account.email, "password": account.password})
        return body["access"]


@dataclass
class Site:
    url: str
    admin: Account
    seed: FactorySeeder | ApiSeeder
    mode: str  # "live_server" or "stack"


class FactorySeeder:
    """live_server mode: factories in, database out."""

    def __init__(self, request, site_url: str, admin: Account) -> None:
        self._request = request
        self.api = Api(site_url)
        self.admin = admin

    @property
    def admin_token(self) -> str:
        """A fresh JWT from the login endpoint (the database is new for every test)."""
        return self.api.login(self.admin)

    def student(self) -> Account:
        from accounts.tests.factories import StudentFactory

        user = StudentFactory(email=f"{unique('e2e-student')}@example.com", password=PASSWORD)
        return Account(email=user.email, pk=user.pk)

    def published_course(self) -> CourseRef:
        from courses.tests.factories import PublishedCourseFactory

        course = PublishedCourseFactory(title=unique("E2E course"))
        return CourseRef(pk=course.pk, title=course.title)

    def paid_order(self) -> OrderRef:
        """Checkout over the API, confirmed at localstripe, paid by the signed webhook (as Stripe does)."""
        from accounts.tests.factories import StudentFactory
        from courses.tests.factories import PublishedCourseFactory
        from payments.tests.helpers import buy_through_emulator

        self._request.getfixturevalue("stripe_emulator")
        student = StudentFactory(email=f"{unique('e2e-buyer')}@example.com")
        course = PublishedCourseFactory(title=unique("E2E paid course"), price=Decimal("49.99"))
        order = buy_through_emulator(student, course)
        return OrderRef(
            pk=str(order.pk),
            student=Account(email=student.email, pk=student.pk),
            course=CourseRef(pk=course.pk, title=course.title),
        )

    def role_of(self, account: Account) -> str:
        from accounts.models import User

        return User.objects.get(pk=account.pk).role

    def course_status(self, course: CourseRef) -> str:
        from courses.models import Course

        return Course.objects.get(pk=course.pk).status

    def order_state(self, order: OrderRef) -> dict:
        from courses.models import Enrollment
        from payments.models import Order

        row = Order.objects.get(pk=order.pk)
        enrollment = Enrollment.objects.get(student_id=order.student.pk, course_id=order.course.pk)
        return {"status": row.status, "refund_id": row.refund_id, "enrollment": enrollment.status}


class ApiSeeder:
    """Stack mode: the data made over the API, as users make it; checked over the API."""

    def __init__(self, site_url: str, admin: Account) -> None:
        self.api = Api(site_url)
        self.admin = admin

    @property
    def admin_token(self) -> str:
        """A JWT from the login endpoint, one per test process (access tokens last 15 minutes)."""
        key = (self.api.base_url, self.admin.email)
        if key not in _STACK_TOKENS:
            _STACK_TOKENS[key] = self.api.login(self.admin)
        return _STACK_TOKENS[key]

    def _register(self, path: str, prefix: str, **extra) -> Account:
        email = f"{unique(prefix)}@example.com"
        body = self.api.call(
            "POST",
            path,
            expect=201,
            json={"email": email, "password": PASSWORD, "first_name": "E2e", "last_name": "Tester", **extra},
        )
        return Account(email=email, pk=body["user"]["id"], access=body["access"])

    def student(self) -> Account:
        return self._register("/api/v1/auth/register/", "e2e-student")

    def _course(self, *, price: str) -> tuple[Account, CourseRef]:
        teacher = self._register("/api/v1/auth/instructors/register/", "e2e-instructor", headline="Teaches")
        title = unique("E2E course")
        call, token = self.api.call, teacher.access
        fields = {"title": title, "price": price, "currency": "USD"}
        course = call("POST", "/api/v1/courses/", token=token, expect=201, json=fields)["id"]
        section = call("POST", f"/api/v1/courses/{course}/sections/", token=token, expect=201, json={"title": "One"})
        call("POST", f"/api/v1/sections/{section['id']}/lessons/", token=token, expect=201, json={"title": "First"})
        call("POST", f"/api/v1/courses/{course}/publish/", token=token)
        return teacher, CourseRef(pk=course, title=title)

    def published_course(self) -> CourseRef:
        return self._course(price="0.00")[1]

    def paid_order(self) -> OrderRef:
        """Needs the server to use a Stripe emulator this process can reach too, and its webhook
        secret: LMS_E2E_STRIPE_API_BASE and LMS_E2E_STRIPE_WEBHOOK_SECRET."""
        import stripe

        from conftest import stripe_signature

        api_base = os.environ.get("LMS_E2E_STRIPE_API_BASE", "")
        secret = os.environ.get("LMS_E2E_STRIPE_WEBHOOK_SECRET", "")
        if not (api_base and secret):
            pytest.skip(
                "a paid order on a running server needs its Stripe emulator and webhook secret: "
                "set LMS_E2E_STRIPE_API_BASE and LMS_E2E_STRIPE_WEBHOOK_SECRET"
            )
        _, course = self._course(price="49.99")
        buyer = self.student()
        checkout = self.api.call("POST", f"/api/v1/courses/{course.pk}/checkout/", token=buyer.access, expect=201)
        # What Stripe.js does in the browser, then what Stripe sends: the signed succeeded event.
        client = stripe.StripeClient(
            os.environ.get("LMS_E2E_STRIPE_SECRET_KEY", "sk_test_local"), base_addresses={"api": api_base}
        )
        intent_id = checkout["payment_intent_id"]
        card = {"number": "4242424242424242", "exp_month": 12, "exp_year": 2034, "cvc": "123"}
        method = client.v1.payment_methods.create(params={"type": "card", "card": card})
        client.v1.payment_intents.update(intent_id, params={"payment_method": method.id})
        assert client.v1.payment_intents.confirm(intent_id).status == "succeeded"
        intent = client.v1.payment_intents.retrieve(intent_id).to_dict()
        event = {
            "id": f"evt_{uuid.uuid4().hex[:24]}",
            "object": "event",
            "api_version": "2024-06-20",
            "created": int(time.time()),
            "livemode": False,
            "type": "payment_intent.succeeded",
            "data": {"object": intent},
        }
        payload = json.dumps(event).encode()
        self.api.call(
            "POST",
            "/api/v1/payments/stripe/webhook/",
            data=payload,
            headers={"Content-Type": "application/json", "Stripe-Signature": stripe_signature(payload, secret)},
        )
        order = OrderRef(pk=str(checkout["order_id"]), student=buyer, course=course)
        assert self.order_state(order)["status"] == "paid"
        return order

    def role_of(self, account: Account) -> str:
        found = self.api.call("GET", "/api/v1/admin/users/", token=self.admin_token, params={"search": account.email})
        return next(u["role"] for u in found["results"] if u["email"] == account.email)

    def course_status(self, course: CourseRef) -> str:
        return self.api.call("GET", f"/api/v1/courses/{course.pk}/", token=self.admin_token)["status"]

    def order_state(self, order: OrderRef) -> dict:
        token = order.student.access
        orders = self.api.call("GET", "/api/v1/me/orders/", token=token)
        row = next(o for o in orders["results"] if str(o["id"]) == order.pk)
        enrollments = self.api.call("GET", "/api/v1/me/enrollments/", token=token)["results"]
        enrollment = next((e["status"] for e in enrollments if e["course"]["id"] == order.course.pk), None)
        return {"status": row["status"], "refund_id": row.get("refund_id"), "enrollment": enrollment}
