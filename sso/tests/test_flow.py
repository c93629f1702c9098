"""Single sign-on end to end against a real OpenID Connect provider on loopback (django-oauth-toolkit,
sso/tests/provider/): start -> the provider's authorize endpoint (signed in there, consent skipped)
-> our callback -> the return page's one-time code -> the exchange. Every refusal the README lists is
provoked for real here, not mocked."""

import logging
import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.cache import cache
from django.utils import timezone
from rest_framework.test import APIClient

from accounts import services as accounts
from accounts.models import InstructorProfile, Role, User
from accounts.tests.factories import AdminFactory, InstructorFactory, StudentFactory
from activity.models import ActivityEvent, Verb
from sso.models import IdentityLink, LoginCode, PendingLogin
from sso.oidc import _cache_key
from sso.providers import provider_get
from sso.services import _hash

from .conftest import CHALLENGE, fragment, provider_config

# About 15 s: the provider's start (~4 s) and some 40 sign-ins through it.
pytestmark = [pytest.mark.django_db, pytest.mark.slow]
JWT = re.compile(r"eyJ[\w-]{8,}\.eyJ[\w-]{8,}\.[\w-]{8,}")


def refused(response) -> str:
    """The refusal's code, from a redirect to the return page (never a 4xx/5xx page)."""
    assert response.status_code == 302, (response.status_code, response.content[:300])
    answer = fragment(response["Location"])
    assert set(answer) == {"error", "error_description"}, answer
    assert answer["error_description"]
    return answer["error"]


def signed_in(flow, name: str = "school") -> tuple[dict, User]:
    """The whole flow with `flow`'s browser: the exchange's body and the account signed in."""
    answer = flow.sign_in(name)
    assert set(answer) == {"code"}, answer
    response = flow.exchange(answer["code"])
    assert response.status_code == 200, response.content
    body = response.json()
    return body, User.objects.get(pk=body["user"]["id"])


# --- the happy paths ------------------------------------------------------------------------------
def test_a_first_sign_in_creates_a_student_linked_to_the_identity(flow):
    ada = flow("ada", email="Ada@School.test", given_name="Ada", family_name="Lovelace")

    body, user = signed_in(ada)

    assert set(body) == {"access", "refresh", "user"}
    assert body["user"]["email"] == "ada@school.test" and body["user"]["role"] == "student"
    assert (user.first_name, user.last_name, user.role, user.is_active) == ("Ada", "Lovelace", Role.STUDENT, True)
    link = IdentityLink.objects.get(user=user)
    assert (link.provider, link.subject, link.email) == ("school", ada.browser.sub, "ada@school.test")
    assert link.last_used_at is not None
    # what a sign-up and a login do: the sign-up's activity, last_login, the login's activity
    assert ActivityEvent.objects.filter(actor=user, verb=Verb.USER_SIGNED_UP, metadata={"role": "student"}).exists()
    assert ActivityEvent.objects.filter(actor=user, verb=Verb.USER_LOGGED_IN).count() == 1
    assert user.last_login is not None
    # the tokens work
    me = APIClient(HTTP_AUTHORIZATION=f"Bearer {body['access']}").get("/api/v1/auth/me/")
    assert me.status_code == 200 and me.json()["id"] == user.pk
    refreshed = APIClient().post("/api/v1/auth/token/refresh/", {"refresh": body["refresh"]}, format="json")
    assert refreshed.status_code == 200


def test_a_second_sign_in_reuses_the_link_even_after_the_e_mail_changed_at_the_provider(flow, provider_server):
    _, first = signed_in(flow("grace", email="grace@school.test"))
    later = flow("grace", email="grace.hopper@school.test")  # the same person (sub), a new address

    _, second = signed_in(later)

    assert second.pk == first.pk
    assert User.objects.count() == 1 and IdentityLink.objects.count() == 1
    assert ActivityEvent.objects.filter(actor=first, verb=Verb.USER_LOGGED_IN).count() == 2


def test_an_existing_account_is_linked_by_its_verified_e_mail(flow):
    existing = InstructorFactory(email="barbara@school.test")

    body, user = signed_in(flow("barbara", email="BARBARA@school.test"))

    assert user.pk == existing.pk and body["user"]["role"] == "instructor"
    assert User.objects.count() == 1
    assert IdentityLink.objects.get(user=existing).email == "barbara@school.test"
    assert not ActivityEvent.objects.filter(verb=Verb.USER_SIGNED_UP).exists()


def test_the_e_mail_may_come_from_the_userinfo_endpoint(flow):
    browser = flow("linus", claims={"email_verified": True}, userinfo_only=["email", "email_verified"])

    _, user = signed_in(browser)

    assert user.email == "linus@school.test"


def test_entra_s_domain_verified_claim_stands_in_for_email_verified(flow):
    """Microsoft Entra never sends email_verified; its optional claim xms_edov says the e-mail's
    domain is verified by the tenant."""
    _, user = signed_in(flow("mary", claims={"xms_edov": True}))

    assert user.email == "mary@school.test"


def test_a_new_account_speaks_the_browser_s_language(flow):
    browser = flow("jose")
    answer = browser.sign_in(HTTP_ACCEPT_LANGUAGE="es")

    user = User.objects.get(pk=browser.exchange(answer["code"]).json()["user"]["id"])

    assert user.language == "es"


# --- role mapping ---------------------------------------------------------------------------------
def test_the_role_claim_maps_a_new_account_to_instructor(flow):
    body, user = signed_in(flow("tim", claims={"email_verified": True, "groups": ["staff-room", "teachers"]}), "roles")

    assert user.role == Role.INSTRUCTOR and body["user"]["role"] == "instructor"
    assert InstructorProfile.objects.filter(user=user).exists()  # made by accounts' sign-up, as for any instructor


def test_the_role_claim_never_makes_an_admin(flow):
    _, user = signed_in(flow("eve", claims={"email_verified": True, "groups": ["staff"]}), "roles")

    assert user.role == Role.STUDENT and not user.is_staff and not user.is_superuser


def test_without_a_mapped_value_the_default_role_applies(flow, settings):
    settings.OIDC_PROVIDERS["roles"]["default_role"] = "instructor"
    _, user = signed_in(flow("ann", claims={"email_verified": True, "groups": "nobody"}), "roles")

    assert user.role == Role.INSTRUCTOR


def test_the_role_mapping_does_not_change_an_existing_account(flow):
    existing = StudentFactory(email="sam@school.test")

    _, user = signed_in(flow("sam", claims={"email_verified": True, "groups": ["teachers"]}), "roles")

    assert user.pk == existing.pk and user.role == Role.STUDENT


# --- refusals: the sign-in itself -----------------------------------------------------------------
def test_an_unknown_state_is_refused(flow):
    browser = flow()
    callback = browser.authorize(browser.start())

    response = browser.callback(callback.replace("state=", "state=forged"))

    assert refused(response) == "invalid_state"
    assert not User.objects.exists() and not LoginCode.objects.exists()


def test_a_missing_state_is_refused(flow):
    browser = flow()
    browser.start()

    assert refused(browser.client.get("/api/v1/auth/oidc/school/callback/?code=abc")) == "invalid_request"


def test_a_state_started_with_another_provider_is_refused(flow):
    browser = flow()
    callback = browser.authorize(browser.start("school"))

    response = browser.callback(callback.replace("/oidc/school/", "/oidc/other/"))

    assert refused(response) == "invalid_state"


def test_a_wrong_nonce_is_refused(flow):
    browser = flow()
    callback = browser.authorize(browser.start())
    PendingLogin.objects.update(nonce="not-the-nonce-sent-to-the-provider")

    assert refused(browser.callback(callback)) == "nonce_mismatch"
    assert not User.objects.exists()


def test_an_expired_provider_code_is_refused(flow, provider_server):
    browser = flow()
    callback = browser.authorize(browser.start())
    provider_server.expire_codes()

    assert refused(browser.callback(callback)) == "provider_error"
    assert not User.objects.exists()


def test_a_sign_in_that_took_too_long_is_refused(flow, time_machine):
    browser = flow()
    callback = browser.authorize(browser.start())
    time_machine.move_to(timezone.now() + timedelta(minutes=11))

    assert refused(browser.callback(callback)) == "login_expired"


def test_an_unverified_e_mail_is_refused(flow):
    browser = flow("mallory", claims={"email_verified": False})

    assert refused(browser.callback(browser.authorize(browser.start()))) == "email_unverified"
    assert not User.objects.exists()


def test_an_e_mail_the_provider_does_not_call_verified_is_refused(flow):
    browser = flow("mallory", claims={})  # no email_verified at all

    assert refused(browser.callback(browser.authorize(browser.start()))) == "email_unverified"


def test_no_e_mail_is_refused(flow):
    browser = flow("nomail", email="")

    assert refused(browser.callback(browser.authorize(browser.start()))) == "email_missing"


def test_a_disallowed_domain_is_refused(flow, settings):
    settings.OIDC_PROVIDERS["school"]["allowed_domains"] = ["school.test"]
    browser = flow("outsider", email="outsider@elsewhere.test")

    assert refused(browser.callback(browser.authorize(browser.start()))) == "domain_not_allowed"
    assert not User.objects.exists()

    _, user = signed_in(flow("insider", email="insider@school.test"))  # the allowed domain signs in
    assert user.email == "insider@school.test"


def test_an_existing_account_linked_to_another_identity_at_the_provider_is_refused(flow):
    existing = StudentFactory(email="reused@school.test")
    IdentityLink.objects.create(user=existing, provider="school", subject="an-older-identity", email=existing.email)

    browser = flow("reused", email="reused@school.test")

    assert refused(browser.callback(browser.authorize(browser.start()))) == "already_linked"
    assert IdentityLink.objects.count() == 1


def test_a_deactivated_user_is_refused_by_link_and_by_e_mail(flow):
    _, user = signed_in(flow("dora"))
    accounts.user_deactivate(actor=None, user=user)
    browser = flow("dora")
    assert refused(browser.callback(browser.authorize(browser.start()))) == "account_inactive"

    other = StudentFactory(email="olga@school.test")
    accounts.user_deactivate(actor=None, user=other)
    browser = flow("olga")
    assert refused(browser.callback(browser.authorize(browser.start()))) == "account_inactive"
    assert not IdentityLink.objects.filter(user=other).exists()


def test_an_erased_user_is_refused(flow):
    _, user = signed_in(flow("erin"))
    accounts.user_erase_identity(user=user)  # (the privacy app's erasure also deletes the link)

    browser = flow("erin")
    assert refused(browser.callback(browser.authorize(browser.start()))) == "account_inactive"


def test_a_user_deactivated_before_the_exchange_gets_no_tokens(flow):
    browser = flow("dan")
    answer = browser.sign_in()
    accounts.user_deactivate(actor=None, user=User.objects.get(email="dan@school.test"))

    response = browser.exchange(answer["code"])

    assert response.status_code == 403 and response.json()["code"] == "account_inactive"


def test_a_user_who_cancels_at_the_provider_is_told_so(flow):
    browser = flow()
    start = browser.start()
    state = parse_qs(urlsplit(start["Location"]).query)["state"][0]

    response = browser.client.get(f"/api/v1/auth/oidc/school/callback/?error=access_denied&state={state}")

    assert refused(response) == "access_denied"


def test_an_answer_naming_another_issuer_is_refused(flow):
    browser = flow()
    callback = browser.authorize(browser.start())

    assert refused(browser.callback(callback + "&iss=https%3A%2F%2Fevil.example")) == "issuer_mismatch"


# --- refusals: replays --------------------------------------------------------------------------------
def test_a_replayed_callback_is_refused(flow):
    browser = flow()
    start = browser.start()
    cookie = start.cookies["lms_sso"].value
    callback = browser.authorize(start)
    assert set(fragment(browser.callback(callback)["Location"])) == {"code"}

    browser.client.cookies["lms_sso"] = cookie  # even with the cookie of the sign-in
    assert refused(browser.callback(callback)) == "state_used"
    assert LoginCode.objects.count() == 1


def test_a_replayed_provider_code_is_refused_in_a_new_sign_in(flow):
    """An attacker who saw a code cannot use it in a sign-in of their own: the provider refuses it
    (used already, and issued for another PKCE challenge)."""
    browser = flow()
    stolen = parse_qs(urlsplit(browser.authorize(browser.start())).query)["code"][0]
    browser.callback(browser.urls[-1])  # the victim's own sign-in goes through

    attacker = flow("attacker")
    callback = attacker.authorize(attacker.start())
    parts = urlsplit(callback)
    state = parse_qs(parts.query)["state"][0]
    response = attacker.client.get(f"{parts.path}?code={stolen}&state={state}")

    assert refused(response) == "provider_error"
    assert not User.objects.filter(email="attacker@school.test").exists()


def test_a_one_time_code_is_exchanged_once(flow):
    browser = flow()
    code = browser.sign_in()["code"]

    first, second = browser.exchange(code), browser.exchange(code)

    assert first.status_code == 200
    assert second.status_code == 400 and second.json()["code"] == "code_used"
    assert second.json()["detail"] == "This sign-in code was already used. Please sign in again."


def test_a_one_time_code_expires_after_a_minute(flow, time_machine):
    browser = flow()
    code = browser.sign_in()["code"]
    time_machine.move_to(timezone.now() + timedelta(seconds=61))

    response = browser.exchange(code)

    assert response.status_code == 400 and response.json()["code"] == "code_expired"


# --- the browser binding (login CSRF) ---------------------------------------------------------------
def test_the_start_binds_the_sign_in_to_the_browser_with_a_strict_cookie(flow):
    browser = flow()
    response = browser.start()

    cookie = response.cookies["lms_sso"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and cookie["path"] == "/api/v1/auth/oidc/"
    assert cookie["max-age"] == 600 and not cookie["secure"]  # Secure when the API is reached over https
    pending = PendingLogin.objects.get()
    assert pending.browser_hash == _hash(cookie.value) and pending.expires_at > timezone.now()
    assert cookie.value not in response["Location"]

    assert (
        APIClient()
        .get("/api/v1/auth/oidc/school/start/", {"code_challenge": CHALLENGE}, secure=True)
        .cookies["lms_sso"]["secure"]
    )


def test_the_start_sends_pkce_state_and_nonce_to_the_provider(flow, provider_server):
    browser = flow()
    flow_challenge = browser.challenge
    response = browser.start()

    url = urlsplit(response["Location"])
    query = {key: values[0] for key, values in parse_qs(url.query).items()}
    assert f"{url.scheme}://{url.netloc}{url.path}" == f"{provider_server.issuer}/authorize/"
    assert query["response_type"] == "code" and query["code_challenge_method"] == "S256"
    assert query["redirect_uri"] == "http://testserver/api/v1/auth/oidc/school/callback/"
    assert set(query["scope"].split()) == {"openid", "email", "profile"}
    pending = PendingLogin.objects.get()
    assert pending.state_hash == _hash(query["state"]) and pending.nonce == query["nonce"]
    assert len(pending.code_verifier) >= 43 and query["code_challenge"] != pending.code_verifier
    # the provider's PKCE is ours (our verifier, kept server-side), not the SPA's challenge passed on
    assert pending.spa_challenge == flow_challenge and query["code_challenge"] != flow_challenge


def test_a_callback_in_another_browser_is_refused(flow):
    """Login CSRF: an attacker's callback URL (their own sign-in) opened in the victim's browser."""
    attacker = flow("attacker")
    callback = attacker.authorize(attacker.start())

    victim = APIClient()
    parts = urlsplit(callback)
    assert refused(victim.get(f"{parts.path}?{parts.query}")) == "browser_mismatch"
    victim.cookies["lms_sso"] = "a-cookie-of-another-sign-in"
    assert refused(victim.get(f"{parts.path}?{parts.query}")) == "browser_mismatch"
    assert not User.objects.exists()


def test_a_code_from_another_sign_in_is_refused_at_the_exchange(flow):
    """Login CSRF at the exchange: an attacker goes through their own sign-in, stops at the callback's
    redirect and sends the victim to `OIDC_RETURN_URL#code=<the attacker's code>`. The victim's SPA
    exchanges it with its own verifier (from its own, earlier or unfinished, start): refused, the
    attacker's code dies, and nobody is signed in as the attacker."""
    attacker = flow("attacker")
    planted = attacker.sign_in()["code"]
    victim = flow("victim")
    victim.start()  # the victim's SPA holds a verifier of its own

    response = victim.exchange(planted)

    assert response.status_code == 400
    assert response.json() == {
        "detail": "This sign-in code is not valid. Please sign in again.",
        "code": "code_invalid",
        "field": "code",
    }
    assert "access" not in response.content.decode()
    # the code is dead: not even the attacker's SPA can use it now
    assert attacker.exchange(planted).json()["code"] == "code_used"
    assert not ActivityEvent.objects.filter(verb=Verb.USER_LOGGED_IN).exists()
    # and the victim's own sign-in still works
    _, victim_user = signed_in(victim)
    assert victim_user.email == "victim@school.test"


def test_the_callback_removes_the_cookie(flow):
    browser = flow()
    response = browser.callback(browser.authorize(browser.start()))

    assert response.cookies["lms_sso"]["max-age"] == 0 and response.cookies["lms_sso"]["path"] == "/api/v1/auth/oidc/"


# --- the provider down or misbehaving: refusals, never 500 ---------------------------------------------
def test_a_provider_that_is_down_is_a_refusal_at_the_start(flow, settings, unused_port):
    settings.OIDC_PROVIDERS["school"] = provider_config(f"http://127.0.0.1:{unused_port}/o")

    response = flow().start()

    assert refused(response) == "provider_unavailable"
    assert not PendingLogin.objects.exists()


def test_a_provider_answering_500_or_a_page_is_a_refusal(flow, settings, provider_server):
    settings.OIDC_PROVIDERS["school"] = provider_config(f"{provider_server.base}/broken")
    assert refused(flow().start()) == "provider_unavailable"

    settings.OIDC_PROVIDERS["school"] = provider_config(f"{provider_server.base}/nothing-here")
    assert refused(flow().start()) == "provider_error"


def test_a_discovery_document_of_another_issuer_is_refused(flow, settings, provider_server):
    settings.OIDC_PROVIDERS["school"] = provider_config(f"http://localhost:{provider_server.port}/o")

    assert refused(flow().start()) == "provider_error"


def test_a_token_endpoint_that_went_down_is_a_refusal_at_the_callback(flow, unused_port):
    browser = flow()
    callback = browser.authorize(browser.start())
    key = _cache_key("discovery", provider_get("school"))
    document = cache.get(key)
    cache.set(key, {**document, "token_endpoint": f"http://127.0.0.1:{unused_port}/token/"}, 60)

    assert refused(browser.callback(callback)) == "provider_unavailable"


def test_a_wrong_client_secret_is_a_refusal(flow, settings):
    browser = flow()
    callback = browser.authorize(browser.start())
    settings.OIDC_PROVIDERS["school"]["client_secret"] = "not-the-secret"

    assert refused(browser.callback(callback)) == "provider_error"


# --- no token in any URL or log line ------------------------------------------------------------------
def test_no_token_appears_in_any_url_or_log_line(flow, caplog):
    caplog.set_level(logging.DEBUG)
    browser = flow("ada")
    answer = browser.sign_in()
    response = browser.exchange(answer["code"])
    body = response.json()
    provider_code = parse_qs(urlsplit(browser.urls[1]).query)["code"][0]

    secrets = {"access": body["access"], "refresh": body["refresh"], "one-time code": answer["code"]}
    for url in browser.urls:
        assert not JWT.search(url), url
        for name in ("access", "refresh"):
            assert secrets[name] not in url, (name, url)
    # the one-time code travels only in the return page's fragment, which browsers do not send anywhere
    final = urlsplit(browser.urls[-1])
    assert final.query == "" and final.fragment == f"code={answer['code']}"
    lines = [record.getMessage() for record in caplog.records]
    assert any("SSO sign-in with school" in line for line in lines)
    for line in lines:
        assert not JWT.search(line), line
        for name, value in {**secrets, "provider code": provider_code}.items():
            assert value not in line, (name, line)


def test_logs_of_a_refusal_hold_no_token_either(flow, caplog):
    caplog.set_level(logging.DEBUG)
    browser = flow("mallory", claims={"email_verified": False})
    callback = browser.authorize(browser.start())
    provider_code = parse_qs(urlsplit(callback).query)["code"][0]

    assert refused(browser.callback(callback)) == "email_unverified"

    lines = [record.getMessage() for record in caplog.records]
    assert any("refused: email_unverified" in line for line in lines)
    assert not [line for line in lines if JWT.search(line) or provider_code in line]


def test_an_admin_signs_in_through_a_linked_identity_but_keeps_the_admin_role(flow):
    admin = AdminFactory(email="root@school.test")

    body, user = signed_in(flow("root", email="root@school.test"))

    assert user.pk == admin.pk and body["user"]["role"] == "admin"


def test_the_return_url_may_be_an_app_scheme(flow, settings):
    settings.OIDC_RETURN_URL = "lmsapp://sso"
    browser = flow()

    response = browser.callback(browser.authorize(browser.start()))

    assert response.status_code == 302 and response["Location"].startswith("lmsapp://sso#code=")
