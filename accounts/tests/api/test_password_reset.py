"""POST /api/v1/auth/password/reset/ and /reset/confirm/: the e-mailed link, end to end."""

import re

import pytest
from django.core import mail
from rest_framework.test import APIClient

from accounts import services
from accounts.tests.api.helpers import (
    NEW_PASSWORD,
    PASSWORD_RESET,
    PASSWORD_RESET_CONFIRM,
    REFRESH,
    SIGNED_IN,
    WEAK_PASSWORDS,
    assert_login_refused,
    link_params,
    login,
    request_reset,
    reset_link_params,
)
from accounts.tests.factories import PASSWORD
from conftest import ROLES


@pytest.mark.parametrize("role", ROLES)
def test_password_reset_unknown_email_is_204_and_sends_nothing(clients, role, django_capture_on_commit_callbacks):
    r = request_reset(clients[role], "nobody@example.com", django_capture_on_commit_callbacks)

    assert r.status_code == 204
    assert mail.outbox == []


@pytest.mark.parametrize("role", SIGNED_IN)
def test_password_reset_known_email_sends_one_email(clients, role, django_capture_on_commit_callbacks):
    user = clients[role].user

    r = request_reset(APIClient(), user.email.upper(), django_capture_on_commit_callbacks)

    assert r.status_code == 204
    assert not r.content
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [user.email]
    uid, token = reset_link_params(mail.outbox[0])
    assert uid and token


def test_password_reset_inactive_user_is_204_and_sends_nothing(student, django_capture_on_commit_callbacks):
    services.user_deactivate(actor=None, user=student)

    r = request_reset(APIClient(), student.email, django_capture_on_commit_callbacks)

    assert r.status_code == 204
    assert mail.outbox == []


@pytest.mark.django_db
@pytest.mark.parametrize("body", [{}, {"email": "not-an-email"}])
def test_password_reset_bad_input(body):
    r = APIClient().post(PASSWORD_RESET, body)

    assert r.status_code == 400
    assert "email" in r.json()


def test_password_reset_full_flow(student, django_capture_on_commit_callbacks):
    old_refresh = login(student.email).json()["refresh"]
    request_reset(APIClient(), student.email, django_capture_on_commit_callbacks)
    uid, token = reset_link_params(mail.outbox[0])
    body = {"uid": uid, "token": token, "new_password": NEW_PASSWORD}

    r = APIClient().post(PASSWORD_RESET_CONFIRM, body)

    assert r.status_code == 204, r.content
    again = APIClient().post(PASSWORD_RESET_CONFIRM, {**body, "new_password": "Third-Str0ng-Pass"})
    assert again.status_code == 400
    assert "token" in again.json()
    assert_login_refused(student.email, PASSWORD)
    assert login(student.email, NEW_PASSWORD).status_code == 200
    assert APIClient().post(REFRESH, {"refresh": old_refresh}).status_code == 401


def test_password_reset_text_email_link_is_usable(student, django_capture_on_commit_callbacks):
    request_reset(APIClient(), student.email, django_capture_on_commit_callbacks)
    url = re.search(r"https?://\S+", mail.outbox[0].body).group(0)

    uid, token = link_params(url)

    r = APIClient().post(PASSWORD_RESET_CONFIRM, {"uid": uid, "token": token, "new_password": NEW_PASSWORD})
    assert r.status_code == 204


def test_password_reset_confirm_bad_token(student, django_capture_on_commit_callbacks):
    request_reset(APIClient(), student.email, django_capture_on_commit_callbacks)
    uid, token = reset_link_params(mail.outbox[0])

    for bad in (
        {"uid": uid, "token": token[:-3] + "zzz"},
        {"uid": "garbage", "token": token},
        {"uid": "MTIzNDU2Nzg5", "token": token},
    ):
        r = APIClient().post(PASSWORD_RESET_CONFIRM, {**bad, "new_password": NEW_PASSWORD})
        assert r.status_code == 400, bad
        assert "token" in r.json()
    assert login(student.email, PASSWORD).status_code == 200


@pytest.mark.parametrize("password", WEAK_PASSWORDS)
def test_password_reset_confirm_weak_password(student, password, django_capture_on_commit_callbacks):
    request_reset(APIClient(), student.email, django_capture_on_commit_callbacks)
    uid, token = reset_link_params(mail.outbox[0])

    r = APIClient().post(PASSWORD_RESET_CONFIRM, {"uid": uid, "token": token, "new_password": password})

    assert r.status_code == 400
    assert "new_password" in r.json()
    # Nothing changed, so the link still works with a good password.
    ok = APIClient().post(PASSWORD_RESET_CONFIRM, {"uid": uid, "token": token, "new_password": NEW_PASSWORD})
    assert ok.status_code == 204


def test_password_reset_confirm_for_deactivated_user_is_400(student, django_capture_on_commit_callbacks):
    request_reset(APIClient(), student.email, django_capture_on_commit_callbacks)
    uid, token = reset_link_params(mail.outbox[0])
    services.user_deactivate(actor=None, user=student)

    r = APIClient().post(PASSWORD_RESET_CONFIRM, {"uid": uid, "token": token, "new_password": NEW_PASSWORD})

    assert r.status_code == 400


@pytest.mark.django_db
@pytest.mark.parametrize("missing", ["uid", "token", "new_password"])
def test_password_reset_confirm_missing_field(missing):
    body = {"uid": "MQ", "token": "abc-def", "new_password": NEW_PASSWORD}
    del body[missing]

    r = APIClient().post(PASSWORD_RESET_CONFIRM, body)

    assert r.status_code == 400
    assert missing in r.json()
