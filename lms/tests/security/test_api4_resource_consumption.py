"""OWASP API4:2023 Unrestricted Resource Consumption: page sizes are capped, oversized bodies are
refused without a 5xx, and throttles answer 429 with Retry-After on sign-in and on the expensive
endpoints."""

from __future__ import annotations

import json

import pytest
from django.conf import settings

from conftest import client_for
from courses.models import Category
from courses.tests.factories import EnrollmentFactory, PublishedCourseFactory
from notifications.models import Notification

pytestmark = pytest.mark.django_db

MAX_PAGE = 100


def test_page_size_is_capped_on_page_number_lists(anon_client):
    Category.objects.bulk_create(Category(name=f"Cat {n}", slug=f"cat-{n}") for n in range(MAX_PAGE + 5))
    response = anon_client.get("/api/v1/categories/?page_size=100000")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == MAX_PAGE + 5
    assert len(body["results"]) == MAX_PAGE
    assert body["next"]


def test_page_size_is_capped_on_cursor_feeds(student):
    Notification.objects.bulk_create(
        Notification(recipient=student, type="announcement", title=f"N{n}") for n in range(MAX_PAGE + 5)
    )
    response = client_for(student).get("/api/v1/notifications/?page_size=100000")
    assert response.status_code == 200
    assert len(response.json()["results"]) == MAX_PAGE
    assert response.json()["next"]


def test_page_size_is_capped_on_the_admin_user_list(admin_client):
    from accounts.tests.factories import StudentFactory

    StudentFactory.create_batch(MAX_PAGE + 1)
    response = admin_client.get("/api/v1/admin/users/?page_size=100000")
    assert response.status_code == 200
    assert len(response.json()["results"]) == MAX_PAGE


@pytest.mark.parametrize("value", ["-1", "0", "abc", "1e9", "99999999999999999999999", "%00"])
def test_odd_page_sizes_and_pages_are_never_a_5xx(anon_client, value):
    PublishedCourseFactory()
    for query in (f"page_size={value}", f"page={value}"):
        response = anon_client.get(f"/api/v1/courses/?{query}")
        assert response.status_code in (200, 400, 404), (query, response.status_code)
        assert response["Content-Type"].startswith("application/json")
        if response.status_code == 200:
            assert len(response.json()["results"]) <= MAX_PAGE


def test_a_huge_json_body_is_refused_without_a_5xx(student):
    size = settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1024
    body = json.dumps({"first_name": "x" * size})
    response = client_for(student).patch("/api/v1/auth/me/", data=body, content_type="application/json")
    assert response.status_code == 413, response.status_code
    assert response["Content-Type"].startswith("application/json")
    student.refresh_from_db()
    assert len(student.first_name) < 1000


def test_a_huge_body_to_an_anonymous_endpoint_is_refused(anon_client):
    size = settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1024
    body = json.dumps({"email": "a@example.com", "password": "p" * size})
    response = anon_client.post("/api/v1/auth/login/", data=body, content_type="application/json")
    assert response.status_code == 413, response.status_code
    assert response["Content-Type"].startswith("application/json")


def test_a_huge_webhook_body_is_refused(anon_client, settings):
    settings.STRIPE_WEBHOOK_SECRET = "whsec_test_local"
    body = b'{"id": "evt_1", "pad": "' + b"x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1024) + b'"}'
    response = anon_client.post("/api/v1/payments/stripe/webhook/", data=body, content_type="application/json")
    assert response.status_code == 413, response.status_code


def test_deeply_nested_json_is_not_a_5xx(student):
    body = "[" * 100000 + "]" * 100000
    response = client_for(student).patch("/api/v1/auth/me/", data=body, content_type="application/json")
    assert response.status_code == 400, response.status_code
    assert response.json()["detail"]
    response = client_for(None).post("/api/v1/auth/login/", data=body, content_type="application/json")
    assert response.status_code == 400, response.status_code


def test_long_lists_in_bodies_are_bounded(instructor_client, instructor):
    course = PublishedCourseFactory(instructor=instructor)
    response = instructor_client.post(
        f"/api/v1/courses/{course.pk}/sections/reorder/", {"order": list(range(1, 100002))}, format="json"
    )
    assert response.status_code == 400


def test_long_search_strings_are_bounded(anon_client):
    response = anon_client.get("/api/v1/courses/?search=" + "a" * 100000)
    assert response.status_code in (200, 400, 414)


def _throttle(settings, scope: str, rate: str) -> None:
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], scope: rate},
    }


def _assert_throttled(response) -> None:
    assert response.status_code == 429, response.status_code
    assert int(response["Retry-After"]) >= 1
    assert response.json()["detail"]


def test_sign_up_is_throttled(anon_client, settings):
    # A small rate: at the default (120 a minute) the sign-ups, each hashing a password, could take
    # longer than the minute on a busy machine and the window would start over.
    _throttle(settings, "auth", "5/min")
    rate = 5
    statuses = []
    for n in range(rate + 1):
        body = {"email": f"bot{n}@example.net", "password": "Long-enough-pass-42", "first_name": "B", "last_name": "T"}
        statuses.append(anon_client.post("/api/v1/auth/register/", body, format="json"))
    assert [r.status_code for r in statuses[:rate]] == [201] * rate
    _assert_throttled(statuses[rate])


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/admin/reports/enrollments/?interval=day",
        "/api/v1/admin/activity/",
        "/api/v1/dashboard/admin/",
        "/api/v1/admin/users/?search=a",
    ],
)
def test_expensive_admin_endpoints_are_throttled_per_user(admin_client, settings, path):
    _throttle(settings, "user", "3/min")
    responses = [admin_client.get(path) for _ in range(4)]
    assert [r.status_code for r in responses[:3]] == [200] * 3
    _assert_throttled(responses[3])


def test_catalog_search_is_throttled_for_anonymous_callers(anon_client, settings):
    _throttle(settings, "anon", "3/min")
    responses = [anon_client.get("/api/v1/courses/?search=python") for _ in range(4)]
    assert [r.status_code for r in responses[:3]] == [200] * 3
    _assert_throttled(responses[3])


def test_instructor_reports_are_throttled(instructor_client, settings):
    _throttle(settings, "user", "2/min")
    responses = [instructor_client.get("/api/v1/instructor/reports/enrollments/") for _ in range(3)]
    _assert_throttled(responses[2])


def test_quiz_attempts_are_throttled(student, settings):
    from quizzes.tests.factories import QuestionFactory, QuizFactory

    quiz = QuizFactory()
    QuestionFactory(quiz=quiz)
    EnrollmentFactory(student=student, course=quiz.course)
    _throttle(settings, "user", "2/min")
    client = client_for(student)
    responses = [client.post(f"/api/v1/quizzes/{quiz.pk}/attempts/") for _ in range(3)]
    _assert_throttled(responses[2])


def test_report_ranges_are_bounded(admin_client):
    response = admin_client.get("/api/v1/admin/reports/signups/?from=0001-01-01&to=9998-12-31&interval=day")
    assert response.status_code == 400
