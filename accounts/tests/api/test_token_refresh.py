"""POST /api/v1/auth/token/refresh/: rotation, garbage, deactivated and deleted users."""

import pytest
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from accounts import services
from accounts.models import User
from accounts.tests.api.helpers import ME, REFRESH, bearer, login


def test_refresh_rotates(student):
    tokens = login(student.email).json()

    r = APIClient().post(REFRESH, {"refresh": tokens["refresh"]})

    assert r.status_code == 200, r.content
    new = r.json()
    assert new["refresh"] != tokens["refresh"]
    assert bearer(new["access"]).get(ME).json()["id"] == student.pk
    assert APIClient().post(REFRESH, {"refresh": tokens["refresh"]}).status_code == 401
    assert APIClient().post(REFRESH, {"refresh": new["refresh"]}).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(("refresh", "status"), [("garbage", 401), ("a.b.c", 401), ("", 400)])
def test_refresh_garbage(refresh, status):
    r = APIClient().post(REFRESH, {"refresh": refresh})

    assert r.status_code == status
    assert "access" not in r.json()


def test_refresh_with_an_access_token_is_401(student):
    access = login(student.email).json()["access"]

    assert APIClient().post(REFRESH, {"refresh": access}).status_code == 401


@pytest.mark.django_db
def test_refresh_missing_field():
    r = APIClient().post(REFRESH, {})

    assert r.status_code == 400
    assert "refresh" in r.json()


def test_refresh_of_deactivated_user_is_401(student):
    refresh = login(student.email).json()["refresh"]
    services.user_deactivate(actor=None, user=student)

    assert APIClient().post(REFRESH, {"refresh": refresh}).status_code == 401


def test_refresh_of_user_deactivated_outside_the_service_is_401(student):
    refresh = login(student.email).json()["refresh"]
    User.objects.filter(pk=student.pk).update(is_active=False)

    assert APIClient().post(REFRESH, {"refresh": refresh}).status_code == 401


def test_refresh_of_deleted_user_is_401(student):
    # A token whose user no longer exists (deleting a real user would cascade into every app's tables).
    token = RefreshToken.for_user(student)
    token["user_id"] = str(User.objects.order_by("-pk").first().pk + 1000)

    r = APIClient().post(REFRESH, {"refresh": str(token)})

    assert r.status_code == 401
    assert "access" not in r.json()
