"""The cross-cutting parts: health probes, API docs, JSON errors, settings."""

import json

import pytest
from django.core.cache import cache
from django.db import connections
from django.test import override_settings

pytestmark = pytest.mark.django_db


def test_health_is_up_without_io(anon_client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = anon_client.get("/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_health_ignores_a_bad_token(anon_client):
    anon_client.credentials(HTTP_AUTHORIZATION="Bearer garbage")
    assert anon_client.get("/health/").status_code == 200


def test_ready_checks_database_cache_and_broker(anon_client):
    response = anon_client.get("/ready/")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "cache", "broker"}


def test_ready_names_the_database_when_it_is_down(anon_client, monkeypatch):
    def broken_cursor(*args, **kwargs):
        raise RuntimeError("connection refused")

    monkeypatch.setattr(connections["default"], "cursor", broken_cursor)
    response = anon_client.get("/ready/")
    assert response.status_code == 503
    assert response.json()["checks"]["database"].startswith("down: RuntimeError")
    assert response.json()["checks"]["cache"] == "ok"


def test_ready_names_the_cache_when_it_is_down(anon_client, monkeypatch):
    monkeypatch.setattr(cache, "get", lambda *a, **k: None)
    response = anon_client.get("/ready/")
    assert response.status_code == 503
    assert response.json()["checks"]["cache"].startswith("down:")


def test_ready_names_the_broker_when_it_is_down(anon_client):
    with override_settings(CELERY_TASK_ALWAYS_EAGER=False, CELERY_BROKER_URL="redis://127.0.0.1:1/0"):
        from lms.celery import app

        old = app.conf.broker_url
        app.conf.broker_url = "redis://127.0.0.1:1/0"
        try:
            response = anon_client.get("/ready/")
        finally:
            app.conf.broker_url = old
    assert response.status_code == 503
    assert response.json()["checks"]["broker"].startswith("down:")


def test_ready_reaches_a_real_broker(anon_client, redis_url):
    with override_settings(CELERY_TASK_ALWAYS_EAGER=False, CELERY_BROKER_URL=redis_url):
        from lms.celery import app

        old = app.conf.broker_url
        app.conf.broker_url = redis_url
        try:
            response = anon_client.get("/ready/")
        finally:
            app.conf.broker_url = old
    assert response.status_code == 200, response.json()
    assert response.json()["checks"]["broker"] == "ok"


def test_ready_detail_reports_inline_jobs_on_the_embedded_default(anon_client):
    response = anon_client.get("/ready/?detail=1")
    assert response.status_code == 200, response.json()
    assert response.json()["checks"]["workers"] == "ok (jobs run inline)"
    assert "workers" not in anon_client.get("/ready/").json()["checks"]  # the plain probe asks no worker


def test_ready_detail_must_be_a_boolean(anon_client):
    response = anon_client.get("/ready/?detail=maybe")
    assert response.status_code == 400
    assert response.json() == {
        "detail": "`detail` must be true or false (or 1 or 0).",
        "code": "invalid",
        "field": "detail",
    }


def test_ready_detail_fails_naming_queues_no_worker_consumes(anon_client, redis_url):
    """A real broker and no worker reading it: the plain probe is still 200 (the web can serve), the
    detailed one is 503 and names every routed queue with the jobs that would wait there."""
    with override_settings(CELERY_TASK_ALWAYS_EAGER=False, CELERY_BROKER_URL=redis_url):
        from lms.celery import app

        old = app.conf.broker_url, app.conf.task_always_eager
        app.conf.broker_url, app.conf.task_always_eager = redis_url, False
        try:
            plain = anon_client.get("/ready/")
            detailed = anon_client.get("/ready/?detail=true")
        finally:
            app.conf.broker_url, app.conf.task_always_eager = old
    assert plain.status_code == 200, plain.json()
    assert detailed.status_code == 503, detailed.json()
    workers = detailed.json()["checks"]["workers"]
    assert workers.startswith("FAIL: no live worker consumes certificates (certificate_issue_task")
    assert "emails (" in workers and "default (" in workers and workers.endswith("(celery)")


def test_ready_detail_is_ok_when_every_routed_queue_has_a_worker(anon_client, celery_worker):
    response = anon_client.get("/ready/?detail=1")
    assert response.status_code == 200, response.json()
    workers = response.json()["checks"]["workers"]
    assert workers.startswith("ok (") and "inline" not in workers
    assert celery_worker.conf.task_default_queue in workers  # the worker fixture's own queues


def test_openapi_schema_is_served_and_documents_bearer_auth(anon_client):
    response = anon_client.get("/api/schema/?format=json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/auth/login/" in schema["paths"]
    assert schema["components"]["securitySchemes"]["jwtAuth"]["scheme"] == "bearer"


def test_the_schema_is_generated_once_per_format_and_revalidated_with_an_etag(anon_client, monkeypatch):
    from drf_spectacular.generators import SchemaGenerator

    from lms.docs import SchemaView

    monkeypatch.setattr(SchemaView, "_rendered", {})
    generated = []
    original = SchemaGenerator.get_schema
    monkeypatch.setattr(
        SchemaGenerator, "get_schema", lambda self, *a, **k: generated.append(1) or original(self, *a, **k)
    )

    first = anon_client.get("/api/schema/?format=json")
    second = anon_client.get("/api/schema/?format=json")
    yaml = anon_client.get("/api/schema/")

    assert first.status_code == second.status_code == yaml.status_code == 200
    assert len(generated) == 2  # once as JSON, once as YAML; the second JSON request reused the bytes
    assert first.content == second.content and json.loads(first.content)["openapi"].startswith("3.")
    assert first["Content-Type"].startswith("application/vnd.oai.openapi+json")
    assert yaml["Content-Type"].startswith("application/vnd.oai.openapi") and yaml.content.startswith(b"openapi:")
    etag = first["ETag"]
    assert etag.startswith('"') and etag != yaml["ETag"] and first["Cache-Control"] == "no-cache"
    not_modified = anon_client.get("/api/schema/?format=json", HTTP_IF_NONE_MATCH=etag)
    assert not_modified.status_code == 304 and not_modified.content == b"" and not_modified["ETag"] == etag
    assert anon_client.get("/api/schema/?format=json", HTTP_IF_NONE_MATCH='"stale"').status_code == 200


@pytest.mark.parametrize("path", ["/api/docs/", "/api/redoc/"])
def test_docs_pages_render(anon_client, path):
    response = anon_client.get(path)
    assert response.status_code == 200
    assert b"<html" in response.content.lower()


def test_unknown_url_is_a_json_404(anon_client):
    response = anon_client.get("/api/v1/does-not-exist/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"detail": "Not found."}


def test_cors_allows_configured_origins_only(anon_client, settings):
    settings.CORS_ALLOWED_ORIGINS = ["https://app.example.com"]
    ok = anon_client.options(
        "/api/v1/auth/login/", HTTP_ORIGIN="https://app.example.com", HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST"
    )
    assert ok["Access-Control-Allow-Origin"] == "https://app.example.com"
    other = anon_client.options(
        "/api/v1/auth/login/", HTTP_ORIGIN="https://evil.example.com", HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST"
    )
    assert "Access-Control-Allow-Origin" not in other


def test_production_settings_refuse_to_start_without_secret_key():
    import subprocess
    import sys

    env = {"DJANGO_SETTINGS_MODULE": "lms.settings.production", "PATH": "/usr/bin:/bin", "SECRET_KEY": ""}
    result = subprocess.run([sys.executable, "manage.py", "check"], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
