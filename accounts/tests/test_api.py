"""The /api/v1/auth/ endpoints, for every role, with good and bad input."""

import re
from datetime import timedelta
from html import unescape
from urllib.parse import parse_qs, urlparse

import jwt
import pytest
from django.core import mail
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from accounts import services
from accounts.models import InstructorProfile, Role, User
from accounts.tests.factories import PASSWORD, StudentFactory
from conftest import ROLES, client_for

REGISTER = "/api/v1/auth/register/"
INSTRUCTOR_REGISTER = "/api/v1/auth/instructors/register/"
LOGIN = "/api/v1/auth/login/"
INSTRUCTOR_LOGIN = "/api/v1/auth/instructors/login/"
REFRESH = "/api/v1/auth/token/refresh/"
LOGOUT = "/api/v1/auth/logout/"
ME = "/api/v1/auth/me/"
PASSWORD_CHANGE = "/api/v1/auth/password/change/"
PASSWORD_RESET = "/api/v1/auth/password/reset/"
PASSWORD_RESET_CONFIRM = "/api/v1/auth/password/reset/confirm/"

NEW_PASSWORD = "Brand-New-Pass-77"
SIGNED_IN = tuple(r for r in ROLES if r != "anonymous")
PROFILE_KEYS = {"headline", "bio", "expertise", "website"}
WEAK_PASSWORDS = [
    pytest.param("Ab3-xy", id="too-short"),
    pytest.param("password123", id="common"),
    pytest.param("8302749163524", id="numeric"),
]


def register_body(**overrides):
    return {"email": "ada@example.com", "password": "Sup3r-secret-pw", "first_name": "Ada",
            "last_name": "Lovelace", **overrides}


def bearer(access: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client


def login(email, password=PASSWORD, url=LOGIN):
    return APIClient().post(url, {"email": email, "password": password})


def link_params(url: str) -> tuple[str, str]:
    query = parse_qs(urlparse(url).query)
    return query["uid"][0], query["token"][0]


def reset_link_params(message) -> tuple[str, str]:
    """uid and token from the reset link in the e-mail's HTML part (the text part's link is broken,
    see test_password_reset_text_email_link_is_usable)."""
    html = next(content for content, mimetype in message.alternatives if mimetype == "text/html")
    return link_params(unescape(re.search(r'href="([^"]+)"', html).group(1)))


def assert_login_refused(email, password, url=LOGIN):
    r = login(email, password, url)
    assert r.status_code == 401, r.content
    assert "access" not in r.json()


def request_reset(client, email, capture):
    with capture(execute=True):
        return client.post(PASSWORD_RESET, {"email": email})


# --- register ------------------------------------------------------------------------------------
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


# --- instructor register -------------------------------------------------------------------------
@pytest.mark.django_db
def test_instructor_register_creates_instructor_with_profile(anon_client):
    body = register_body(headline="Data engineer", bio="Ten years of pipelines.", expertise="SQL",
                         website="https://ada.example.com")

    r = anon_client.post(INSTRUCTOR_REGISTER, body)

    assert r.status_code == 201, r.content
    user_data = r.json()["user"]
    assert user_data["role"] == "instructor"
    assert user_data["headline"] == "Data engineer"
    assert user_data["website"] == "https://ada.example.com"
    user = User.objects.get(email="ada@example.com")
    assert (user.role, user.is_staff) == (Role.INSTRUCTOR, False)
    profile = user.instructor_profile
    assert (profile.headline, profile.bio, profile.expertise) == ("Data engineer", "Ten years of pipelines.", "SQL")
    assert login("ada@example.com", "Sup3r-secret-pw", INSTRUCTOR_LOGIN).status_code == 200


@pytest.mark.django_db
def test_instructor_register_profile_fields_are_optional(anon_client):
    r = anon_client.post(INSTRUCTOR_REGISTER, register_body())

    assert r.status_code == 201, r.content
    assert InstructorProfile.objects.filter(user__email="ada@example.com", headline="").exists()


@pytest.mark.django_db
def test_instructor_register_invalid_website(anon_client):
    r = anon_client.post(INSTRUCTOR_REGISTER, register_body(website="not a url"))

    assert r.status_code == 400
    assert "website" in r.json()
    assert not User.objects.exists()


# --- malformed bodies ----------------------------------------------------------------------------
BODY_ENDPOINTS = [
    ("post", REGISTER), ("post", INSTRUCTOR_REGISTER), ("post", LOGIN), ("post", INSTRUCTOR_LOGIN),
    ("post", REFRESH), ("post", LOGOUT), ("patch", ME), ("post", PASSWORD_CHANGE),
    ("post", PASSWORD_RESET), ("post", PASSWORD_RESET_CONFIRM),
]


@pytest.mark.parametrize(("method", "url"), BODY_ENDPOINTS)
def test_malformed_json_is_a_json_400(student_client, method, url):
    r = getattr(student_client, method)(url, data='{"email": "a@b.c", ', content_type="application/json")

    assert r.status_code == 400
    assert r["Content-Type"].startswith("application/json")
    assert "detail" in r.json()


@pytest.mark.parametrize(("method", "url"), BODY_ENDPOINTS)
def test_json_list_instead_of_object_is_a_json_400(student_client, method, url):
    r = getattr(student_client, method)(url, data=[{"email": "a@b.c"}], format="json")

    assert r.status_code == 400
    assert r["Content-Type"].startswith("application/json")
    assert isinstance(r.json(), dict)


# --- login ---------------------------------------------------------------------------------------
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
    services.user_deactivate(user=student)

    assert_login_refused(student.email, PASSWORD)
    assert_login_refused(student.email, PASSWORD, INSTRUCTOR_LOGIN)


def test_login_deactivated_user_is_401(student):
    services.user_deactivate(user=student)

    assert login(student.email).status_code == 401


@pytest.mark.django_db
@pytest.mark.parametrize("missing", ["email", "password"])
def test_login_missing_field(missing):
    body = {"email": "a@example.com", "password": PASSWORD}
    del body[missing]

    r = APIClient().post(LOGIN, body)

    assert r.status_code == 400
    assert missing in r.json()


@pytest.mark.parametrize(("role", "status"), [
    ("student", 403), ("other_student", 403), ("instructor", 200), ("other_instructor", 200), ("admin", 403),
])
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


# --- refresh -------------------------------------------------------------------------------------
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
    services.user_deactivate(user=student)

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


# --- access tokens in the Authorization header ---------------------------------------------------
def test_expired_access_token_is_401(student):
    token = AccessToken.for_user(student)
    token.set_exp(from_time=timezone.now() - timedelta(hours=1), lifetime=timedelta(minutes=1))

    assert bearer(str(token)).get(ME).status_code == 401


def test_fresh_access_token_built_the_same_way_works(student):
    assert bearer(str(AccessToken.for_user(student))).get(ME).status_code == 200


@pytest.mark.parametrize("header", [
    "Bearer garbage", "Bearer a.b.c", "Bearer", "Bearer x y", "Token abc", "Basic Zm9vOmJhcg==",
])
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
        services.user_set_role(user=StudentFactory(), role=Role.ADMIN)  # so this admin is not the last
    assert client.get(ME).status_code == 200

    services.user_deactivate(user=client.user)

    assert client.get(ME).status_code == 401


# --- logout --------------------------------------------------------------------------------------
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


@pytest.mark.parametrize(("role", "victim"), [
    ("student", "other_student"), ("instructor", "other_instructor"), ("admin", "student"),
    ("other_instructor", "instructor"),
])
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


# --- me ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("role", ROLES)
def test_me_get(clients, role):
    client = clients[role]

    r = client.get(ME)

    if role == "anonymous":
        assert r.status_code == 401
        return
    assert r.status_code == 200
    body = r.json()
    user = client.user
    assert {k: body[k] for k in ("id", "email", "first_name", "last_name", "role")} == {
        "id": user.pk, "email": user.email, "first_name": user.first_name, "last_name": user.last_name,
        "role": user.role,
    }
    assert "password" not in body
    if user.role == Role.INSTRUCTOR:
        assert body.keys() >= PROFILE_KEYS
        assert body["headline"] == user.instructor_profile.headline
    else:
        assert not PROFILE_KEYS & body.keys()


@pytest.mark.parametrize("role", SIGNED_IN)
def test_me_patch_names(clients, role):
    client = clients[role]

    r = client.patch(ME, {"first_name": "Grace", "last_name": "Hopper"})

    assert r.status_code == 200, r.content
    assert (r.json()["first_name"], r.json()["last_name"]) == ("Grace", "Hopper")
    client.user.refresh_from_db()
    assert (client.user.first_name, client.user.last_name) == ("Grace", "Hopper")


def test_me_patch_is_partial(student_client):
    last_name = student_client.user.last_name

    r = student_client.patch(ME, {"first_name": "Grace"})

    assert r.status_code == 200
    assert r.json()["last_name"] == last_name


@pytest.mark.parametrize("role", ["instructor", "other_instructor"])
def test_me_patch_instructor_profile(clients, role):
    client = clients[role]
    body = {"headline": "New headline", "bio": "New bio", "expertise": "Rust", "website": "https://x.example.com"}

    r = client.patch(ME, body)

    assert r.status_code == 200, r.content
    assert {k: r.json()[k] for k in body} == body
    profile = InstructorProfile.objects.get(user=client.user)
    assert (profile.headline, profile.bio, profile.expertise, profile.website) == tuple(body.values())


def test_me_patch_profile_fields_ignored_for_students(student_client):
    r = student_client.patch(ME, {"headline": "I am a teacher now"})

    assert r.status_code == 200
    assert "headline" not in r.json()
    assert not InstructorProfile.objects.filter(user=student_client.user).exists()


def test_me_patch_instructor_without_profile_gets_one(db):
    user = StudentFactory(role=Role.INSTRUCTOR)  # an instructor whose profile row went missing

    r = client_for(user).patch(ME, {"headline": "Back again"})

    assert r.status_code == 200, r.content
    assert InstructorProfile.objects.get(user=user).headline == "Back again"


@pytest.mark.parametrize("role", SIGNED_IN)
def test_me_patch_ignores_mass_assignment(clients, role):
    client = clients[role]
    user = client.user
    before = (user.role, user.is_staff, user.is_superuser, user.is_active, user.email)

    r = client.patch(ME, {"role": "admin" if role != "admin" else "student", "is_staff": role != "admin",
                          "is_superuser": role != "admin", "is_active": False, "email": "new@example.com",
                          "id": 12345})

    assert r.status_code == 200, r.content
    assert r.json()["role"] == before[0]
    user.refresh_from_db()
    assert (user.role, user.is_staff, user.is_superuser, user.is_active, user.email) == before


def test_me_patch_anonymous_is_401(anon_client):
    assert anon_client.patch(ME, {"first_name": "X"}).status_code == 401


@pytest.mark.parametrize(("body", "field"), [
    ({"first_name": ""}, "first_name"), ({"first_name": "x" * 151}, "first_name"), ({"website": "nope"}, "website"),
])
def test_me_patch_invalid(instructor_client, body, field):
    r = instructor_client.patch(ME, body)

    assert r.status_code == 400
    assert field in r.json()


def test_admin_role_users_are_staff(admin_client):
    assert admin_client.get(ME).json()["role"] == "admin"
    assert admin_client.user.is_staff and admin_client.user.is_superuser
    assert not User.objects.filter(role=Role.ADMIN, is_staff=False).exists()
    assert not User.objects.exclude(role=Role.ADMIN).filter(is_staff=True).exists()


# --- password change -----------------------------------------------------------------------------
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


# --- password reset ------------------------------------------------------------------------------
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
    services.user_deactivate(user=student)

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

    for bad in ({"uid": uid, "token": token[:-3] + "zzz"}, {"uid": "garbage", "token": token},
                {"uid": "MTIzNDU2Nzg5", "token": token}):
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
    services.user_deactivate(user=student)

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


# --- throttling ----------------------------------------------------------------------------------
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

