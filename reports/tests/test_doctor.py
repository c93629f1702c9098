"""manage.py doctor against real services (PostgreSQL, Redis, a worker, localstripe, an SMTP server)
and against broken ones: closed ports, missing or mismatched keys, an unwritable media root, a hang."""

import json
import socket
import time
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from reports.management.commands import doctor

pytestmark = pytest.mark.django_db


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def diagnose(*args) -> tuple[dict[str, tuple[str, str]], bool]:
    """{check: (status, message + fix)} from the JSON output, and whether the command failed."""
    out = StringIO()
    failed = False
    try:
        call_command("doctor", "--json", *args, stdout=out)
    except CommandError as exc:
        assert exc.returncode == 1
        failed = True
    body = json.loads(out.getvalue())
    assert body["ok"] is not failed
    return {c["check"]: (c["status"], f"{c['message']} {c['fix']}") for c in body["checks"]}, failed


@pytest.fixture
def broker(redis_url):
    """The Celery app switched to the Redis broker (not eager) for one test."""
    from lms.celery import app

    saved = app.conf.task_always_eager, app.conf.broker_url
    app.conf.task_always_eager, app.conf.broker_url = False, redis_url
    yield app
    app.conf.task_always_eager, app.conf.broker_url = saved


# --- everything up --------------------------------------------------------------------------------
def test_all_ok_against_real_services(postgres, redis_url, celery_worker, stripe_emulator, smtp_server):
    checks, failed = diagnose()

    assert not failed, checks
    names = ("database", "database.migrations", "cache", "broker", "broker.workers", "storage", "email", "pdf")
    names += ("counters",)
    for name in names:
        assert checks[name][0] == "OK", (name, checks[name])
    assert "PostgreSQL" in checks["database"][1]
    assert "RedisCache" in checks["cache"][1]
    assert "worker(s) consume " in checks["broker.workers"][1]
    for queue in ("default", "emails", "certificates"):  # the worker fixture's own, prefixed queues
        assert f"-{queue}" in checks["broker.workers"][1]
    assert checks["stripe.keys"] == ("OK", "Keys present, test mode. ")
    assert checks["stripe.api"][0] == "OK" and stripe_emulator in checks["stripe.api"][1]
    assert checks["email"][1].startswith("SMTP server 127.0.0.1:")
    assert checks["config.debug"][0] == "OK" and checks["config.allowed_hosts"][0] == "OK"


def test_the_embedded_defaults_pass(settings):
    settings.STRIPE_SECRET_KEY = settings.STRIPE_PUBLISHABLE_KEY = settings.STRIPE_WEBHOOK_SECRET = ""
    out = StringIO()
    call_command("doctor", "--check", "database", "--check", "storage", "--check", "email", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("OK   database ")
    assert any(line.startswith("OK   database.migrations") and "All migrations are applied" in line for line in lines)
    assert any(line.startswith("OK   storage ") for line in lines)
    assert lines[-1].endswith(" s.") and "0 FAIL" in lines[-1]


def test_one_line_per_check_with_the_fix_and_exit_status_1():
    out = StringIO()
    with (
        pytest.raises(CommandError, match=r"1 check\(s\) failed: config.allowed_hosts") as failure,
        override_settings(ALLOWED_HOSTS=[]),
    ):
        call_command("doctor", "--check", "config", stdout=out)
    assert failure.value.returncode == 1
    line = next(line for line in out.getvalue().splitlines() if "config.allowed_hosts" in line)
    assert line.startswith("FAIL config.allowed_hosts")
    assert "ALLOWED_HOSTS is empty" in line and "Fix: Set ALLOWED_HOSTS" in line


# --- configuration --------------------------------------------------------------------------------
def test_production_settings_must_be_safe(settings):
    settings.DEBUG = True
    settings.SECRET_KEY = "django-insecure-dev-only-key-change-me-in-production"
    settings.SITE_URL = "http://127.0.0.1:8000"
    checks, failed = diagnose("--check", "config", "--deploy")
    assert failed
    assert checks["config.debug"][0] == "FAIL"
    assert checks["config.secret_key"][0] == "FAIL" and "development default" in checks["config.secret_key"][1]
    assert checks["config.site_url"][0] == "WARN"


def test_development_defaults_only_warn(settings):
    settings.SECRET_KEY = "django-insecure-dev-only-key-change-me-in-production"
    settings.DEBUG = True
    checks, failed = diagnose("--check", "config")
    assert not failed
    assert checks["config.debug"][0] == "WARN" and checks["config.secret_key"][0] == "WARN"


def test_a_site_url_that_is_no_url_fails(settings):
    settings.SITE_URL = "example.com"
    checks, _ = diagnose("--check", "config")
    assert checks["config.site_url"][0] == "FAIL" and "not an http(s) URL" in checks["config.site_url"][1]


# --- cache and broker -----------------------------------------------------------------------------
def test_redis_on_a_closed_port_fails_the_cache(settings):
    url = f"redis://127.0.0.1:{closed_port()}/0"
    settings.CACHES = {"default": {"BACKEND": "lms.cache.RedisCache", "LOCATION": url}}
    checks, failed = diagnose("--check", "cache")
    assert failed
    status, text = checks["cache"]
    assert status == "FAIL" and url in text and "Check REDIS_URL" in text


def test_a_broker_on_a_closed_port_fails(broker):
    url = f"redis://127.0.0.1:{closed_port()}/0"
    broker.conf.broker_url = url
    checks, failed = diagnose("--check", "broker", "--timeout", "2")
    assert failed
    assert checks["broker"][0] == "FAIL" and f"Cannot connect to the broker {url}" in checks["broker"][1]
    assert "broker.workers" not in checks


def test_a_broker_without_workers_fails_naming_every_routed_queue(broker):
    checks, failed = diagnose("--check", "broker", "--timeout", "2")
    assert failed
    assert checks["broker"][0] == "OK"
    status, text = checks["broker.workers"]
    assert status == "FAIL" and "celery -A lms worker" in text
    assert "no live worker consumes certificates (certificate_issue_task" in text
    assert "default (" in text and "emails (" in text and "password_reset_email_send_task" in text


def test_eager_jobs_need_no_broker():
    checks, _ = diagnose("--check", "broker")
    assert checks["broker"] == ("OK", "Background jobs run inline (CELERY_TASK_ALWAYS_EAGER): no broker needed. ")


def test_passwords_in_urls_are_never_printed(settings):
    settings.CACHES = {
        "default": {"BACKEND": "lms.cache.RedisCache", "LOCATION": f"redis://:s3cret@127.0.0.1:{closed_port()}/0"}
    }
    checks, _ = diagnose("--check", "cache")
    assert "s3cret" not in checks["cache"][1] and ":***@" in checks["cache"][1]


# --- storage --------------------------------------------------------------------------------------
def test_an_unwritable_media_root_fails(settings, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    settings.MEDIA_ROOT = str(blocker / "media")
    checks, failed = diagnose("--check", "storage")
    assert failed
    assert checks["storage"][0] == "FAIL" and "Check MEDIA_ROOT" in checks["storage"][1]


def test_storage_leaves_nothing_behind(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    checks, _ = diagnose("--check", "storage")
    assert checks["storage"][0] == "OK"
    assert list(tmp_path.iterdir()) == []


# --- Stripe ---------------------------------------------------------------------------------------
def test_a_missing_stripe_key_fails(settings):
    settings.STRIPE_SECRET_KEY = ""
    settings.STRIPE_PUBLISHABLE_KEY, settings.STRIPE_WEBHOOK_SECRET = "pk_test_x", "whsec_x"
    checks, failed = diagnose("--check", "stripe")
    assert failed
    assert checks["stripe"][0] == "FAIL" and checks["stripe"][1].startswith("STRIPE_SECRET_KEY not set")


def test_no_stripe_at_all_warns_in_development_and_fails_in_production(settings):
    settings.STRIPE_SECRET_KEY = settings.STRIPE_PUBLISHABLE_KEY = settings.STRIPE_WEBHOOK_SECRET = ""
    assert diagnose("--check", "stripe")[0]["stripe"][0] == "WARN"
    assert diagnose("--check", "stripe", "--deploy")[0]["stripe"][0] == "FAIL"


def test_swapped_stripe_keys_fail(settings):
    settings.STRIPE_SECRET_KEY, settings.STRIPE_PUBLISHABLE_KEY = "pk_test_abc", "sk_test_abc"
    settings.STRIPE_WEBHOOK_SECRET = "whsec_abc"
    checks, failed = diagnose("--check", "stripe")
    assert failed
    assert checks["stripe.keys"][0] == "FAIL" and "look swapped" in checks["stripe.keys"][1]


def test_test_and_live_keys_mixed_fail(settings):
    settings.STRIPE_SECRET_KEY, settings.STRIPE_PUBLISHABLE_KEY = "sk_test_abc", "pk_live_abc"
    settings.STRIPE_WEBHOOK_SECRET = "whsec_abc"
    checks, _ = diagnose("--check", "stripe")
    assert checks["stripe.keys"][0] == "FAIL"
    assert "a test key but STRIPE_PUBLISHABLE_KEY is a live key" in checks["stripe.keys"][1]


def test_a_key_stripe_refuses_fails(stripe_emulator, settings):
    settings.STRIPE_SECRET_KEY = "sk_x"  # localstripe, like Stripe, refuses it with a 401
    checks, failed = diagnose("--check", "stripe")
    assert failed
    assert checks["stripe.api"][0] == "FAIL" and "refused STRIPE_SECRET_KEY (401)" in checks["stripe.api"][1]


def test_stripe_unreachable_fails(stripe_emulator, settings):
    settings.STRIPE_API_BASE = f"http://127.0.0.1:{closed_port()}"
    checks, failed = diagnose("--check", "stripe", "--timeout", "2")
    assert failed
    assert checks["stripe.api"][0] == "FAIL" and "Cannot reach Stripe" in checks["stripe.api"][1]


# --- e-mail ---------------------------------------------------------------------------------------
def test_smtp_on_a_closed_port_fails(settings):
    port = closed_port()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", port, False
    checks, failed = diagnose("--check", "email", "--timeout", "2")
    assert failed
    assert checks["email"][0] == "FAIL"
    assert f"Cannot open an SMTP connection to 127.0.0.1:{port}" in checks["email"][1]


def test_smtp_server_ok(smtp_server):
    checks, failed = diagnose("--check", "email")
    assert not failed and checks["email"][0] == "OK"
    assert smtp_server == []  # connected, sent nothing


def test_a_console_backend_warns_only_in_production(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    assert diagnose("--check", "email")[0]["email"][0] == "OK"
    assert diagnose("--check", "email", "--deploy")[0]["email"][0] == "WARN"


# --- never hangs ----------------------------------------------------------------------------------
def test_a_hanging_check_fails_after_the_timeout(monkeypatch):
    def hangs(ctx):
        time.sleep(30)

    monkeypatch.setitem(doctor.CHECKS, "cache", hangs)
    started = time.monotonic()
    checks, failed = diagnose("--check", "cache", "--timeout", "0.3")
    assert time.monotonic() - started < 3
    assert failed and checks["cache"][0] == "FAIL" and "No answer within 0.3 s" in checks["cache"][1]


def test_a_check_that_crashes_is_a_failure_not_a_traceback(monkeypatch):
    def crashes(ctx):
        raise RuntimeError("boom")

    monkeypatch.setitem(doctor.CHECKS, "pdf", crashes)
    checks, failed = diagnose("--check", "pdf")
    assert failed and checks["pdf"] == ("FAIL", "The check itself failed: RuntimeError: boom ")


@pytest.mark.parametrize(
    "args, message",
    [(("--timeout", "0"), "--timeout must be positive"), (("--check", "kafka"), "invalid choice: 'kafka'")],
)
def test_bad_arguments(args, message):
    with pytest.raises(CommandError, match=message):
        call_command("doctor", *args, stdout=StringIO())


# --- stored counters ------------------------------------------------------------------------------
def test_a_drifted_counter_fails_naming_it_and_the_repair(transactional_db):
    """Committed data: doctor runs each check in a thread of its own, with its own connection."""
    from courses.models import Course
    from courses.tests.factories import PublishedCourseFactory

    course = PublishedCourseFactory(lessons=2)
    checks, failed = diagnose("--check", "counters")
    assert not failed and checks["counters"][0] == "OK", checks

    Course.objects.filter(pk=course.pk).update(lesson_count=9)  # as a write outside the services would
    checks, failed = diagnose("--check", "counters")

    assert failed
    status, text = checks["counters.courses.lesson_count"]
    assert status == "FAIL" and "1 row(s)" in text and "9 -> 2" in text
    assert "manage.py repair_counters --counter courses.lesson_count" in text
    call_command("repair_counters", "--counter", "courses.lesson_count", stdout=StringIO())
    checks, failed = diagnose("--check", "counters")
    assert not failed and checks["counters"][0] == "OK"
