"""The single sign-on endpoints for every role, and their answers to bad input (the full flow against a
real provider is test_flow.py). Nobody needs to be signed in: a signed-in caller, or one sending a
stale token, is treated like anyone else, and a one-time code signs in the account it was issued for,
never the caller's."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.tests.factories import StudentFactory
from activity.models import ActivityEvent, Verb
from conftest import ROLES
from sso import services
from sso.models import LoginCode, PendingLogin
from sso.oidc import _cache_key
from sso.providers import provider_get

from .conftest import CHALLENGE, VERIFIER, fragment, provider_config

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
    response = clients[role].get("/api/v1/auth/oidc/school/start/", {"code_challenge": CHALLENGE})

    assert response.status_code == 302
    assert response["Location"].startswith(DISCOVERY["authorization_endpoint"] + "?")
    assert response.cookies["lms_sso"].value
    assert PendingLogin.objects.get().spa_challenge == CHALLENGE


@pytest.mark.parametrize("role", ROLES)
def test_anyone_reaches_the_callback_and_is_sent_back_to_the_spa(clients, configured, role):
    response = clients[role].get("/api/v1/auth/oidc/school/callback/?code=abc&state=unknown")

    assert response.status_code == 302
    assert fragment(response["Location"])["error"] == "invalid_state"


@pytest.mark.parametrize("role", ROLES)
def test_anyone_holding_a_code_gets_the_tokens_of_its_account_not_their_own(clients, configured, sso_user, role):
    code = services.login_code_issue(user=sso_user, provider="school", code_challenge=CHALLENGE)

    response = clients[role].post(
        "/api/v1/auth/oidc/exchange/", {"code": code, "code_verifier": VERIFIER}, format="json"
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["user"]["id"] == sso_user.pk and body["user"]["email"] == "sso.user@school.test"
    me = APIClient(HTTP_AUTHORIZATION=f"Bearer {body['access']}").get("/api/v1/auth/me/")
    assert me.json()["id"] == sso_user.pk


@pytest.mark.parametrize("role", ROLES)
def test_a_bad_code_is_a_400_for_anyone(clients, configured, role):
    response = clients[role].post(
        "/api/v1/auth/oidc/exchange/", {"code": "nope", "code_verifier": VERIFIER}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {
        "detail": "This sign-in code is not valid. Please sign in again.",
        "code": "code_invalid",
        "field": "code",
    }


def test_a_stale_token_is_ignored_on_every_endpoint(configured, sso_user):
    client = APIClient(HTTP_AUTHORIZATION="Bearer not-a-token")
    code = services.login_code_issue(user=sso_user, provider="school", code_challenge=CHALLENGE)

    assert client.get("/api/v1/auth/oidc/providers/").status_code == 200
    assert client.get("/api/v1/auth/oidc/school/start/", {"code_challenge": CHALLENGE}).status_code == 302
    assert client.get("/api/v1/auth/oidc/school/callback/").status_code == 302
    assert (
        client.post("/api/v1/auth/oidc/exchange/", {"code": code, "code_verifier": VERIFIER}, format="json").status_code
        == 200
    )


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
        ({}, {"code": ["This field is required."], "code_verifier": ["This field is required."]}),
        ({"code_verifier": VERIFIER}, {"code": ["This field is required."]}),
        ({"code": "", "code_verifier": VERIFIER}, {"code": ["This field may not be blank."]}),
        (
            {"code": "x" * 129, "code_verifier": VERIFIER},
            {"code": ["Ensure this field has no more than 128 characters."]},
        ),
        ({"code": ["a", "b"], "code_verifier": VERIFIER}, {"code": ["Not a valid string."]}),
        ({"code": "abc"}, {"code_verifier": ["This field is required."]}),
        ({"code": "abc", "code_verifier": ""}, {"code_verifier": ["This field may not be blank."]}),
        (
            {"code": "abc", "code_verifier": "v" * 42},
            {"code_verifier": ["Ensure this field has at least 43 characters."]},
        ),
        (
            {"code": "abc", "code_verifier": "v" * 129},
            {"code_verifier": ["Ensure this field has no more than 128 characters."]},
        ),
        (
            {"code": "abc", "code_verifier": "v" * 42 + "+"},
            {"code_verifier": ["A code verifier holds only the characters A-Z, a-z, 0-9, '-', '.', '_' and '~'."]},
        ),
        ({"code": "abc", "code_verifier": 12345}, {"code_verifier": ["Ensure this field has at least 43 characters."]}),
    ],
)
def test_a_malformed_exchange_names_the_field(anon_client, configured, body, errors):
    response = anon_client.post("/api/v1/auth/oidc/exchange/", body, format="json")

    assert response.status_code == 400 and response.json() == errors


def test_a_malformed_verifier_leaves_the_code_usable(anon_client, configured, sso_user):
    """A verifier that cannot be one is the SPA's own bug, answered before any code is looked at."""
    code = services.login_code_issue(user=sso_user, provider="school", code_challenge=CHALLENGE)

    bad = anon_client.post("/api/v1/auth/oidc/exchange/", {"code": code, "code_verifier": "short"}, format="json")
    good = anon_client.post("/api/v1/auth/oidc/exchange/", {"code": code, "code_verifier": VERIFIER}, format="json")

    assert bad.status_code == 400 and set(bad.json()) == {"code_verifier"}
    assert good.status_code == 200


@pytest.mark.parametrize("role", ROLES)
def test_an_exchange_with_another_verifier_is_refused_and_kills_the_code(clients, configured, sso_user, role):
    code = services.login_code_issue(user=sso_user, provider="school", code_challenge=CHALLENGE)
    wrong = "W" * 43

    refused = clients[role].post("/api/v1/auth/oidc/exchange/", {"code": code, "code_verifier": wrong}, format="json")
    later = clients[role].post("/api/v1/auth/oidc/exchange/", {"code": code, "code_verifier": VERIFIER}, format="json")

    # the very answer to an unknown code: nothing tells a prober the code exists
    unknown = {
        "detail": "This sign-in code is not valid. Please sign in again.",
        "code": "code_invalid",
        "field": "code",
    }
    assert refused.status_code == 400 and refused.json() == unknown
    assert later.status_code == 400 and later.json()["code"] == "code_used"
    assert LoginCode.objects.get().used_at is not None
    assert not ActivityEvent.objects.filter(actor=sso_user, verb=Verb.USER_LOGGED_IN).exists()


CHALLENGE_INVALID = {
    "detail": "code_challenge must be the BASE64URL (without padding) SHA-256 of a code_verifier of 43 to 128 "
    "characters (A-Z, a-z, 0-9, '-', '.', '_', '~') that the app keeps for the exchange.",
    "code": "code_challenge_invalid",
    "field": "code_challenge",
}


@pytest.mark.parametrize(
    "query",
    [
        "",
        "?code_challenge=",
        "?code_challenge=" + CHALLENGE[:-1],  # 42 characters
        "?code_challenge=" + CHALLENGE + "A",  # 44
        "?code_challenge=" + CHALLENGE + "%3D",  # padded
        "?code_challenge=" + CHALLENGE[:-1] + "%2B",  # base64, not base64url
        "?code_challenge=" + VERIFIER[:42] + ".",  # a verifier's character, not a challenge's
        "?code_challenge=" + CHALLENGE[:-1] + "%0A",
        "?challenge=" + CHALLENGE,
    ],
)
@pytest.mark.parametrize("role", ROLES)
def test_a_start_without_a_well_formed_challenge_is_a_400(clients, configured, role, query):
    response = clients[role].get("/api/v1/auth/oidc/school/start/" + query)

    assert response.status_code == 400, response.content
    assert response.json() == CHALLENGE_INVALID
    assert "lms_sso" not in response.cookies
    assert not PendingLogin.objects.exists()


def test_the_challenge_is_checked_before_the_provider_is_asked(anon_client, settings):
    """Nothing is fetched for a start that cannot finish: a provider that is not even cached answers 400."""
    settings.OIDC_PROVIDERS = {"school": provider_config("http://127.0.0.1:9/nowhere")}

    response = anon_client.get("/api/v1/auth/oidc/school/start/", {"code_challenge": "x"})

    assert response.status_code == 400 and response.json()["code"] == "code_challenge_invalid"


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
        anon_client.post(
            "/api/v1/auth/oidc/exchange/", {"code": "nope", "code_verifier": VERIFIER}, format="json"
        ).status_code
        for _ in range(3)
    ]

    assert statuses == [400, 400, 429]


def test_the_callback_url_given_to_the_provider_is_absolute(configured):
    assert reverse("sso-callback", args=["school"]) == "/api/v1/auth/oidc/school/callback/"


def test_an_error_from_the_provider_is_a_refusal_logged_on_one_line(anon_client, configured, caplog):
    start = anon_client.get("/api/v1/auth/oidc/school/start/", {"code_challenge": CHALLENGE})
    state = parse_qs(urlsplit(start["Location"]).query)["state"][0]

    response = anon_client.get(
        "/api/v1/auth/oidc/school/callback/", {"state": state, "error": "server_error\nFORGED LOG LINE"}
    )

    assert fragment(response["Location"])["error"] == "provider_error"
    lines = [record.getMessage() for record in caplog.records if record.name == "sso.services"]
    assert lines and all("\n" not in line for line in lines), lines
    assert PendingLogin.objects.get().used_at is not None  # that sign-in is over
