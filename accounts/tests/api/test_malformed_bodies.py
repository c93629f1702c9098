"""Every auth endpoint with a body answers malformed JSON with a JSON 400."""

import pytest

from accounts.tests.api.helpers import (
    INSTRUCTOR_LOGIN,
    INSTRUCTOR_REGISTER,
    LOGIN,
    LOGOUT,
    ME,
    PASSWORD_CHANGE,
    PASSWORD_RESET,
    PASSWORD_RESET_CONFIRM,
    REFRESH,
    REGISTER,
)

BODY_ENDPOINTS = [
    ("post", REGISTER),
    ("post", INSTRUCTOR_REGISTER),
    ("post", LOGIN),
    ("post", INSTRUCTOR_LOGIN),
    ("post", REFRESH),
    ("post", LOGOUT),
    ("patch", ME),
    ("post", PASSWORD_CHANGE),
    ("post", PASSWORD_RESET),
    ("post", PASSWORD_RESET_CONFIRM),
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
