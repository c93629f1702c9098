"""POST /api/v1/auth/password/change/: other sessions end, new tokens returned."""

import pytest
from rest_framework.test import APIClient

from accounts.tests.api.helpers import (
    ME,
    NEW_PASSWORD,
    PASSWORD_CHANGE,
    REFRESH,
    SIGNED_IN,
    WEAK_PASSWORDS,
    assert_login_refused,
    bearer,
    login,
)
from accounts.tests.factories import PASSWORD


@pytest.mark.parametrize("role", SIGNED_IN)
def test_password_change(clients, role):
    user = clients[role].user
    session = login(user.email).json()
    other_session = login(user.email).json()
    client = bearer(session["access"])

    r = client.post(PASSWORD_CHANGE, {"old_password": PASSWORD, "new_password": NEW_PASSWORD})

    assert r.status_code == 200, r.content
    new = r.json()
    assert {"access", "refresh"} <= new.keys()
    assert client.get(ME).status_code == 401
    assert bearer(other_session["access"]).get(ME).status_code == 401
    for old in (session["refresh"], other_session["refresh"]):
        assert APIClient().post(REFRESH, {"refresh": old}).status_code == 401
    assert bearer(new["access"]).get(ME).json()["id"] == user.pk
    assert APIClient().post(REFRESH, {"refresh": new["refresh"]}).status_code == 200
    assert_login_refused(user.email, PASSWORD)
    assert login(user.email, NEW_PASSWORD).status_code == 200


def test_password_change_signs_out_rotated_refresh_tokens(student):
    first = login(student.email).json()
    rotated = APIClient().post(REFRESH, {"refresh": first["refresh"]}).json()

    r = bearer(rotated["access"]).post(PASSWORD_CHANGE, {"old_password": PASSWORD, "new_password": NEW_PASSWORD})

    assert r.status_code == 200
    assert APIClient().post(REFRESH, {"refresh": rotated["refresh"]}).status_code == 401


def test_password_change_wrong_old_password(student_client):
    r = student_client.post(PASSWORD_CHANGE, {"old_password": "Wrong-Pass-123", "new_password": NEW_PASSWORD})

    assert r.status_code == 400
    assert "old_password" in r.json()
    assert login(student_client.user.email, PASSWORD).status_code == 200
    assert student_client.get(ME).status_code == 200


@pytest.mark.parametrize("password", WEAK_PASSWORDS)
def test_password_change_weak_new_password(student_client, password):
    r = student_client.post(PASSWORD_CHANGE, {"old_password": PASSWORD, "new_password": password})

    assert r.status_code == 400
    assert "new_password" in r.json()
    assert login(student_client.user.email, PASSWORD).status_code == 200


@pytest.mark.parametrize("missing", ["old_password", "new_password"])
def test_password_change_missing_field(student_client, missing):
    body = {"old_password": PASSWORD, "new_password": NEW_PASSWORD}
    del body[missing]

    r = student_client.post(PASSWORD_CHANGE, body)

    assert r.status_code == 400
    assert missing in r.json()


def test_password_change_anonymous_is_401(anon_client, student):
    r = anon_client.post(PASSWORD_CHANGE, {"old_password": PASSWORD, "new_password": NEW_PASSWORD})

    assert r.status_code == 401
    assert login(student.email, PASSWORD).status_code == 200
