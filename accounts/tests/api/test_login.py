"""POST /api/v1/auth/login/ and /auth/instructors/login/, for every role."""

import pytest
from rest_framework.test import APIClient

from accounts import services
from accounts.tests.api.helpers import INSTRUCTOR_LOGIN, LOGIN, ME, SIGNED_IN, assert_login_refused, bearer, login
from accounts.tests.factories import PASSWORD


@pytest.mark.parametrize("role", SIGNED_IN)
def test_login_every_role(clients, role):
    user = clients[role].user

    r = login(user.email)

    assert r.status_code == 200, r.content
    body = r.json()
    assert body["user"]["id"] == user.pk
    assert body["user"]["role"] == user.role
    assert {"access", "refresh"} <= body.keys()
    assert bearer(body["access"]).get(ME).json()["id"] == user.pk
    user.refresh_from_db()
    assert user.last_login is not None


def test_login_wrong_password_and_unknown_email_are_refused_alike(student):
    wrong = login(student.email, "Wrong-Pass-123")
    unknown = login("nobody@example.com")

    assert wrong.status_code == unknown.status_code
    assert wrong.json() == unknown.json()
    assert "access" not in wrong.json()
    assert "refresh" not in wrong.json()


def test_login_wrong_password_and_unknown_email_are_the_same_401(student):
    wrong = login(student.email, "Wrong-Pass-123")
    unknown = login("nobody@example.com")

    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    assert "access" not in wrong.json()


def test_login_deactivated_user_is_refused(student):
    services.user_deactivate(actor=None, user=student)

    assert_login_refused(student.email, PASSWORD)
    assert_login_refused(student.email, PASSWORD, INSTRUCTOR_LOGIN)


def test_login_deactivated_user_is_401(student):
    services.user_deactivate(actor=None, user=student)

    assert login(student.email).status_code == 401


@pytest.mark.django_db
@pytest.mark.parametrize("missing", ["email", "password"])
def test_login_missing_field(missing):
    body = {"email": "a@example.com", "password": PASSWORD}
    del body[missing]

    r = APIClient().post(LOGIN, body)

    assert r.status_code == 400
    assert missing in r.json()


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("student", 403),
        ("other_student", 403),
        ("instructor", 200),
        ("other_instructor", 200),
        ("admin", 403),
    ],
)
def test_instructor_login_by_role(clients, role, status):
    user = clients[role].user

    r = login(user.email, url=INSTRUCTOR_LOGIN)

    assert r.status_code == status, r.content
    if status == 200:
        assert r.json()["user"]["role"] == "instructor"
        assert r.json()["user"]["id"] == user.pk
    else:
        assert "access" not in r.json()


@pytest.mark.parametrize("role", ["student", "instructor", "admin"])
def test_instructor_login_wrong_password_is_401_whatever_the_role(clients, role):
    r = login(clients[role].user.email, "Wrong-Pass-123", INSTRUCTOR_LOGIN)

    assert r.status_code == 401
