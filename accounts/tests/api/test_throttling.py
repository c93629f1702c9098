"""The auth throttle: per client address, whoever is signed in, not fooled by X-Forwarded-For."""

import pytest
from django.core import mail
from rest_framework.test import APIClient

from accounts.models import User
from accounts.tests.api.helpers import (
    INSTRUCTOR_LOGIN,
    LOGIN,
    PASSWORD_RESET,
    REGISTER,
    login,
    register_body,
    request_reset,
)
from accounts.tests.factories import PASSWORD
from conftest import ROLES


# THROTTLE_AUTH counts every request to the public auth endpoints per address; a low rate keeps these
# tests short. Failed password checks have limits of their own (test_signin_limits.py).
@pytest.fixture
def auth_rate(settings) -> int:
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "auth": "5/min"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    return 5


def assert_throttled(r):
    assert r.status_code == 429
    assert int(r["Retry-After"]) > 0
    assert "code" not in r.json()  # the rate, not a sign-in lock


def test_login_is_throttled_per_address(student, auth_rate):
    client = APIClient()
    for _ in range(auth_rate):
        assert client.post(LOGIN, {"email": student.email, "password": PASSWORD}).status_code == 200

    assert_throttled(client.post(LOGIN, {"email": student.email, "password": PASSWORD}))
    # Another address is not affected.
    assert client.post(LOGIN, {"email": student.email, "password": PASSWORD}, REMOTE_ADDR="10.1.2.3").status_code == 200


def test_instructor_login_is_throttled(instructor, auth_rate):
    for _ in range(auth_rate):
        assert login(instructor.email, url=INSTRUCTOR_LOGIN).status_code == 200

    assert_throttled(login(instructor.email, url=INSTRUCTOR_LOGIN))


@pytest.mark.django_db
def test_registration_is_throttled(auth_rate):
    client = APIClient()
    for i in range(auth_rate):
        assert client.post(REGISTER, register_body(email=f"u{i}@example.com")).status_code == 201

    r = client.post(REGISTER, register_body(email="one-too-many@example.com"))

    assert_throttled(r)
    assert not User.objects.filter(email="one-too-many@example.com").exists()


def test_password_reset_is_throttled(student, auth_rate, django_capture_on_commit_callbacks):
    client = APIClient()
    for _ in range(auth_rate):
        assert client.post(PASSWORD_RESET, {"email": "nobody@example.com"}).status_code == 204

    r = request_reset(client, student.email, django_capture_on_commit_callbacks)

    assert_throttled(r)
    assert mail.outbox == []


def test_throttle_counts_signed_in_callers_by_address_too(clients, auth_rate):
    for role in ROLES[:auth_rate]:
        clients[role].post(LOGIN, {"email": "nobody@example.com", "password": "x"})

    assert_throttled(clients["admin"].post(LOGIN, {"email": clients["admin"].user.email, "password": PASSWORD}))


def test_login_throttle_cannot_be_bypassed_with_a_spoofed_forwarded_for(student, auth_rate):
    client = APIClient()
    for i in range(auth_rate):
        r = client.post(LOGIN, {"email": student.email, "password": PASSWORD}, HTTP_X_FORWARDED_FOR=f"10.9.9.{i}")
        assert r.status_code == 200

    r = client.post(LOGIN, {"email": student.email, "password": PASSWORD}, HTTP_X_FORWARDED_FOR="10.9.8.7")

    assert_throttled(r)
