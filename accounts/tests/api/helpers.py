"""Shared by the /api/v1/auth/ tests: the routes, and helpers to sign in, refresh and reset."""

import re
from html import unescape
from urllib.parse import parse_qs, urlparse

import pytest
from rest_framework.test import APIClient

from accounts.tests.factories import PASSWORD
from conftest import ROLES

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
    return {
        "email": "ada@example.com",
        "password": "Sup3r-secret-pw",
        "first_name": "Ada",
        "last_name": "Lovelace",
        **overrides,
    }


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
