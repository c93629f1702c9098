"""OWASP API9:2023 Improper Inventory Management: one API version is served, under /api/v1/; no
other version, unversioned alias or debug endpoint answers; the browsable API is off in
production; the only routes outside /api/v1/ are the documented ones."""

from __future__ import annotations

import pytest

from ._production import requests_in_production
from .world import served_routes

pytestmark = pytest.mark.django_db

# Everything served outside /api/v1/ (the Django admin site is listed by its prefix).
DOCUMENTED_OUTSIDE_V1 = {
    "/api/schema/",
    "/api/docs/",
    "/api/redoc/",
    "/api/redoc/redoc.standalone.js",  # ReDoc's bundle, served by us (CSP: no third-party script)
    "/health/",
    "/ready/",
    "/files/<name>",  # public files (covers, avatars): media.views.public_file
    "/files/signed/<token>/",  # private files through a signed, expiring link: media.views.private_file
}


@pytest.mark.parametrize(
    "path",
    [
        "/api/v2/courses/",
        "/api/v0/courses/",
        "/api/v1.1/courses/",
        "/api/courses/",
        "/api/auth/login/",
        "/api/latest/courses/",
        "/v1/courses/",
        "/courses/",
        "/api/V1/courses/",
        "/__debug__/",
        "/api/v1/__debug__/",
        "/silk/",
        "/api/v1/debug/",
        "/api-auth/login/",
        "/api/v1/schema/",
        "/static/../lms/settings/base.py",
        "/.env",
        "/.git/config",
        "/media/",
    ],
)
def test_only_v1_is_served_and_unknown_paths_are_json_404(anon_client, path):
    response = anon_client.get(path)
    assert response.status_code == 404, (path, response.status_code)
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    assert response.json() == {"detail": "Not found."}


def test_every_route_outside_v1_is_documented():
    outside = {route for _, route in served_routes() if not route.startswith("/api/v1/")}
    assert outside == DOCUMENTED_OUTSIDE_V1


def test_every_v1_route_is_in_the_openapi_schema(anon_client):
    """An endpoint missing from the schema is one nobody knows to protect or retire."""
    import re

    schema = anon_client.get("/api/schema/?format=json").json()

    def shape(path: str) -> str:  # parameter names differ ({id} in the schema, <pk> in the resolver)
        return re.sub(r"\{\w+\}|<\w+>", "{}", path)

    documented = {(m.upper(), shape(path)) for path, ops in schema["paths"].items() for m in ops}
    undocumented = [
        f"{m} {r}" for m, r in served_routes() if r.startswith("/api/v1/") and (m, shape(r)) not in documented
    ]
    assert not undocumented, "served but not in the schema:\n" + "\n".join(sorted(undocumented))


def test_the_browsable_api_is_not_served(anon_client):
    response = anon_client.get("/api/v1/courses/", HTTP_ACCEPT="text/html")
    assert "text/html" not in response.get("Content-Type", "")
    assert response.status_code in (200, 406)


def test_format_suffixes_and_renderer_overrides_are_not_a_back_door(anon_client):
    for path in ("/api/v1/courses/?format=api", "/api/v1/courses.api", "/api/v1/courses/?format=admin"):
        response = anon_client.get(path)
        assert "text/html" not in response.get("Content-Type", ""), path


def test_production_has_no_debug_tooling_and_no_browsable_api():
    result = requests_in_production(
        [
            ("get", "/__debug__/", {}),
            ("get", "/api/v2/courses/", {}),
            ("get", "/api/v1/courses/", {"HTTP_ACCEPT": "text/html"}),
        ],
        DEBUG="true",
    )
    assert result["debug"] is False
    assert "rest_framework.renderers.BrowsableAPIRenderer" not in result["renderers"]
    assert not [app for app in result["apps"] if "debug_toolbar" in app or "silk" in app or "django_extensions" in app]
    debug, v2, html = result["responses"]
    assert debug["status"] == v2["status"] == 404
    assert "text/html" not in html["headers"].get("Content-Type", "")


def test_the_docs_are_the_configured_ones(anon_client):
    """Schema and docs are public by design (the contract says so); they describe /api/v1 and the
    health probes only."""
    schema = anon_client.get("/api/schema/?format=json").json()
    assert {path for path in schema["paths"] if not path.startswith("/api/v1/")} <= {"/health/", "/ready/"}
    assert schema["info"]["version"]
