"""Operations settings: request ids and structured, redacted logs; the read-replica router; media
storage, Sentry and Celery routing switched by environment variables; the Content-Security-Policy."""

import datetime
import io
import json
import logging
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connections
from rest_framework.test import APIClient

from accounts.tests.factories import StudentFactory
from lms import request_context
from lms.db_router import ReplicaRouter
from lms.logging import JSONFormatter, RedactSecretsFilter, RequestContextFilter, redact

BASE_DIR = Path(__file__).resolve().parents[2]


@pytest.fixture
def json_log():
    """Reads back what was logged during the test through the production handler set-up (JSON
    formatter, request context, redaction): call it to get the parsed lines so far."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JSONFormatter())
    handler.addFilter(RequestContextFilter())
    handler.addFilter(RedactSecretsFilter())
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)


# --- Request ids and logs ----------------------------------------------------------------------


@pytest.mark.django_db
def test_every_response_carries_a_request_id(anon_client):
    first = anon_client.get("/health/")["X-Request-ID"]
    second = anon_client.get("/health/")["X-Request-ID"]
    assert len(first) == 32 and first != second


@pytest.mark.django_db
def test_a_sane_caller_request_id_is_kept_and_a_bad_one_replaced(anon_client):
    assert anon_client.get("/health/", HTTP_X_REQUEST_ID="lb-1234.abc")["X-Request-ID"] == "lb-1234.abc"
    for bad in ("has space", "x" * 65, "inject\nline", "<script>"):
        got = anon_client.get("/health/", HTTP_X_REQUEST_ID=bad)["X-Request-ID"]
        assert got != bad and len(got) == 32


@pytest.mark.django_db
def test_json_log_lines_carry_the_request_id_and_never_a_secret(json_log):
    password = "a-Long-secret-pass-42"
    user = StudentFactory(password=password)
    client = APIClient()
    login = client.post("/api/v1/auth/login/", {"email": user.email, "password": password}, format="json")
    assert login.status_code == 200
    access, refresh = login.json()["access"], login.json()["refresh"]
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    me = client.get("/api/v1/auth/me/?token=" + refresh, HTTP_X_REQUEST_ID="req-42")
    assert me.status_code == 200
    # Careless code logging a header and a form: the filter still masks them.
    logging.getLogger("lms.test").warning("header Authorization: Bearer %s, form password='%s'", access, password)

    lines = json_log()
    requests = [line for line in lines if line["logger"] == "lms.request"]
    request_line = next(line for line in requests if line["path"] == "/api/v1/auth/me/")
    assert request_line["request_id"] == "req-42" == me["X-Request-ID"]
    assert request_line["status"] == 200 and request_line["user_id"] == user.pk
    assert request_line["method"] == "GET" and request_line["duration_ms"] >= 0
    text = json.dumps(lines)
    for secret in (access, refresh, password, access.split(".")[1]):
        assert secret not in text
    assert "Bearer [redacted]" in text and "password='[redacted]'" in text


def test_redaction_covers_keys_tokens_and_password_fields():
    text = redact(
        'sk_live_abc123 rk_test_9 whsec_zz {"password": "hunter2", "refresh": "r1"} '
        "token=abc eyJhbGciOiJIUzI1NiJ9.eyJ1c2VyIjoxfQ.sig"
    )
    for secret in ("abc123", "rk_test_9", "whsec_zz", "hunter2", '"r1"', "eyJhbGciOiJIUzI1NiJ9"):
        assert secret not in text


def test_json_log_lines_take_any_extra_value(json_log):
    """Whatever a caller passes with extra= makes a line: what JSON has no type for is written as
    its str(), dates as ISO 8601, and an integer too large for orjson falls back to the standard
    library (a log call must never raise). The extras follow the standard keys in the order given;
    private ones (a leading underscore) are left out."""
    when = datetime.datetime(2026, 12, 3, 18, 0, tzinfo=datetime.UTC)
    extra = {"when": when, "ids": {1: "a"}, "thing": object(), "amount": Decimal("1.50"), "_private": 1}
    logging.getLogger("lms.test").info("odd extras", extra=extra)
    logging.getLogger("lms.test").info("a huge number", extra={"huge": 2**70, "amount": Decimal("2")})
    lines = {entry["message"]: entry for entry in json_log()}
    odd, huge = lines["odd extras"], lines["a huge number"]
    assert odd["when"].startswith("2026-12-03T18:00:00") and odd["ids"] == {"1": "a"}
    assert odd["thing"].startswith("<object object") and odd["amount"] == "1.50"
    assert huge["huge"] == 2**70 and huge["amount"] == "2"
    standard = ["time", "level", "logger", "message", "request_id"]
    assert list(odd) == [*standard, "when", "ids", "thing", "amount"]


def test_log_records_outside_a_request_have_a_placeholder_id(json_log):
    logging.getLogger("lms.test").info("from a job")
    assert json_log()[-1]["request_id"] == "-"


# --- Read replica ------------------------------------------------------------------------------


def _with_request(read_only: bool):
    return request_context._current.set(request_context.RequestInfo(read_only=read_only))


def test_replica_serves_reads_of_safe_requests_only():
    router = ReplicaRouter()
    assert router.db_for_read(None) == "default"  # a job or a command
    token = _with_request(read_only=True)
    try:
        assert not connections["default"].in_atomic_block
        assert router.db_for_read(None) == "replica"
        assert router.db_for_write(None) == "default"
    finally:
        request_context._current.reset(token)
    token = _with_request(read_only=False)
    try:
        assert router.db_for_read(None) == "default"
    finally:
        request_context._current.reset(token)


@pytest.mark.django_db
def test_replica_is_not_used_inside_a_transaction():
    token = _with_request(read_only=True)
    try:
        assert connections["default"].in_atomic_block  # the test's own transaction
        assert ReplicaRouter().db_for_read(None) == "default"
    finally:
        request_context._current.reset(token)


def test_migrations_run_on_the_primary_only():
    router = ReplicaRouter()
    assert router.allow_migrate("default", "courses") is True
    assert router.allow_migrate("replica", "courses") is False


# --- Settings switched by the environment -------------------------------------------------------


def _settings_in_subprocess(env: dict, expression: str, module: str = "lms.settings.production"):
    """Evaluates `expression` with django.conf.settings loaded from a fresh process and `env`."""
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        f"print(json.dumps({expression}, default=str))"
    )
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "SENTRY_", "MEDIA_", "AWS_"))}
    full_env.update({"DJANGO_SETTINGS_MODULE": module, "SECRET_KEY": "s" * 50, **env})
    result = subprocess.run(
        [sys.executable, "-c", code], env=full_env, cwd=BASE_DIR, capture_output=True, text=True, timeout=60
    )
    return result


def test_replica_router_is_switched_on_by_a_variable():
    off = _settings_in_subprocess({}, "[list(settings.DATABASES), list(settings.DATABASE_ROUTERS)]")
    assert json.loads(off.stdout) == [["default"], []], off.stderr
    on = _settings_in_subprocess(
        {
            "DATABASE_URL": "postgres://app@primary.internal:5432/lms",
            "DATABASE_REPLICA_URL": "postgres://app@replica.internal:5432/lms",
        },
        "[settings.DATABASES['replica']['HOST'], settings.DATABASE_ROUTERS, "
        "settings.DATABASES['replica']['TEST']['MIRROR']]",
    )
    assert json.loads(on.stdout) == ["replica.internal", ["lms.db_router.ReplicaRouter"], "default"]


def test_media_goes_to_s3_compatible_storage_when_asked():
    result = _settings_in_subprocess(
        {"MEDIA_STORAGE": "s3", "AWS_STORAGE_BUCKET_NAME": "lms-media", "AWS_S3_ENDPOINT_URL": "http://minio:9000"},
        "[settings.STORAGES['default']['BACKEND'], settings.STORAGES['default']['OPTIONS']['bucket_name'], "
        "settings.STORAGES['default']['OPTIONS']['default_acl'], settings.STORAGES['staticfiles']['BACKEND'], "
        "type(__import__('django.core.files.storage', fromlist=['default_storage']).default_storage._wrapped "
        "if False else __import__('django.core.files.storage', fromlist=['storages']).storages['default']).__name__]",
    )
    assert json.loads(result.stdout) == [
        "storages.backends.s3.S3Storage",
        "lms-media",
        "private",
        "whitenoise.storage.CompressedManifestStaticFilesStorage",
        "S3Storage",
    ], result.stderr


def test_an_unknown_media_storage_is_refused_at_start():
    result = _settings_in_subprocess({"MEDIA_STORAGE": "ftp"}, "1")
    assert result.returncode != 0
    assert "MEDIA_STORAGE must be 'local' or 's3'" in result.stderr


def test_sentry_is_enabled_by_a_variable_without_personal_data():
    expression = (
        "[__import__('sentry_sdk').get_client().is_active(), "
        "bool(__import__('sentry_sdk').get_client().options['send_default_pii'])]"
    )
    assert json.loads(_settings_in_subprocess({}, expression).stdout) == [False, False]
    on = _settings_in_subprocess({"SENTRY_DSN": "https://key@sentry.invalid/1"}, expression)
    assert json.loads(on.stdout) == [True, False], on.stderr


def test_production_logs_json_by_default():
    result = _settings_in_subprocess({}, "settings.LOGGING['handlers']['console']['formatter']")
    assert json.loads(result.stdout) == "json"
    plain = _settings_in_subprocess({"LOG_FORMAT": "plain"}, "settings.LOGGING['handlers']['console']['formatter']")
    assert json.loads(plain.stdout) == "plain"


def test_production_records_skip_thread_and_process_names_and_keep_the_caller():
    """Production's LOGGING_CONFIG applies the LOGGING setting and switches off the thread and
    process names that no line prints; the caller's file and line stay (errors need them).
    Development keeps everything."""
    expression = (
        "[__import__('logging').logThreads, __import__('logging').logProcesses, "
        "__import__('logging').logMultiprocessing, __import__('logging')._srcfile is not None, "
        "[type(f).__name__ for f in __import__('logging').getLogger().handlers[0].filters]]"
    )
    production = _settings_in_subprocess({}, expression)
    assert json.loads(production.stdout) == [False, False, False, True, ["RequestContextFilter", "RedactSecretsFilter"]]
    local = _settings_in_subprocess({}, expression, module="lms.settings.local")
    assert json.loads(local.stdout)[:4] == [True, True, True, True], local.stderr


# --- Celery ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("task", "queue"),
    [
        ("certificates.tasks.certificate_issue_task", "certificates"),
        ("notifications.tasks.notification_emails_send_task", "emails"),
        ("accounts.tasks.password_reset_email_send_task", "emails"),
        ("payments.tasks.payments_reconcile_task", "default"),
        ("quizzes.tasks.attempts_close_expired_task", "default"),
        ("media.tasks.upload_derive_task", "media"),
        ("media.tasks.uploads_delete_unattached_task", "media"),
        ("webhooks.tasks.webhooks_sweep_task", "webhooks"),
    ],
)
def test_tasks_are_routed_to_their_queue(task, queue):
    from lms.celery import app

    assert app.amqp.router.route({}, task)["queue"].name == queue


def test_every_queue_a_job_is_routed_to_is_declared_so_a_plain_worker_consumes_it():
    """A plain `celery -A lms worker` consumes exactly the declared queues (Celery's task_queues)."""
    from django.conf import settings

    from lms.jobs import routed_queues

    declared = {queue.name for queue in settings.CELERY_TASK_QUEUES}
    routed = routed_queues()
    assert set(routed) == declared == {"default", "emails", "certificates", "media", "webhooks"}
    assert "certificates.tasks.certificate_issue_task" in routed["certificates"]
    assert "notifications.tasks.announcement_send_task" in routed["emails"]


def test_a_job_routed_to_an_undeclared_queue_is_refused_when_queued():
    from celery.exceptions import QueueNotFound

    from lms.celery import app

    assert app.conf.task_create_missing_queues is False
    with pytest.raises(QueueNotFound, match="nowhere"):
        app.amqp.router.route({"queue": "nowhere"}, "certificates.tasks.certificate_issue_task")


def test_every_periodic_job_names_a_registered_task():
    from django.conf import settings

    from lms.celery import app

    app.loader.import_default_modules()
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert scheduled <= set(app.tasks), scheduled - set(app.tasks)
    assert {
        "quizzes.tasks.attempts_close_expired_task",
        "payments.tasks.payments_reconcile_task",
        "activity.tasks.activity_prune_task",
    } <= scheduled


def test_jobs_have_time_limits():
    from lms.celery import app

    assert 0 < app.conf.task_soft_time_limit < app.conf.task_time_limit
    assert app.conf.task_acks_late and app.conf.task_reject_on_worker_lost


# --- Content-Security-Policy --------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/admin/login/", "/api/docs/", "/api/redoc/", "/api/v1/courses/"])
def test_pages_carry_a_content_security_policy_without_inline_script(anon_client, path):
    response = anon_client.get(path)
    assert response.status_code == 200
    policy = dict(part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";"))
    assert policy["script-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'" and policy["object-src"] == "'none'"
    if response["Content-Type"].startswith("text/html"):
        html = response.content.decode()
        # Every <script> loads from a URL: an inline one would be blocked by script-src 'self'.
        assert "<script>" not in html.replace(" ", "")
        assert "googleapis" not in html


@pytest.mark.django_db
def test_swagger_ui_init_script_is_served_from_our_origin(anon_client):
    response = anon_client.get("/api/docs/?script=")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert "/api/schema/" in response.content.decode()


# --- Request ids follow queued jobs -------------------------------------------------------------

from lms.celery import app as celery_app  # noqa: E402


@celery_app.task(name="lms.tests.current_request_id")
def _current_request_id_task():
    return request_context.current().request_id


@pytest.mark.worker
def test_a_job_queued_in_a_request_logs_with_that_request_id(celery_worker):
    token = request_context._current.set(request_context.RequestInfo(request_id="req-job-7"))
    try:
        result = _current_request_id_task.delay()
    finally:
        request_context._current.reset(token)
    assert result.get(timeout=20) == "req-job-7"
    # Queued outside a request (beat, a command): the job's own id.
    other = _current_request_id_task.delay()
    assert other.get(timeout=20) == f"task-{other.id}"


def test_gunicorn_logs_json_in_production_without_duplicate_access_lines():
    code = (
        "import logging, logging.config, runpy; "
        "conf = runpy.run_path('gunicorn.conf.py'); "
        "logging.config.dictConfig(conf['logconfig_dict']); "
        "logging.getLogger('gunicorn.error').info('Booting worker'); "
        "logging.getLogger('gunicorn.access').info('GET /x'); "
        "logging.getLogger('gunicorn.error').error('Authorization: Bearer abc.def.ghi')"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("LOG_FORMAT", "GUNICORN_ACCESS_LOG")}
    env["DJANGO_SETTINGS_MODULE"] = "lms.settings.production"
    result = subprocess.run([sys.executable, "-c", code], env=env, cwd=BASE_DIR, capture_output=True, text=True)
    lines = [json.loads(line) for line in result.stderr.splitlines()]
    assert [line["message"] for line in lines] == ["Booting worker", "Authorization: Bearer [redacted]"]
    assert {line["logger"] for line in lines} == {"gunicorn.error"}


@pytest.mark.parametrize("access_log, built", [("", False), ("-", True)])
def test_gunicorn_builds_access_lines_only_when_asked(access_log, built):
    """With a logging configuration (JSON in production), gunicorn would build each request's access
    fields even with its access logger silenced; the configured logger class builds them only when
    GUNICORN_ACCESS_LOG asks for access lines."""
    code = (
        "import runpy; from gunicorn.config import Config; "
        "conf = runpy.run_path('gunicorn.conf.py'); cfg = Config(); "
        "[cfg.set(k, conf[k]) for k in ('logger_class', 'logconfig_dict', 'accesslog') if k in conf]; "
        "print(cfg.logger_class(cfg).access_log_enabled)"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("LOG_FORMAT", "GUNICORN_ACCESS_LOG")}
    env.update(DJANGO_SETTINGS_MODULE="lms.settings.production", GUNICORN_ACCESS_LOG=access_log)
    result = subprocess.run([sys.executable, "-c", code], env=env, cwd=BASE_DIR, capture_output=True, text=True)
    assert result.stdout.strip() == str(built), result.stderr


@pytest.mark.django_db
def test_django_error_lines_carry_the_request_id_and_not_the_query_string(anon_client, json_log):
    response = anon_client.get("/api/v1/nowhere/?token=s3cr3t-value", HTTP_X_REQUEST_ID="req-404")
    assert response.status_code == 404
    lines = [line for line in json_log() if line["logger"] == "django.request"]
    assert lines and all(line["request_id"] == "req-404" for line in lines)
    assert "s3cr3t-value" not in json.dumps(json_log())


# --- this checkout's secret key -------------------------------------------------------------------
def _ensure_secret_key():
    import importlib.util

    spec = importlib.util.spec_from_file_location("ensure_secret_key", BASE_DIR / "scripts" / "ensure_secret_key.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.ensure


def test_install_gives_the_checkout_a_random_key_once_and_keeps_what_is_there(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    ensure = _ensure_secret_key()
    env_file = tmp_path / ".env"
    env_file.write_text("DEBUG=true")  # no final newline

    assert ensure(env_file) is True
    lines = env_file.read_text().splitlines()
    assert lines[0] == "DEBUG=true" and lines[-1].startswith("SECRET_KEY=")
    key = lines[-1].partition("=")[2]
    assert len(key) >= 80 and not key.startswith("django-insecure")
    assert env_file.stat().st_mode & 0o777 == 0o600
    assert ensure(env_file) is False and env_file.read_text().splitlines()[-1] == f"SECRET_KEY={key}"
    other = tmp_path / "other.env"
    assert ensure(other) is True and other.read_text().splitlines()[-1] != f"SECRET_KEY={key}"  # random

    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    assert ensure(tmp_path / "third.env") is False and not (tmp_path / "third.env").exists()


def test_local_settings_sign_jwts_with_the_checkouts_key(tmp_path, monkeypatch):
    """Not with the public development default: a token minted with that key is refused."""
    monkeypatch.delenv("SECRET_KEY", raising=False)
    env_file = tmp_path / ".env"
    _ensure_secret_key()(env_file)
    key = env_file.read_text().splitlines()[-1].partition("=")[2]
    script = (
        "import django; django.setup()\n"
        "from django.conf import settings\n"
        "from rest_framework_simplejwt.backends import TokenBackend\n"
        "from rest_framework_simplejwt.exceptions import TokenBackendError\n"
        "print(settings.SECRET_KEY == settings.SIMPLE_JWT['SIGNING_KEY'] == " + repr(key) + ")\n"
        "default = 'django-insecure-dev-only-key-change-me-in-production'\n"
        "forged = TokenBackend('HS256', default).encode({'user_id': 1})\n"
        "try:\n"
        "    TokenBackend('HS256', settings.SIMPLE_JWT['SIGNING_KEY']).decode(forged)\n"
        "    print('forged token accepted')\n"
        "except TokenBackendError:\n"
        "    print('forged token refused')\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SECRET_KEY", "JWT_"))}
    env.update(DJANGO_SETTINGS_MODULE="lms.settings", ENV_FILE=str(env_file))
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "forged", "token", "refused"]
