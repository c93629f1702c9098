"""POST /api/v1/auth/register/: student sign-up, for every role, with good and bad input."""

import pytest
from rest_framework.test import APIClient

from accounts.models import Role, User
from accounts.tests.api.helpers import (
    INSTRUCTOR_REGISTER,
    ME,
    PROFILE_KEYS,
    REFRESH,
    REGISTER,
    WEAK_PASSWORDS,
    bearer,
    login,
    register_body,
)
from conftest import ROLES


@pytest.mark.django_db
def test_register_creates_a_student_and_signs_them_in(anon_client):
    r = anon_client.post(REGISTER, register_body(email="Ada@Example.com"))

    assert r.status_code == 201, r.content
    body = r.json()
    assert body["user"]["email"] == "ada@example.com"
    assert body["user"]["role"] == "student"
    assert not PROFILE_KEYS & body["user"].keys()
    user = User.objects.get(email="ada@example.com")
    assert (user.role, user.is_staff, user.is_superuser, user.is_active) == (Role.STUDENT, False, False, True)
    assert user.check_password("Sup3r-secret-pw")
    me = bearer(body["access"]).get(ME)
    assert me.status_code == 200
    assert me.json()["id"] == user.pk
    assert APIClient().post(REFRESH, {"refresh": body["refresh"]}).status_code == 200


@pytest.mark.parametrize("role", ROLES)
def test_register_ignores_whoever_is_signed_in(clients, role):
    r = clients[role].post(REGISTER, register_body())

    assert r.status_code == 201, r.content
    assert r.json()["user"]["role"] == "student"


def test_register_ignores_a_garbage_token(db):
    client = bearer("garbage")
    assert client.post(REGISTER, register_body()).status_code == 201


@pytest.mark.parametrize("url", [REGISTER, INSTRUCTOR_REGISTER])
def test_register_duplicate_email_in_another_case(anon_client, student, url):
    r = anon_client.post(url, register_body(email=student.email.upper()))

    assert r.status_code == 400
    assert "email" in r.json()
    assert User.objects.filter(email__iexact=student.email).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("url", [REGISTER, INSTRUCTOR_REGISTER])
@pytest.mark.parametrize("password", WEAK_PASSWORDS)
def test_register_rejects_weak_password(anon_client, url, password):
    r = anon_client.post(url, register_body(password=password))

    assert r.status_code == 400
    assert "password" in r.json()
    assert not User.objects.exists()


@pytest.mark.django_db
def test_register_rejects_password_similar_to_email(anon_client):
    r = anon_client.post(REGISTER, register_body(email="lovelace.ada@example.com", password="lovelace.ada"))

    assert r.status_code == 400
    assert "password" in r.json()


@pytest.mark.django_db
@pytest.mark.parametrize("missing", ["email", "password", "first_name", "last_name"])
def test_register_missing_field(anon_client, missing):
    body = register_body()
    del body[missing]

    r = anon_client.post(REGISTER, body)

    assert r.status_code == 400
    assert missing in r.json()
    assert not User.objects.exists()


@pytest.mark.django_db
def test_register_invalid_email(anon_client):
    r = anon_client.post(REGISTER, register_body(email="not-an-email"))

    assert r.status_code == 400
    assert "email" in r.json()


@pytest.mark.django_db
@pytest.mark.parametrize("url", [REGISTER, INSTRUCTOR_REGISTER])
def test_register_ignores_mass_assignment(anon_client, url):
    expected = Role.INSTRUCTOR if url == INSTRUCTOR_REGISTER else Role.STUDENT
    body = register_body(role="admin", is_staff=True, is_superuser=True, is_active=False, id=999)

    r = anon_client.post(url, body)

    assert r.status_code == 201, r.content
    user = User.objects.get(email="ada@example.com")
    assert (user.role, user.is_staff, user.is_superuser, user.is_active) == (expected, False, False, True)
    assert r.json()["user"]["role"] == expected


@pytest.mark.django_db
def test_email_is_normalised(anon_client):
    assert anon_client.post(REGISTER, register_body(email="Foo@Example.COM")).status_code == 201

    for email in ("foo@example.com", "FOO@EXAMPLE.com"):
        r = login(email, "Sup3r-secret-pw")
        assert r.status_code == 200, r.content
        assert r.json()["user"]["email"] == "foo@example.com"
