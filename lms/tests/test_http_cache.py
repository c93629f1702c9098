"""HTTP caching of the API (README "HTTP caching"), for every read the route x role matrix makes:
a validator (ETag) and a 304 for a matching conditional GET, Cache-Control (public only for the
public reads made without credentials, `private, no-cache` for the rest, `no-store` for errors and
writes), and Vary on Authorization and Accept-Language. Then the catalog's and course page's own
validators (Last-Modified and ETag from the cache, new after a change), and the API's skipping of the
browser machinery (sessions, CSRF) while the admin keeps it."""

import re

import pytest
from django.test import Client

from accounts.tests.factories import AdminFactory
from conftest import client_for
from courses import services as course_services
from courses.tests.factories import PublishedCourseFactory

from .security.test_api1_object_authorization import CELLS, ROWS, _call, world  # noqa: F401 (fixture)

# The reads every anonymous caller sees alike: shared caches may keep them.
PUBLIC_ROUTES = {
    "/api/v1/categories/",
    "/api/v1/categories/<pk>/",
    "/api/v1/courses/",
    "/api/v1/courses/<pk>/",
    "/api/v1/courses/<pk>/sections/",
    "/api/v1/sections/<pk>/",
    "/api/v1/sections/<pk>/lessons/",
    "/api/v1/lessons/<pk>/",
    "/api/v1/courses/<course_id>/reviews/",
    "/api/v1/courses/<course_id>/cohorts/",
    "/api/v1/cohorts/<pk>/",
    "/api/v1/auth/oidc/providers/",
}
PUBLIC = re.compile(r"^public, max-age=\d+, stale-while-revalidate=\d+$")
API_READS = [
    (method, route, role)
    for method, route, role in CELLS
    if method == "GET" and route.startswith("/api/v1/") and ROWS[(method, route)][2][role] == 200
]
API_WRITES = [
    (method, route, role)
    for method, route, role in CELLS
    if method in ("POST", "PATCH", "DELETE") and route.startswith("/api/v1/") and role == "student"
]


def _vary(response) -> set[str]:
    return {v.strip().lower() for v in response.get("Vary", "").split(",") if v.strip()}


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "route", "role"), API_READS, ids=[f"GET {r} [{role}]" for _, r, role in API_READS])
def test_every_api_read_has_a_validator_and_the_right_cache_control(world, method, route, role):  # noqa: F811
    response = _call(world, method, route, role)
    assert response.status_code == 200
    assert {"authorization", "accept-language"} <= _vary(response), response.get("Vary")
    cache_control = response["Cache-Control"]
    if role == "anonymous" and route in PUBLIC_ROUTES:
        assert PUBLIC.match(cache_control), cache_control
    else:
        assert "public" not in cache_control, cache_control
        assert "private" in cache_control or "no-store" in cache_control, cache_control
    if getattr(response, "streaming", False) or "no-store" in cache_control:
        return  # files and feeds keep their own headers
    etag = response["ETag"]
    assert re.fullmatch(r'(W/)?"[^"]+"', etag), etag
    url = ROWS[(method, route)][0].format(**world.ids())
    again = world.client(role).get(url, HTTP_IF_NONE_MATCH=etag)
    # A read whose body holds something fresh each time (a signed link's expiry) gets a new ETag.
    assert again.status_code == 304 or (again.status_code == 200 and again["ETag"] != etag)
    if again.status_code == 304:
        assert again.content == b""
        assert again["ETag"] == etag
        assert again["Cache-Control"] == cache_control


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "route", "role"), API_WRITES, ids=[f"{m} {r}" for m, r, _ in API_WRITES])
def test_api_writes_and_errors_are_not_stored(world, method, route, role):  # noqa: F811
    response = _call(world, method, route, role)
    assert "no-store" in response["Cache-Control"], (response.status_code, response.get("Cache-Control"))
    assert "authorization" in _vary(response)
    assert not response.has_header("ETag")


@pytest.mark.django_db
def test_errors_are_not_stored_and_a_signed_in_read_is_private(student):
    anonymous = client_for(None)
    missing = anonymous.get("/api/v1/courses/999999/")
    assert missing.status_code == 404 and missing["Cache-Control"] == "no-store"
    refused = anonymous.get("/api/v1/me/enrollments/")
    assert refused.status_code == 401 and refused["Cache-Control"] == "no-store"
    bad_token = Client().get("/api/v1/courses/", HTTP_AUTHORIZATION="Bearer not-a-token")
    assert bad_token.status_code == 401 and bad_token["Cache-Control"] == "no-store"
    # The catalog, signed in: the same page, but kept by that browser only.
    signed_in = client_for(student).get("/api/v1/courses/")
    assert signed_in.status_code == 200 and signed_in["Cache-Control"] == "private, no-cache"


@pytest.mark.django_db
@pytest.mark.parametrize("cached", [True, False], ids=["catalog cache on", "catalog cache off"])
def test_catalog_and_course_page_revalidate_until_the_course_changes(
    settings, instructor, cached, django_capture_on_commit_callbacks
):
    settings.CATALOG_CACHE_SECONDS = 300 if cached else 0
    course = PublishedCourseFactory(instructor=instructor, title="Before")
    anonymous = client_for(None)
    for url in ("/api/v1/courses/", f"/api/v1/courses/{course.pk}/"):
        first = anonymous.get(url)
        assert first.status_code == 200 and PUBLIC.match(first["Cache-Control"])
        if cached:  # from the cache's versions: the time of the last change
            assert first.has_header("Last-Modified")
        second = anonymous.get(url)
        assert second.content == first.content and second["ETag"] == first["ETag"]
        assert anonymous.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
        assert anonymous.get(url, HTTP_IF_NONE_MATCH='"something-else"').status_code == 200
        assert anonymous.head(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
        if cached:
            assert anonymous.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304

    with django_capture_on_commit_callbacks(execute=True):
        course_services.course_update(actor=instructor, course=course, data={"title": "After"})
    for url in ("/api/v1/courses/", f"/api/v1/courses/{course.pk}/"):
        changed = anonymous.get(url, HTTP_IF_NONE_MATCH=first["ETag"] if url.endswith("/courses/") else "")
        assert changed.status_code == 200
        assert b"After" in changed.content and b"Before" not in changed.content


@pytest.mark.django_db
def test_api_requests_skip_sessions_and_csrf_while_the_admin_keeps_them():
    admin = AdminFactory()
    admin.set_password("Admin-pass-12345")
    admin.save()
    browser = Client(enforce_csrf_checks=True)
    assert browser.login(email=admin.email, password="Admin-pass-12345")
    # The admin: a session, CSRF on every form post.
    page = browser.get("/admin/")
    assert page.status_code == 200
    assert "cookie" in _vary(page)
    assert browser.post("/admin/logout/").status_code == 403  # no CSRF token
    # The API, with the admin's session cookie: the session is neither read nor written, and the
    # request is anonymous (the API signs in with bearer tokens only).
    api = browser.get("/api/v1/auth/me/")
    assert api.status_code == 401
    assert "cookie" not in _vary(api)
    assert "sessionid" not in api.cookies and "csrftoken" not in api.cookies
    catalog = browser.get("/api/v1/courses/")
    assert catalog.status_code == 200 and "cookie" not in _vary(catalog)


def test_the_deploy_checks_insist_on_csrf_protection_for_the_admin(settings):
    from lms.checks import check_csrf_middleware

    assert check_csrf_middleware() == []
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if "Csrf" not in m]
    assert [e.id for e in check_csrf_middleware()] == ["lms.E001"]
