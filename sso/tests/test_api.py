"""The single sign-on endpoints for every role, and their answers to bad input (the full flow against a
real provider is test_flow.py). Nobody needs to be signed in: a signed-in caller, or one sending a
stale token, is treated like anyone else, and a one-time code signs in the account it was issued for,
never the caller's."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.tests.factories import StudentFactory
from conftest import ROLES
from sso import services
from sso.models import PendingLogin
from sso.oidc import _cache_key
from sso.providers import provider_get

from .conftest import fragment, provider_config

pytestmark = pytest.mark.django_db
ISSUER = "https://id.example.com/realms/school"
DISCOVERY = {
    "issuer": ISSUER,
    "authorization_endpoint": f"{ISSUER}/protocol/openid-connect/auth",
    "token_endpoint": f"{ISSUER}/protocol/openid-connect/token",
    "jwks_uri": f"{ISSUER}/protocol/openid-connect/certs",
}


@pytest.fixture
def configured(settings):
    """One provider, whose discovery document is in the cache (no network needed to start)."""
    settings.OIDC_PROVIDERS = {
        "school": provider_config(ISSUER, label="My school"),
        "google": provider_config("https://accounts.google.com", label="Google"),
    }
    settings.OIDC_RETURN_URL = "https://app.example.com/sso/callback"
    from django.core.cache import cache

    cache.set(_cache_key("discovery", provider_get("school")), DISCOVERY, 60)
    return settings


@pytest.fixture
def sso_user():
    return StudentFactory(email="sso.user@school.test")


# --- every role ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("role", ROLES)
def test_anyone_lists_the_providers(clients, configured, role):
    response = clients[role].get("/api/v1/auth/oidc/providers/")

    assert response.status_code == 200
    assert response.json() == [{"name": "school", "label": "My school"}, {"name": "google", "label": "Google"}]


@pytest.mark.parametrize("role", ROLES)
def test_anyone_starts_a_sign_in(clients, configured, role):
    response = clients[role].get("/api/v1/auth/oidc/school/start/")

    assert response.status_code == 302
    assert response["Location"].startswith(DISCOVERY["authorization_endpoint"] + "?")
    assert response.cookies["lms_sso"].value
    assert PendingLogin.objects.count() == 1


@pytest.mark.parametrize("role", ROLES)
def test_anyone_reaches_the_callback_and_is_sent_back_to_the_spa(clients, configured, role):
    response = clients[role].get("/api/v1/auth/oidc/school/callback/?code=abc&state=unknown")

    assert response.status_code == 302
    assert fragment(response["Location"])["error"] == "invalid_state"


@pytest.mark.parametrize("role", ROLES)
def test_anyone_holding_a_code_gets_the_tokens_of_its_account_not_their_own(clients, configured, sso_user, role):
    code = services.login_code_issue(user=sso_user, provider="school")

    response = clients[role].post("/api/v1/auth/oidc/exchange/", {"code": code}, format="json")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["user"]["id"] == sso_user.pk and body["user"]["email"] == "sso.user@school.test"
    me = APIClient(HTTP_AUTHORIZATION=f"Bearer {body['access']}").get("/api/v1/auth/me/")
    assert me.json()["id"] == sso_user.pk


@pytest.mark.parametrize("role", ROLES)
def test_a_bad_code_is_a_400_for_anyone(clients, configured, role):
    response = clients[role].post("/api/v1/auth/oidc/exchange/", {"code": "nope"}, format="json")

    assert response.status_code == 400
    assert response.json() == {
        "detail": "This sign-in code is not valid. Please sign in again.",
        "code": "code_invalid",
        "field": "code",
    }


def test_a_stale_token_is_ignored_on_every_endpoint(configured, sso_user):
    client = APIClient(HTTP_AUTHORIZATION="Bearer not-a-token")
    code = services.login_code_issue(user=sso_user, provider="school")

    assert client.get("/api/v1/auth/oidc/providers/").status_code == 200
    assert client.get("/api/v1/auth/oidc/school/start/").status_code == 302
    assert client.get("/api/v1/auth/oidc/school/callback/").status_code == 302
    assert client.post("/api/v1/auth/oidc/exchange/", {"code": code}, format="json").status_code == 200


# --- bad input -------------------------------------------------------------------------------------------
def test_without_providers_the_list_is_empty(anon_client, settings):
    settings.OIDC_PROVIDERS = {}

    assert anon_client.get("/api/v1/auth/oidc/providers/").json() == []


@pytest.mark.parametrize("path", ["/api/v1/auth/oidc/nope/start/", "/api/v1/auth/oidc/nope/callback/?state=x"])
def test_an_unknown_provider_is_a_404(anon_client, configured, path):
    response = anon_client.get(path)

    assert response.status_code == 404
    assert response.json() == {"detail": "No sign-in provider has this name.", "code": "unknown_provider"}
    assert not PendingLogin.objects.exists()


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({}, {"code": ["This field is required."]}),
        ({"code": ""}, {"code": ["This field may not be blank."]}),
        ({"code": "x" * 129}, {"code": ["Ensure this field has no more than 128 characters."]}),
        ({"code": ["a", "b"]}, {"code": ["Not a valid string."]}),
    ],
)
def test_a_malformed_exchange_names_the_field(anon_client, configured, body, errors):
    response = anon_client.post("/api/v1/auth/oidc/exchange/", body, format="json")

    assert response.status_code == 400 and response.json() == errors


def test_a_callback_without_a_state_is_a_refusal_not_an_error(anon_client, configured):
    response = anon_client.get("/api/v1/auth/oidc/school/callback/")

    assert response.status_code == 302
    assert fragment(response["Location"]) == {
        "error": "invalid_request",
        "error_description": "The sign-in answer is incomplete. Please start again.",
    }
    assert response["Cache-Control"] == "no-store" and response["Referrer-Policy"] == "no-referrer"


def test_refusals_are_described_in_the_browser_s_language(anon_client, configured):
    response = anon_client.get("/api/v1/auth/oidc/school/callback/?state=x", HTTP_ACCEPT_LANGUAGE="es")

    answer = fragment(response["Location"])
    assert answer["error"] == "invalid_state" and answer["error_description"]


def test_the_exchange_is_throttled_like_the_login(anon_client, configured, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "auth": "2/min"},
    }
    statuses = [
        anon_client.post("/api/v1/auth/oidc/exchange/", {"code": "nope"}, format="json").status_code for _ in range(3)
    ]

    assert statuses == [400, 400, 429]


def test_the_callback_url_given_to_the_provider_is_absolute(configured):
    assert reverse("sso-callback", args=["school"]) == "/api/v1/auth/oidc/school/callback/"


def test_an_error_from_the_provider_is_a_refusal_logged_on_one_line(anon_client, configured, caplog):
    start = anon_client.get("/api/v1/auth/oidc/school/start/")
    state = parse_qs(urlsplit(start["Location"]).query)["state"][0]

    response = anon_client.get(
        "/api/v1/auth/oidc/school/callback/", {"state": state, "error": "server_error\nFORGED LOG LINE"}
    )

    assert fragment(response["Location"])["error"] == "provider_error"
    lines = [record.getMessage() for record in caplog.records if record.name == "sso.services"]
    assert lines and all("\n" not in line for line in lines), lines
    assert PendingLogin.objects.get().used_at is not None  # that sign-in is over
