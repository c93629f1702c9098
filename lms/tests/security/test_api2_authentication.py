"""OWASP API2:2023 Broken Authentication: every kind of bad token is a 401 with a clear JSON body,
whatever endpoint it is sent to, and sign-in cannot be brute-forced."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import timedelta

import jwt
import pytest
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from accounts import services
from accounts.tests.factories import PASSWORD, StudentFactory

pytestmark = pytest.mark.django_db

ME = "/api/v1/auth/me/"
LOGIN = "/api/v1/auth/login/"
INSTRUCTOR_LOGIN = "/api/v1/auth/instructors/login/"
REFRESH = "/api/v1/auth/token/refresh/"
LOGOUT = "/api/v1/auth/logout/"
# A protected read and a protected write, in two apps.
PROTECTED = [("get", ME), ("get", "/api/v1/me/enrollments/"), ("post", "/api/v1/notifications/read-all/")]


def bearer(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def assert_rejected(response) -> None:
    """401, JSON, says why, and tells the client how to authenticate."""
    assert response.status_code == 401, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["detail"]
    assert body.get("code") in {
        "token_not_valid",
        "user_inactive",
        "user_not_found",
        "authentication_failed",
        "password_changed",
    }, body
    assert response["WWW-Authenticate"].startswith("Bearer")


def _segments(token: str) -> list[str]:
    return token.split(".")


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode()).rstrip(b"=").decode()


def _claims(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


@pytest.fixture
def user():
    return StudentFactory()


@pytest.fixture
def victim():
    return StudentFactory()


def test_a_good_token_works(user):
    response = bearer(services.tokens_for_user(user)["access"]).get(ME)
    assert response.status_code == 200
    assert response.json()["email"] == user.email


@pytest.mark.parametrize(("method", "path"), PROTECTED)
def test_no_token_is_401(method, path):
    response = getattr(APIClient(), method)(path)
    assert response.status_code == 401
    assert response.json()["detail"]
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(("method", "path"), PROTECTED)
def test_expired_access_token(user, method, path):
    token = AccessToken.for_user(user)
    token.set_exp(from_time=timezone.now() - timedelta(hours=1), lifetime=timedelta(minutes=1))
    assert_rejected(getattr(bearer(str(token)), method)(path))


@pytest.mark.parametrize(("method", "path"), PROTECTED)
def test_tampered_payload_keeps_the_old_signature(user, victim, method, path):
    """Swapping the user id in the payload (keeping header and signature) must not sign in as the victim."""
    header, _payload, signature = _segments(services.tokens_for_user(user)["access"])
    claims = _claims(services.tokens_for_user(user)["access"])
    claims["user_id"] = str(victim.pk)
    forged = ".".join([header, _b64(claims), signature])
    assert_rejected(getattr(bearer(forged), method)(path))


def test_token_signed_with_another_secret(user):
    claims = _claims(services.tokens_for_user(user)["access"])
    forged = jwt.encode(claims, "not-our-secret-" + "x" * 40, algorithm="HS256")
    assert_rejected(bearer(forged).get(ME))


@pytest.mark.parametrize("alg", ["none", "None", "NONE"])
def test_alg_none_token(user, alg):
    claims = _claims(services.tokens_for_user(user)["access"])
    unsigned = f"{_b64({'alg': alg, 'typ': 'JWT'})}.{_b64(claims)}."
    assert_rejected(bearer(unsigned).get(ME))


def test_hs256_signed_with_an_empty_key_is_rejected(user):
    claims = _claims(services.tokens_for_user(user)["access"])
    header = _b64({"alg": "HS256", "typ": "JWT"})
    signing_input = f"{header}.{_b64(claims)}".encode()
    signature = base64.urlsafe_b64encode(hmac.new(b"", signing_input, hashlib.sha256).digest()).rstrip(b"=")
    assert_rejected(bearer(f"{signing_input.decode()}.{signature.decode()}").get(ME))


def test_garbage_and_malformed_headers(user):
    for header in ["Bearer", "Bearer ", "Bearer a.b.c", "Bearer " + "A" * 5000, "Bearer \x00"]:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=header)
        response = client.get(ME)
        assert response.status_code == 401, (header[:20], response.content)
        assert response.json()["detail"]


def test_another_auth_scheme_is_not_accepted(user):
    """Session, Basic or Token schemes: only Bearer JWTs authenticate the API."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Basic " + base64.b64encode(f"{user.email}:{PASSWORD}".encode()).decode())
    assert client.get(ME).status_code == 401
    session = APIClient()
    session.force_login(user)  # a Django admin session cookie
    assert session.get(ME).status_code == 401


def test_refresh_token_used_as_access_token(user):
    """Type confusion: a refresh token (long-lived) never opens the API."""
    assert_rejected(bearer(services.tokens_for_user(user)["refresh"]).get(ME))


def test_access_token_used_as_refresh_token(user):
    response = APIClient().post(REFRESH, {"refresh": services.tokens_for_user(user)["access"]}, format="json")
    assert response.status_code == 401, response.content
    assert response.json()["code"] == "token_not_valid"


def test_rotated_refresh_token_is_rejected(user):
    refresh = services.tokens_for_user(user)["refresh"]
    first = APIClient().post(REFRESH, {"refresh": refresh}, format="json")
    assert first.status_code == 200
    assert first.json()["refresh"] != refresh
    again = APIClient().post(REFRESH, {"refresh": refresh}, format="json")
    assert again.status_code == 401, again.content
    assert again.json()["code"] == "token_not_valid"


def test_blacklisted_refresh_after_logout(user):
    tokens = services.tokens_for_user(user)
    assert bearer(tokens["access"]).post(LOGOUT, {"refresh": tokens["refresh"]}, format="json").status_code == 204
    response = APIClient().post(REFRESH, {"refresh": tokens["refresh"]}, format="json")
    assert response.status_code == 401, response.content
    assert response.json()["code"] == "token_not_valid"


def test_logout_cannot_blacklist_someone_elses_refresh(user, victim):
    theirs = services.tokens_for_user(victim)
    response = bearer(services.tokens_for_user(user)["access"]).post(LOGOUT, {"refresh": theirs["refresh"]})
    assert response.status_code == 400
    assert APIClient().post(REFRESH, {"refresh": theirs["refresh"]}, format="json").status_code == 200


def test_deactivated_user_tokens_stop_working_at_once(user):
    tokens = services.tokens_for_user(user)
    services.user_deactivate(actor=None, user=user)
    assert_rejected(bearer(tokens["access"]).get(ME))
    response = APIClient().post(REFRESH, {"refresh": tokens["refresh"]}, format="json")
    assert response.status_code == 401, response.content
    login = APIClient().post(LOGIN, {"email": user.email, "password": PASSWORD}, format="json")
    assert login.status_code == 401


def test_deleted_user_token(user):
    token = services.tokens_for_user(user)["access"]
    user.delete()
    assert_rejected(bearer(token).get(ME))


def test_password_change_revokes_earlier_tokens(user):
    old = services.tokens_for_user(user)
    response = bearer(old["access"]).post(
        "/api/v1/auth/password/change/",
        {"old_password": PASSWORD, "new_password": "A-new-and-long-passphrase-7"},
        format="json",
    )
    assert response.status_code == 200
    assert_rejected(bearer(old["access"]).get(ME))
    assert APIClient().post(REFRESH, {"refresh": old["refresh"]}, format="json").status_code == 401
    assert bearer(response.json()["access"]).get(ME).status_code == 200


def test_token_without_user_claim(user):
    token = AccessToken()
    token.payload.pop("user_id", None)
    assert_rejected(bearer(str(token)).get(ME))


def test_token_for_a_user_id_that_does_not_exist():
    token = AccessToken()
    token["user_id"] = "987654321"
    assert_rejected(bearer(str(token)).get(ME))


def test_refresh_token_signed_with_another_secret(user):
    claims = _claims(str(RefreshToken.for_user(user)))
    forged = jwt.encode(claims, "another-secret-" + "y" * 40, algorithm="HS256")
    assert APIClient().post(REFRESH, {"refresh": forged}, format="json").status_code == 401


# --- sign-in ------------------------------------------------------------------------------------


def test_bad_credentials_are_401_and_do_not_reveal_whether_the_account_exists(user):
    wrong = APIClient().post(LOGIN, {"email": user.email, "password": "wrong-password"}, format="json")
    unknown = APIClient().post(LOGIN, {"email": "nobody@example.org", "password": "wrong-password"}, format="json")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    assert "access" not in wrong.json()


def test_login_brute_force_is_throttled(user):
    client = APIClient()
    statuses = [
        client.post(LOGIN, {"email": user.email, "password": f"guess-{n}"}, format="json").status_code
        for n in range(10)
    ]
    assert statuses == [401] * 10
    blocked = client.post(LOGIN, {"email": user.email, "password": PASSWORD}, format="json")
    assert blocked.status_code == 429, "the right password must not get through once throttled"
    assert int(blocked["Retry-After"]) > 0
    assert "access" not in blocked.json()
    assert blocked.json()["detail"]


def test_brute_force_on_one_account_cannot_spread_over_endpoints_or_addresses(user):
    """Failures count per account whatever the sign-in endpoint and the address they come from."""
    paths = [LOGIN, INSTRUCTOR_LOGIN]
    for n in range(10):
        r = APIClient().post(
            paths[n % 2], {"email": user.email, "password": f"guess-{n}"}, format="json", REMOTE_ADDR=f"10.0.{n}.1"
        )
        assert r.status_code == 401
    right = {"email": user.email, "password": PASSWORD}
    blocked = APIClient().post(LOGIN, right, format="json", REMOTE_ADDR="10.1.0.1")
    assert blocked.status_code == 429
    assert blocked.json()["code"] == "account_locked"


def test_password_spray_cannot_spread_over_accounts_or_endpoints(victim, settings):
    """Failures also count per client address across accounts and sign-in endpoints: a spray of one
    common password over many accounts stops at SIGNIN_ADDRESS_MAX_FAILURES, and then even a right
    password from that address waits."""
    limit = settings.SIGNIN_ADDRESS_MAX_FAILURES
    client, paths = APIClient(), [LOGIN, INSTRUCTOR_LOGIN]
    statuses = [
        client.post(paths[n % 2], {"email": f"user{n}@example.org", "password": "Summer2024!"}).status_code
        for n in range(limit)
    ]
    assert statuses == [401] * limit
    blocked = client.post(LOGIN, {"email": victim.email, "password": PASSWORD}, format="json")
    assert blocked.status_code == 429
    assert blocked.json()["code"] == "too_many_failures"
    assert int(blocked["Retry-After"]) > 0


def test_a_forged_x_forwarded_for_does_not_reset_the_throttle(victim, settings):
    """NUM_PROXIES is 0: the client cannot pick a new address per request to escape the per-address
    failure count."""
    limit = settings.SIGNIN_ADDRESS_MAX_FAILURES
    for n in range(limit):
        APIClient().post(
            LOGIN,
            {"email": f"user{n}@example.org", "password": "x"},
            format="json",
            HTTP_X_FORWARDED_FOR=f"10.0.{n // 250}.{n % 250}",
        )
    response = APIClient().post(
        LOGIN, {"email": victim.email, "password": PASSWORD}, format="json", HTTP_X_FORWARDED_FOR="10.9.9.9"
    )
    assert response.status_code == 429
    assert response.json()["code"] == "too_many_failures"


def test_password_reset_is_throttled_and_does_not_enumerate(user, settings):
    client = APIClient()
    known = client.post("/api/v1/auth/password/reset/", {"email": user.email}, format="json")
    unknown = client.post("/api/v1/auth/password/reset/", {"email": "ghost@example.org"}, format="json")
    assert known.status_code == unknown.status_code == 204
    rate = int(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["auth"].split("/")[0])
    statuses = [
        client.post("/api/v1/auth/password/reset/", {"email": user.email}, format="json").status_code
        for _ in range(rate - 1)
    ]
    assert statuses == [204] * (rate - 2) + [429]
