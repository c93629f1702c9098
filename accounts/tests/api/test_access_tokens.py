"""Access tokens in the Authorization header: expired, forged, garbage, deactivated."""

from datetime import timedelta

import jwt
import pytest
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from accounts import services
from accounts.models import Role
from accounts.tests.api.helpers import ME, SIGNED_IN, bearer, login
from accounts.tests.factories import StudentFactory


def test_expired_access_token_is_401(student):
    token = AccessToken.for_user(student)
    token.set_exp(from_time=timezone.now() - timedelta(hours=1), lifetime=timedelta(minutes=1))

    assert bearer(str(token)).get(ME).status_code == 401


def test_fresh_access_token_built_the_same_way_works(student):
    assert bearer(str(AccessToken.for_user(student))).get(ME).status_code == 200


@pytest.mark.parametrize(
    "header",
    [
        "Bearer garbage",
        "Bearer a.b.c",
        "Bearer",
        "Bearer x y",
        "Token abc",
        "Basic Zm9vOmJhcg==",
    ],
)
def test_garbage_authorization_header_is_401(db, header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)

    assert client.get(ME).status_code == 401


def test_token_signed_with_another_key_is_401(student):
    payload = jwt.decode(str(AccessToken.for_user(student)), options={"verify_signature": False})
    forged = jwt.encode(payload, "not-the-signing-key-" * 3, algorithm="HS256")

    assert bearer(forged).get(ME).status_code == 401


def test_refresh_token_as_bearer_is_401(student):
    refresh = login(student.email).json()["refresh"]

    assert bearer(refresh).get(ME).status_code == 401


@pytest.mark.parametrize("role", SIGNED_IN)
def test_deactivated_user_with_unexpired_access_token_is_401(clients, role, admin_user):
    client = clients[role]
    if role == "admin":
        services.user_set_role(actor=None, user=StudentFactory(), role=Role.ADMIN)  # so this admin is not the last
    assert client.get(ME).status_code == 200

    services.user_deactivate(actor=None, user=client.user)

    assert client.get(ME).status_code == 401
