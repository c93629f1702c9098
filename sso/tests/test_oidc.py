"""The relying party's checks of what a provider says (sso/oidc.py), each provoked with documents and
ID tokens of our own making, served over real HTTP on loopback: discovery, the key set (and its
rotation), and every way an ID token can be wrong."""

import http.server
import json
import socket
import threading
import time

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet, OctKey, RSAKey

from sso import oidc
from sso.providers import Provider
from sso.refusals import SignInRefused

CLIENT_ID = "lms"
NONCE = "the-nonce"


class Documents(http.server.ThreadingHTTPServer):
    """Serves `routes`: path -> (status, body) (a dict or list body as JSON); counts the requests."""

    def __init__(self):
        self.routes: dict[str, tuple[int, object]] = {}
        self.hits: dict[str, int] = {}
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                server.hits[self.path] = server.hits.get(self.path, 0) + 1
                status, body = server.routes.get(self.path, (404, "<h1>Not found</h1>"))
                data = json.dumps(body) if isinstance(body, dict | list) else str(body)
                self.send_response(status)
                self.send_header("Content-Type", "application/json" if isinstance(body, dict | list) else "text/html")
                self.end_headers()
                self.wfile.write(data.encode())

            def log_message(self, *args):
                pass

        super().__init__(("127.0.0.1", 0), Handler)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


@pytest.fixture(scope="module")
def documents():
    server = Documents()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def key():
    return RSAKey.generate_key(2048, parameters={"kid": "key-1"}, private=True)


@pytest.fixture
def provider(documents, key):
    """A provider at `documents` announcing RS256, its key set holding `key`."""
    issuer = f"{documents.base}/issuer"
    documents.routes.clear()
    documents.hits.clear()
    documents.routes["/issuer/.well-known/openid-configuration"] = (
        200,
        {
            "issuer": issuer,
            "authorization_endpoint": f"{documents.base}/authorize",
            "token_endpoint": f"{documents.base}/token",
            "jwks_uri": f"{documents.base}/jwks",
            "userinfo_endpoint": f"{documents.base}/userinfo",
            "id_token_signing_alg_values_supported": ["RS256", "HS256"],
        },
    )
    documents.routes["/jwks"] = (200, KeySet([key]).as_dict(private=False))
    return Provider(name="p", issuer=issuer, client_id=CLIENT_ID, client_secret="s")


def id_token(key, provider, *, alg="RS256", kid="key-1", **overrides) -> dict:
    now = int(time.time())
    claims = {
        "iss": provider.issuer,
        "sub": "subject-1",
        "aud": CLIENT_ID,
        "exp": now + 300,
        "iat": now,
        "nonce": NONCE,
        "email": "ada@school.test",
        **overrides,
    }
    claims = {name: value for name, value in claims.items() if value is not None}
    return {"id_token": jwt.encode({"alg": alg, "kid": kid}, claims, key), "access_token": "provider-access-token"}


def refusal(provider, token) -> str:
    with pytest.raises(SignInRefused) as caught:
        oidc.id_token_claims(provider, token=token, nonce=NONCE)
    return caught.value.code


# --- ID tokens ---------------------------------------------------------------------------------------
def test_a_good_id_token_gives_its_claims(provider, key):
    claims = oidc.id_token_claims(provider, token=id_token(key, provider), nonce=NONCE)

    assert claims["sub"] == "subject-1" and claims["email"] == "ada@school.test"


def test_an_audience_list_with_this_client_and_azp_is_accepted(provider, key):
    token = id_token(key, provider, aud=[CLIENT_ID, "another-api"], azp=CLIENT_ID)

    assert oidc.id_token_claims(provider, token=token, nonce=NONCE)["sub"] == "subject-1"


@pytest.mark.parametrize(
    "overrides",
    [
        {"iss": "https://evil.example"},
        {"aud": "another-client"},
        {"aud": [CLIENT_ID, "another-api"], "azp": "another-api"},
        {"exp": int(time.time()) - 120},
        {"iat": int(time.time()) + 3600},
        {"iss": None},
        {"aud": None},
        {"exp": None},
        {"sub": None},
        {"sub": ""},
    ],
    ids=[
        "wrong issuer",
        "wrong audience",
        "wrong authorized party",
        "expired",
        "issued in the future",
        "no iss",
        "no aud",
        "no exp",
        "no sub",
        "empty sub",
    ],
)
def test_a_wrong_or_missing_claim_is_refused(provider, key, overrides):
    assert refusal(provider, id_token(key, provider, **overrides)) == "invalid_id_token"


def test_a_wrong_or_missing_nonce_is_its_own_refusal(provider, key):
    assert refusal(provider, id_token(key, provider, nonce="another")) == "nonce_mismatch"
    assert refusal(provider, id_token(key, provider, nonce=None)) == "nonce_mismatch"


def test_a_token_signed_with_another_key_is_refused(provider):
    stranger = RSAKey.generate_key(2048, parameters={"kid": "key-1"}, private=True)

    assert refusal(provider, id_token(stranger, provider)) == "invalid_id_token"


def test_a_token_signed_with_the_client_secret_is_refused(provider):
    """HS256 (announced by the provider) would make the client secret a signing key: not accepted."""
    secret = OctKey.import_key("s" * 32)

    assert refusal(provider, id_token(secret, provider, alg="HS256")) == "invalid_id_token"


def test_an_unsigned_token_is_refused(provider, key):
    token = id_token(key, provider)
    _header, payload, _signature = token["id_token"].split(".")
    unsigned = "eyJhbGciOiJub25lIn0." + payload + "."  # {"alg":"none"}

    assert refusal(provider, {**token, "id_token": unsigned}) == "invalid_id_token"


def test_a_token_whose_access_token_hash_does_not_match_is_refused(provider, key):
    token = id_token(key, provider, at_hash="AAAAAAAAAAAAAAAAAAAAAA")

    assert refusal(provider, token) == "invalid_id_token"


def test_garbage_is_refused(provider):
    assert refusal(provider, {"id_token": "not.a.jwt"}) == "invalid_id_token"
    assert refusal(provider, {"id_token": "nonsense"}) == "invalid_id_token"


def test_rotated_keys_are_fetched_again_once(provider, key, documents):
    assert oidc.id_token_claims(provider, token=id_token(key, provider), nonce=NONCE)
    assert documents.hits["/jwks"] == 1
    rotated = RSAKey.generate_key(2048, parameters={"kid": "key-2"}, private=True)
    documents.routes["/jwks"] = (200, KeySet([key, rotated]).as_dict(private=False))

    claims = oidc.id_token_claims(provider, token=id_token(rotated, provider, kid="key-2"), nonce=NONCE)

    assert claims["sub"] == "subject-1" and documents.hits["/jwks"] == 2
    oidc.id_token_claims(provider, token=id_token(rotated, provider, kid="key-2"), nonce=NONCE)
    assert documents.hits["/jwks"] == 2  # cached again
    assert refusal(provider, id_token(rotated, provider, kid="key-unknown")) == "invalid_id_token"


def test_a_provider_announcing_only_symmetric_algorithms_is_refused(provider, key, documents):
    path = "/issuer/.well-known/openid-configuration"
    status, document = documents.routes[path]
    documents.routes[path] = (status, {**document, "id_token_signing_alg_values_supported": ["HS256"]})

    assert refusal(provider, id_token(key, provider)) == "invalid_id_token"


# --- discovery -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("answer", "code"),
    [
        ((500, "<h1>Server Error</h1>"), "provider_unavailable"),
        ((503, {"error": "maintenance"}), "provider_unavailable"),
        ((429, "slow down"), "provider_unavailable"),
        ((404, "<h1>Not found</h1>"), "provider_error"),
        ((200, "<html>a login page</html>"), "provider_error"),
        ((200, ["not", "an", "object"]), "provider_error"),
        ((200, {"issuer": "https://evil.example"}), "provider_error"),
        ((200, {"issuer": "ISSUER", "authorization_endpoint": "javascript:alert(1)"}), "provider_error"),
    ],
    ids=["500", "503", "429", "404", "html", "a list", "another issuer", "missing endpoints"],
)
def test_a_bad_discovery_answer_is_a_refusal(provider, documents, answer, code):
    status, body = answer
    if isinstance(body, dict) and body.get("issuer") == "ISSUER":
        body = {**body, "issuer": provider.issuer}
    documents.routes["/issuer/.well-known/openid-configuration"] = (status, body)

    with pytest.raises(SignInRefused) as caught:
        oidc.metadata(provider)

    assert caught.value.code == code


def test_discovery_is_cached(provider, documents):
    oidc.metadata(provider)
    oidc.metadata(provider)

    assert documents.hits["/issuer/.well-known/openid-configuration"] == 1


def test_a_provider_that_does_not_answer_in_time_is_unavailable(provider, monkeypatch):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)  # accepts the connection, never answers
    monkeypatch.setattr(oidc, "TIMEOUT", (0.5, 0.5))
    slow = Provider(name="slow", issuer=f"http://127.0.0.1:{listener.getsockname()[1]}/o", client_id=CLIENT_ID)
    try:
        with pytest.raises(SignInRefused) as caught:
            oidc.metadata(slow)
    finally:
        listener.close()

    assert caught.value.code == "provider_unavailable"


def test_userinfo_about_another_subject_is_refused(provider, documents):
    documents.routes["/userinfo"] = (200, {"sub": "someone-else", "email": "eve@evil.test", "email_verified": True})

    with pytest.raises(SignInRefused) as caught:
        oidc.userinfo(provider, access_token="t", subject="subject-1")

    assert caught.value.code == "invalid_id_token"


def test_the_authorization_url_carries_pkce_state_nonce_and_scopes(provider):
    url = oidc.authorization_url(
        provider, redirect_uri="https://api.example.com/cb/", state="S", nonce="N", code_verifier="V" * 64
    )

    assert url.startswith(provider.issuer.removesuffix("/issuer") + "/authorize?")
    for part in ("response_type=code", "client_id=lms", "state=S", "nonce=N", "code_challenge_method=S256"):
        assert part in url, part
    assert "code_challenge=" in url and "V" * 64 not in url
    assert "scope=openid+email+profile" in url
