"""The real OpenID Connect provider the single sign-on tests sign in with (sso/tests/provider/), run
once per test module on a free loopback port, and the helpers that walk a browser through the flow:
our side through the Django test client, the provider's side through `requests`."""

import os
import secrets
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.conf import settings
from rest_framework.test import APIClient

from sso.services import code_challenge_of

CLIENT_ID = "lms-tests"
CLIENT_SECRET = "provider-secret-for-tests"
RETURN_URL = "https://app.example.com/sso/callback"
# Provider names our configuration uses: each has its own callback URL, registered at the provider.
NAMES = ("school", "roles", "other")
CALLBACK = "http://testserver/api/v1/auth/oidc/{name}/callback/"
# A code_verifier and its S256 code_challenge (RFC 7636's appendix B), for codes issued directly.
VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
CHALLENGE = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


@dataclass
class ProviderServer:
    port: int
    process: subprocess.Popen
    log: Path

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def issuer(self) -> str:
        return f"{self.base}/o"

    def browser(self, username: str = "ada", **person) -> requests.Session:
        """A browser signed in at the provider as `username`, whose claims are `person`: email,
        given_name, family_name, claims (merged into the ID token and userinfo: email_verified,
        groups, ...), userinfo_only (claim names kept out of the ID token)."""
        person.setdefault("email", f"{username}@school.test")
        person.setdefault("given_name", username.title())
        person.setdefault("family_name", "Lovelace")
        person.setdefault("claims", {"email_verified": True})
        session = requests.Session()
        response = session.post(f"{self.base}/test/login/", json={"username": username, **person}, timeout=10)
        response.raise_for_status()
        session.sub = response.json()["sub"]
        return session

    def expire_codes(self) -> None:
        requests.post(f"{self.base}/test/expire-codes/", timeout=10).raise_for_status()


def _start_provider(directory: Path) -> ProviderServer:
    log = directory / "provider.log"
    command = [
        sys.executable,
        "-m",
        "sso.tests.provider.serve",
        "--db",
        str(directory / "provider.sqlite3"),
        "--client-id",
        CLIENT_ID,
        "--client-secret",
        CLIENT_SECRET,
    ]
    for name in NAMES:
        command += ["--redirect-uri", CALLBACK.format(name=name)]
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    with log.open("w") as errors:
        process = subprocess.Popen(
            command, cwd=settings.BASE_DIR, env=env, stdout=subprocess.PIPE, stderr=errors, text=True
        )
    line = process.stdout.readline()  # "READY <port>", or nothing if it died
    if not line.startswith("READY "):
        process.kill()
        pytest.fail(f"the test OIDC provider did not start:\n{log.read_text()}")
    server = ProviderServer(port=int(line.split()[1]), process=process, log=log)
    deadline = time.monotonic() + 20
    while True:
        try:
            if requests.get(f"{server.issuer}/.well-known/openid-configuration", timeout=2).ok:
                return server
        except requests.RequestException:
            pass
        if time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"the test OIDC provider does not answer discovery:\n{log.read_text()}")
        time.sleep(0.05)


@pytest.fixture(scope="module")
def provider_server(tmp_path_factory):
    server = _start_provider(tmp_path_factory.mktemp("oidc-provider"))
    yield server
    server.process.terminate()
    try:
        server.process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()


def provider_config(issuer: str, **overrides) -> dict:
    return {
        "issuer": issuer,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "label": "School",
        "allowed_domains": [],
        "default_role": "student",
        "role_claim": "",
        "role_map": {},
        "scopes": ["openid", "email", "profile"],
        **overrides,
    }


@pytest.fixture
def sso_settings(settings, provider_server):
    """Our configuration: `school` (any domain), `roles` (the `groups` claim mapped to roles) and
    `other` (the same provider under another name), returning to RETURN_URL."""
    issuer = provider_server.issuer
    settings.OIDC_PROVIDERS = {
        "school": provider_config(issuer),
        "roles": provider_config(
            issuer, label="School (roles)", role_claim="groups", role_map={"teachers": "instructor", "staff": "admin"}
        ),
        "other": provider_config(issuer, label="Other"),
    }
    settings.OIDC_RETURN_URL = RETURN_URL
    return settings


def new_verifier() -> str:
    """A code_verifier as the SPA makes one (RFC 7636: 43-128 unreserved characters)."""
    return secrets.token_urlsafe(48)


def fragment(location: str) -> dict[str, str]:
    """The parameters of a return-page URL's fragment (`#code=...` or `#error=...`)."""
    parts = urlsplit(location)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == RETURN_URL, location
    assert parts.query == "", location
    return {key: values[0] for key, values in parse_qs(parts.fragment).items()}


@dataclass
class Flow:
    """One browser signing in: `client` is its side of our API (keeps our cookie), `browser` its
    session at the provider, `verifier` the code_verifier its SPA keeps (sessionStorage) and whose
    challenge the start gets. Every URL the browser visits is kept in `urls`."""

    browser: requests.Session
    client: APIClient = field(default_factory=APIClient)
    urls: list[str] = field(default_factory=list)
    verifier: str = field(default_factory=new_verifier)

    @property
    def challenge(self) -> str:
        return code_challenge_of(self.verifier)

    def start(self, name: str = "school", **extra):
        query = {"code_challenge": self.challenge}
        response = self.client.get(f"/api/v1/auth/oidc/{name}/start/", query, **extra)
        self.urls.append(response.get("Location", ""))
        return response

    def authorize(self, start_response) -> str:
        """Follows the start's redirect to the provider, which (signed in, consent skipped) sends the
        browser back: returns that callback URL."""
        assert start_response.status_code == 302, start_response.content
        response = self.browser.get(start_response["Location"], allow_redirects=False, timeout=10)
        assert response.status_code == 302, (response.status_code, response.text[:500])
        callback = response.headers["Location"]
        self.urls.append(callback)
        return callback

    def callback(self, url: str, **extra):
        parts = urlsplit(url)
        response = self.client.get(f"{parts.path}?{parts.query}", **extra)
        self.urls.append(response.get("Location", ""))
        return response

    def sign_in(self, name: str = "school", **extra) -> dict[str, str]:
        """start -> provider -> callback: the return page's fragment."""
        response = self.callback(self.authorize(self.start(name)), **extra)
        assert response.status_code == 302, response.content
        return fragment(response["Location"])

    def exchange(self, code: str, client: APIClient | None = None, verifier: str | None = None):
        """The SPA's exchange of `code`, with this flow's verifier unless another is given."""
        body = {"code": code, "code_verifier": self.verifier if verifier is None else verifier}
        return (client or APIClient()).post("/api/v1/auth/oidc/exchange/", body, format="json")


@pytest.fixture
def flow(provider_server, sso_settings, db):
    """A browser signed in at the provider as ada@school.test (verified), starting at our API."""

    def make(username: str = "ada", **person) -> Flow:
        return Flow(browser=provider_server.browser(username, **person))

    return make


@pytest.fixture
def unused_port() -> int:
    """A loopback port nothing listens on (a provider that is down)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
