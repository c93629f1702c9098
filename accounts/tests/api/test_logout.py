"""POST /api/v1/auth/logout/: the refresh token is blacklisted; only one's own."""

import pytest
from rest_framework.test import APIClient

from accounts.tests.api.helpers import LOGOUT, REFRESH, SIGNED_IN, bearer, login


@pytest.mark.parametrize("role", SIGNED_IN)
def test_logout_blacklists_the_refresh_token(clients, role):
    user = clients[role].user
    tokens = login(user.email).json()
    client = bearer(tokens["access"])

    r = client.post(LOGOUT, {"refresh": tokens["refresh"]})

    assert r.status_code == 204, r.content
    assert APIClient().post(REFRESH, {"refresh": tokens["refresh"]}).status_code == 401
    assert client.post(LOGOUT, {"refresh": tokens["refresh"]}).status_code == 400


def test_logout_anonymous_is_401(student):
    refresh = login(student.email).json()["refresh"]

    assert APIClient().post(LOGOUT, {"refresh": refresh}).status_code == 401
    assert APIClient().post(REFRESH, {"refresh": refresh}).status_code == 200


@pytest.mark.parametrize(
    ("role", "victim"),
    [
        ("student", "other_student"),
        ("instructor", "other_instructor"),
        ("admin", "student"),
        ("other_instructor", "instructor"),
    ],
)
def test_logout_of_another_users_refresh_is_400(clients, role, victim):
    victim_refresh = login(clients[victim].user.email).json()["refresh"]

    r = clients[role].post(LOGOUT, {"refresh": victim_refresh})

    assert r.status_code == 400
    assert APIClient().post(REFRESH, {"refresh": victim_refresh}).status_code == 200


@pytest.mark.parametrize("body", [{}, {"refresh": "garbage"}])
def test_logout_bad_input_is_400(student_client, body):
    assert student_client.post(LOGOUT, body).status_code == 400


def test_logout_with_access_token_as_refresh_is_400(student):
    tokens = login(student.email).json()

    assert bearer(tokens["access"]).post(LOGOUT, {"refresh": tokens["access"]}).status_code == 400
