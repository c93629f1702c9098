"""OWASP API8:2023 Security Misconfiguration: production settings pass Django's deployment checks,
send the security headers (HSTS, nosniff, frame denial, referrer policy, CSP), allow CORS only for
the configured origins, never run with DEBUG, keep the admin behind its login, and refuse to start
without a real SECRET_KEY."""

from __future__ import annotations

import pytest

from conftest import client_for

from ._production import requests_in_production, run

pytestmark = pytest.mark.django_db

ALLOWED_ORIGIN = "https://app.example.com"
PREFLIGHT = {"HTTP_ACCESS_CONTROL_REQUEST_METHOD": "POST"}


@pytest.fixture(scope="module")
def prod():
    """One production process answering every request these tests need."""
    calls = [
        ("get", "/health/", {}),
        ("get", "/api/v1/no-such-endpoint/", {}),
        ("options", "/api/v1/auth/login/", {"HTTP_ORIGIN": ALLOWED_ORIGIN, **PREFLIGHT}),
        ("options", "/api/v1/auth/login/", {"HTTP_ORIGIN": "https://evil.example", **PREFLIGHT}),
        ("get", "/health/", {"HTTP_ORIGIN": ALLOWED_ORIGIN}),
        ("get", "/api/v1/no-such-endpoint/", {"HTTP_ORIGIN": "https://evil.example"}),
        ("get", "/api/v1/no-such-endpoint/", {"secure": False, "HTTP_HOST": "api.example.com"}),
        ("get", "/api/v1/no-such-endpoint/", {"HTTP_HOST": "attacker.example"}),
    ]  # fmt: skip
    return requests_in_production(calls, DEBUG="true")


def test_check_deploy_is_clean_with_production_settings():
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"])
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout, result.stdout + result.stderr


@pytest.mark.parametrize("secret", [None, "", "django-insecure-abc"])
def test_production_refuses_to_start_without_a_real_secret_key(secret):
    result = run(["manage.py", "check"], SECRET_KEY=secret)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_debug_is_off_in_production_even_when_asked(prod):
    assert prod["debug"] is False
    body = prod["responses"][1]["body"]
    assert prod["responses"][1]["status"] == 404
    assert "Traceback" not in body and "urlpatterns" not in body.lower() and "<html" not in body.lower()


@pytest.mark.parametrize("index", [0, 1])
def test_security_headers(prod, index):
    headers = {k.lower(): v for k, v in prod["responses"][index]["headers"].items()}
    hsts = headers.get("strict-transport-security", "")
    assert "max-age=" in hsts and int(hsts.split("max-age=")[1].split(";")[0]) >= 31536000
    assert "includesubdomains" in hsts.lower()
    assert headers.get("x-content-type-options") == "nosniff"
    assert headers.get("x-frame-options") == "DENY"
    assert headers.get("referrer-policy") in {"same-origin", "no-referrer", "strict-origin-when-cross-origin"}
    assert headers.get("cross-origin-opener-policy") == "same-origin"


@pytest.mark.parametrize("index", [0, 1])
def test_content_security_policy(prod, index):
    """django-csp's middleware: a policy on every response, strict by default."""
    headers = {k.lower(): v for k, v in prod["responses"][index]["headers"].items()}
    policy = headers.get("content-security-policy", "")
    assert policy, f"no Content-Security-Policy header; middleware: {prod['middleware']}"
    directives = {d.strip().split(" ")[0]: d.strip() for d in policy.split(";") if d.strip()}
    assert "default-src" in directives
    assert "'unsafe-eval'" not in policy
    assert directives.get("frame-ancestors", "frame-ancestors 'none'").endswith(("'none'", "'self'"))


def test_cors_only_for_configured_origins(prod):
    allowed, other = prod["responses"][2], prod["responses"][3]
    allowed_headers = {k.lower(): v for k, v in allowed["headers"].items()}
    other_headers = {k.lower(): v for k, v in other["headers"].items()}
    assert allowed_headers.get("access-control-allow-origin") == ALLOWED_ORIGIN
    assert "access-control-allow-origin" not in other_headers
    assert allowed_headers.get("access-control-allow-credentials") != "true" or ALLOWED_ORIGIN != "*"
    # A plain request from another origin: no CORS grant either.
    assert "access-control-allow-origin" not in {k.lower() for k in prod["responses"][5]["headers"]}


def test_plain_http_is_redirected_to_https(prod):
    response = prod["responses"][6]
    assert response["status"] == 301
    assert response["headers"]["Location"].startswith("https://")


def test_unknown_host_is_refused(prod):
    assert prod["responses"][7]["status"] == 400
    assert "attacker.example" not in prod["responses"][7]["body"] or "<html" not in prod["responses"][7]["body"]


def test_cors_in_the_test_settings_allows_nobody(anon_client):
    response = anon_client.options(
        "/api/v1/auth/login/", HTTP_ORIGIN="https://evil.example", HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST"
    )
    assert "Access-Control-Allow-Origin" not in response


def test_cors_with_a_configured_origin(anon_client, settings):
    settings.CORS_ALLOWED_ORIGINS = [ALLOWED_ORIGIN]
    allowed = anon_client.get("/api/v1/courses/", HTTP_ORIGIN=ALLOWED_ORIGIN)
    assert allowed["Access-Control-Allow-Origin"] == ALLOWED_ORIGIN
    other = anon_client.get("/api/v1/courses/", HTTP_ORIGIN="https://evil.example")
    assert "Access-Control-Allow-Origin" not in other


def test_admin_redirects_anonymous_users_to_its_login(client):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


@pytest.mark.parametrize("role", ["student", "instructor"])
def test_admin_redirects_non_staff_users_to_its_login(client, role, student, instructor):
    client.force_login({"student": student, "instructor": instructor}[role])
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    response = client.get("/admin/accounts/user/")
    assert response.status_code == 302


def test_admin_opens_for_staff(client, admin_user):
    client.force_login(admin_user)
    assert client.get("/admin/").status_code == 200


def test_a_jwt_does_not_open_the_admin(admin_user):
    """The admin uses sessions (with CSRF); an API token is not a way in."""
    response = client_for(admin_user).get("/admin/")
    assert response.status_code == 302


def test_admin_login_is_not_a_brute_force_oracle_for_students(client, student):
    from accounts.tests.factories import PASSWORD

    response = client.post("/admin/login/", {"username": student.email, "password": PASSWORD, "next": "/admin/"})
    assert response.status_code == 200  # the form again: not staff
    assert client.get("/admin/").status_code == 302
