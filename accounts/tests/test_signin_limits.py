"""Sign-in limits (accounts.signin_limits), through the API, with the default settings: a class behind
one school address signs in and signs up together; a brute force against one account and a password
spray over many accounts are stopped; the answers never tell whether an account exists; the owner of
a locked account gets one e-mail; a forged X-Forwarded-For gains nothing; a dead cache fails open."""

import re
import subprocess
import sys
from datetime import timedelta
from html import unescape
from urllib.parse import parse_qs, urlparse

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone
from rest_framework.test import APIClient

from accounts import services
from accounts.models import LockoutNotice, SignInLockout
from accounts.tasks import (
    signin_lockout_email_send_task,
    signin_lockout_emails_send_pending_task,
    signin_lockouts_prune_task,
)
from accounts.tests.factories import PASSWORD, StudentFactory
from conftest import client_for

LOGIN = "/api/v1/auth/login/"
INSTRUCTOR_LOGIN = "/api/v1/auth/instructors/login/"
REGISTER = "/api/v1/auth/register/"
PASSWORD_CHANGE = "/api/v1/auth/password/change/"
PASSWORD_RESET = "/api/v1/auth/password/reset/"
PASSWORD_RESET_CONFIRM = "/api/v1/auth/password/reset/confirm/"

NAMES = {"first_name": "Pupil", "last_name": "Learner"}
SCHOOL = "203.0.113.7"  # one public address: a school behind NAT
ELSEWHERE = "198.51.100.20"
NEW_PASSWORD = "Brand-New-Pass-77"

pytestmark = pytest.mark.django_db


@pytest.fixture
def now(time_machine):
    """The clock, stopped at a known moment; tests move it on explicitly."""
    time_machine.move_to(timezone.now(), tick=False)
    return time_machine


def sign_in(email, password=PASSWORD, address=SCHOOL, url=LOGIN, **extra):
    return APIClient().post(url, {"email": email, "password": password}, REMOTE_ADDR=address, **extra)


def assert_locked(response, code="account_locked"):
    assert response.status_code == 429, response.content
    assert response.json()["code"] == code
    assert response.json()["detail"]
    assert "access" not in response.json()
    assert int(response["Retry-After"]) > 0


def parts(message) -> dict[str, str]:
    return {"text/plain": message.body, **{mimetype: content for content, mimetype in message.alternatives}}


# --- the school behind one address ----------------------------------------------------------------
def test_the_defaults():
    """What the README promises (and every other test here runs with)."""
    assert settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["auth"] == "120/min"
    assert settings.SIGNIN_ACCOUNT_MAX_FAILURES == 10
    assert settings.SIGNIN_ACCOUNT_WINDOW_MINUTES == 15
    assert settings.SIGNIN_ADDRESS_MAX_FAILURES == 100
    assert settings.SIGNIN_ADDRESS_WINDOW_MINUTES == 15
    assert settings.SIGNIN_LOCKOUT_EMAIL_INTERVAL_HOURS == 24
    assert settings.PASSWORD_RESET_EMAILS_PER_HOUR == 5


def test_a_class_of_40_signs_in_from_one_address_within_a_minute(now):
    students = StudentFactory.create_batch(40)

    statuses = []
    for student in students:
        statuses.append(sign_in(student.email).status_code)
        now.shift(1.4)  # 40 students in 56 seconds

    assert statuses == [200] * 40


def test_a_class_with_typos_signs_in_from_one_address_within_a_minute(now):
    """Every fourth student mistypes their password once, then gets it right."""
    students = StudentFactory.create_batch(40)

    statuses = []
    for n, student in enumerate(students):
        if n % 4 == 0:
            statuses.append(sign_in(student.email, "correct-horse-42").status_code)
        statuses.append(sign_in(student.email).status_code)
        now.shift(1.2)

    assert statuses.count(401) == 10
    assert statuses.count(200) == 40
    assert 429 not in statuses


def test_a_class_of_40_signs_up_from_one_address_within_a_minute(now):
    statuses = []
    for n in range(40):
        body = {"email": f"pupil{n}@school.example", "password": "Long-enough-pass-42", **NAMES}
        statuses.append(APIClient().post(REGISTER, body, REMOTE_ADDR=SCHOOL).status_code)
        now.shift(1.4)

    assert statuses == [201] * 40
    # ... and the same class signs in again at once (the lesson's app was restarted).
    again = [sign_in(f"pupil{n}@school.example", "Long-enough-pass-42").status_code for n in range(40)]
    assert again == [200] * 40


# --- brute force against one account ---------------------------------------------------------------
def test_brute_force_on_one_account_is_locked_after_10_failures(now):
    victim, classmate = StudentFactory(), StudentFactory()

    statuses = [sign_in(victim.email, f"guess-{n}").status_code for n in range(10)]
    blocked = sign_in(victim.email)  # the right password

    assert statuses == [401] * 10
    assert_locked(blocked)
    assert blocked["Retry-After"] == "900"
    assert "15 minutes" in blocked.json()["detail"]
    # That account only: a classmate at the same address signs in ...
    assert sign_in(classmate.email).status_code == 200
    # ... but the locked account is locked from every address, and on every sign-in form.
    assert_locked(sign_in(victim.email, address=ELSEWHERE))
    assert_locked(sign_in(victim.email, url=INSTRUCTOR_LOGIN))


def test_the_lock_ends_after_the_window_and_forgives_its_failures(now):
    victim = StudentFactory()
    for n in range(10):
        sign_in(victim.email, f"guess-{n}")

    now.shift(14 * 60)
    still = sign_in(victim.email)
    assert_locked(still)
    assert still["Retry-After"] == "60"

    now.shift(60)
    assert sign_in(victim.email).status_code == 200
    # A fresh count: ten more failures before the next lock.
    assert [sign_in(victim.email, f"again-{n}").status_code for n in range(10)] == [401] * 10
    assert_locked(sign_in(victim.email))


def test_failures_older_than_the_window_are_forgotten(now):
    victim = StudentFactory()
    for n in range(9):
        sign_in(victim.email, f"guess-{n}")
        now.shift(60)

    now.shift(31 * 60)  # the nine failures are now 31 to 40 minutes old

    assert [sign_in(victim.email, f"late-{n}").status_code for n in range(9)] == [401] * 9


def test_a_right_password_forgives_the_account_its_failures(now):
    student = StudentFactory()
    statuses = [sign_in(student.email, f"typo-{n}").status_code for n in range(9)]
    statuses.append(sign_in(student.email).status_code)
    statuses += [sign_in(student.email, f"typo-again-{n}").status_code for n in range(9)]

    assert statuses == [401] * 9 + [200] + [401] * 9
    assert sign_in(student.email).status_code == 200


# --- password spraying over many accounts -----------------------------------------------------------
def spray(count: int, *, start: int = 0, **extra) -> list[int]:
    """One common password tried against `count` accounts, most of them unknown."""
    return [sign_in(f"someone{n}@example.org", "Summer2024!", **extra).status_code for n in range(start, start + count)]


def test_a_password_spray_from_one_address_is_stopped_after_100_tries(now):
    victim = StudentFactory()

    statuses = spray(110)

    assert statuses.index(429) == 100
    assert statuses == [401] * 100 + [429] * 10
    blocked = sign_in(victim.email)
    assert_locked(blocked, code="too_many_failures")
    assert blocked["Retry-After"] == "900"
    # Only that address: the victim signs in from anywhere else.
    assert sign_in(victim.email, address=ELSEWHERE).status_code == 200


def test_a_right_password_does_not_reset_the_address_count(now):
    """A sprayer holding one valid account must not be able to restart the count with it."""
    own = StudentFactory()

    statuses = spray(99)
    statuses.append(sign_in(own.email).status_code)
    statuses += spray(2, start=99)

    assert statuses == [401] * 99 + [200, 401, 429]


def test_the_address_lock_ends_after_its_window(now):
    student = StudentFactory()
    spray(100)
    assert_locked(sign_in(student.email), code="too_many_failures")

    now.shift(15 * 60)

    assert sign_in(student.email).status_code == 200


def test_a_forged_x_forwarded_for_does_not_escape_the_address_count(now, settings):
    assert settings.REST_FRAMEWORK["NUM_PROXIES"] == 0
    statuses = [
        sign_in(f"someone{n}@example.org", "Summer2024!", HTTP_X_FORWARDED_FOR=f"10.{n}.0.1").status_code
        for n in range(101)
    ]

    assert statuses == [401] * 100 + [429]


def test_behind_a_trusted_proxy_the_address_it_saw_is_counted(now, settings):
    """NUM_PROXIES=1: the load balancer appends the address it saw; whatever the client put before
    it is ignored, and two clients behind the balancer count apart."""
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    balancer = "10.0.0.2"  # REMOTE_ADDR is the load balancer for everyone
    for n in range(100):
        sign_in(f"someone{n}@example.org", "x", address=balancer, HTTP_X_FORWARDED_FOR=f"10.{n}.0.1, {SCHOOL}")
    student = StudentFactory()

    forged = sign_in(student.email, address=balancer, HTTP_X_FORWARDED_FOR=f"10.200.0.1, {SCHOOL}")
    other_client = sign_in(student.email, address=balancer, HTTP_X_FORWARDED_FOR=ELSEWHERE)

    assert_locked(forged, code="too_many_failures")
    assert other_client.status_code == 200


def test_an_ipv6_host_cannot_spread_a_spray_over_its_64(now):
    student = StudentFactory()
    for n in range(100):
        sign_in(f"someone{n}@example.org", "x", address=f"2001:db8:1:2::{n + 1:x}")

    assert_locked(sign_in(student.email, address="2001:db8:1:2:ffff::1"), code="too_many_failures")
    assert sign_in(student.email, address="2001:db8:1:3::1").status_code == 200


# --- no account enumeration ----------------------------------------------------------------------------
def test_existing_and_unknown_emails_get_the_same_answers(now):
    student = StudentFactory()
    responses = {}
    for email in (student.email, "nobody-here@example.com"):
        responses[email] = [sign_in(email, f"guess-{n}", address=ELSEWHERE) for n in range(10)]
        responses[email].append(sign_in(email, PASSWORD, address=ELSEWHERE))

    known, unknown = responses.values()
    assert [r.status_code for r in known] == [r.status_code for r in unknown] == [401] * 10 + [429]
    assert [r.json() for r in known] == [r.json() for r in unknown]
    assert known[-1]["Retry-After"] == unknown[-1]["Retry-After"]
    assert {k: v for k, v in known[-1].headers.items() if k != "X-Request-ID"} == {
        k: v for k, v in unknown[-1].headers.items() if k != "X-Request-ID"
    }


# --- the owner's e-mail ------------------------------------------------------------------------------------
def lock(email, capture, address=SCHOOL):
    with capture(execute=True):
        for n in range(10):
            sign_in(email, f"guess-{n}", address=address)


def test_the_owner_gets_one_email_per_lockout(now, django_capture_on_commit_callbacks):
    student = StudentFactory(first_name="Grace")

    lock(student.email, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(5):
            assert_locked(sign_in(student.email, "still-guessing"))

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [student.email]
    assert message.subject == "Too many failed sign-ins to your account"
    until = timezone.now() + timedelta(minutes=15)
    for content in (" ".join(part.split()) for part in parts(message).values()):
        assert "Grace" in content
        assert "10 times within 15 minutes" in content
        assert f"{until:%H:%M} UTC" in content
        assert "Forgot password" in content
    lockout = SignInLockout.objects.get()
    assert (lockout.user, lockout.address, lockout.notice) == (student, SCHOOL, LockoutNotice.SENT)
    assert abs(lockout.locked_until - until) < timedelta(seconds=1)
    assert lockout.notified_at is not None


def test_no_email_and_no_record_for_an_unknown_or_inactive_account(now, django_capture_on_commit_callbacks):
    inactive = StudentFactory(is_active=False)

    lock("nobody-here@example.com", django_capture_on_commit_callbacks)
    lock(inactive.email, django_capture_on_commit_callbacks, address=ELSEWHERE)

    assert_locked(sign_in(inactive.email, address=ELSEWHERE))  # locked all the same
    assert mail.outbox == []
    assert not SignInLockout.objects.exists()


def test_later_lockouts_within_the_interval_are_recorded_but_not_emailed(now, django_capture_on_commit_callbacks):
    student = StudentFactory()

    lock(student.email, django_capture_on_commit_callbacks)
    now.shift(16 * 60)
    lock(student.email, django_capture_on_commit_callbacks)
    now.shift(24 * 3600)
    lock(student.email, django_capture_on_commit_callbacks)

    assert len(mail.outbox) == 2
    notices = list(SignInLockout.objects.order_by("locked_at").values_list("notice", flat=True))
    assert notices == [LockoutNotice.SENT, LockoutNotice.SKIPPED, LockoutNotice.SENT]


def test_the_lockout_email_over_smtp(now, smtp_server, django_capture_on_commit_callbacks):
    student = StudentFactory()

    lock(student.email, django_capture_on_commit_callbacks)

    assert mail.outbox == []  # it really went over SMTP
    assert len(smtp_server) == 1
    message = smtp_server[0]
    assert message["To"] == student.email
    assert message.get_content_type() == "multipart/alternative"
    kinds = {part.get_content_type() for part in message.walk() if not part.is_multipart()}
    assert kinds == {"text/plain", "text/html"}


def test_the_email_job_is_idempotent_and_the_sweep_sends_a_lost_one(now, django_capture_on_commit_callbacks):
    student = StudentFactory()
    with django_capture_on_commit_callbacks(execute=False) as lost:  # the broker never got the job
        for n in range(10):
            sign_in(student.email, f"guess-{n}")
    assert len(lost) == 1
    lockout = SignInLockout.objects.get()
    assert lockout.notice == LockoutNotice.PENDING

    assert signin_lockout_emails_send_pending_task.apply().get() == 0  # too recent: its job may yet run
    now.shift(11 * 60)
    assert signin_lockout_emails_send_pending_task.apply().get() == 1
    assert signin_lockout_emails_send_pending_task.apply().get() == 0
    assert signin_lockout_email_send_task.apply(args=[lockout.pk]).get() is False  # the late job: nothing
    assert len(mail.outbox) == 1
    lockout.refresh_from_db()
    assert lockout.notice == LockoutNotice.SENT


def test_an_smtp_failure_leaves_the_notice_pending_for_a_retry(now, settings, django_capture_on_commit_callbacks):
    from lms.tests.reliability.services import free_port

    student = StudentFactory()
    with django_capture_on_commit_callbacks(execute=False):
        for n in range(10):
            sign_in(student.email, f"guess-{n}")
    lockout = SignInLockout.objects.get()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nothing listens there

    with pytest.raises(OSError):
        services.signin_lockout_email_send(lockout_id=lockout.pk)

    lockout.refresh_from_db()
    assert lockout.notice == LockoutNotice.PENDING
    assert signin_lockout_email_send_task.autoretry_for == (OSError,)  # smtplib's errors are OSErrors
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert signin_lockout_email_send_task.apply(args=[lockout.pk]).get() is True
    assert len(mail.outbox) == 1


def test_the_email_is_not_sent_to_an_account_deactivated_meanwhile(now, django_capture_on_commit_callbacks):
    student = StudentFactory()
    with django_capture_on_commit_callbacks(execute=False):
        for n in range(10):
            sign_in(student.email, f"guess-{n}")
    services.user_deactivate(actor=None, user=student)

    assert signin_lockout_email_send_task.apply(args=[SignInLockout.objects.get().pk]).get() is False
    assert mail.outbox == []
    assert SignInLockout.objects.get().notice == LockoutNotice.SKIPPED


def test_old_lockout_records_are_pruned(now, settings, django_capture_on_commit_callbacks):
    student = StudentFactory()
    lock(student.email, django_capture_on_commit_callbacks)
    now.shift(timedelta(days=settings.ACTIVITY_RETENTION_DAYS - 1))
    lock(student.email, django_capture_on_commit_callbacks)
    now.shift(timedelta(days=2))

    assert signin_lockouts_prune_task.apply().get() == 1
    assert SignInLockout.objects.count() == 1


# --- the owner's ways out, and other password checks ---------------------------------------------------
def test_a_password_reset_unlocks_the_account(now, django_capture_on_commit_callbacks):
    student = StudentFactory()
    lock(student.email, django_capture_on_commit_callbacks)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        assert APIClient().post(PASSWORD_RESET, {"email": student.email}).status_code == 204
    link = unescape(re.search(r'href="([^"]+)"', mail.outbox[0].alternatives[0][0]).group(1))
    query = parse_qs(urlparse(link).query)
    uid, token = query["uid"][0], query["token"][0]
    with django_capture_on_commit_callbacks(execute=True):
        body = {"uid": uid, "token": token, "new_password": NEW_PASSWORD}
        assert APIClient().post(PASSWORD_RESET_CONFIRM, body).status_code == 204

    assert sign_in(student.email, NEW_PASSWORD).status_code == 200


def test_wrong_old_passwords_in_password_change_count_against_the_account(now):
    student = StudentFactory()
    api = client_for(student)

    statuses = [
        api.post(PASSWORD_CHANGE, {"old_password": f"guess-{n}", "new_password": NEW_PASSWORD}).status_code
        for n in range(10)
    ]
    blocked = api.post(PASSWORD_CHANGE, {"old_password": PASSWORD, "new_password": NEW_PASSWORD})

    assert statuses == [400] * 10
    assert_locked(blocked)
    assert_locked(sign_in(student.email))
    student.refresh_from_db()
    assert student.check_password(PASSWORD)


def test_a_right_old_password_in_password_change_forgives_the_account(now):
    student = StudentFactory()
    for n in range(9):
        sign_in(student.email, f"typo-{n}")
    api = client_for(student)

    assert api.post(PASSWORD_CHANGE, {"old_password": PASSWORD, "new_password": NEW_PASSWORD}).status_code == 200
    assert [sign_in(student.email, f"typo-again-{n}").status_code for n in range(9)] == [401] * 9


def test_reset_emails_are_limited_per_account_silently(now, django_capture_on_commit_callbacks):
    student = StudentFactory()

    with django_capture_on_commit_callbacks(execute=True):
        statuses = [APIClient().post(PASSWORD_RESET, {"email": student.email}).status_code for _ in range(8)]
        unknown = [APIClient().post(PASSWORD_RESET, {"email": "nobody-here@example.com"}).status_code for _ in range(8)]

    assert statuses == unknown == [204] * 8
    assert len(mail.outbox) == 5
    # A sliding hour: the first e-mails count less and less through the next hour, and not at all after it.
    now.shift(2 * 3600)
    with django_capture_on_commit_callbacks(execute=True):
        assert APIClient().post(PASSWORD_RESET, {"email": student.email.upper()}).status_code == 204
    assert len(mail.outbox) == 6


# --- the cache down: fail open ------------------------------------------------------------------------------
def test_with_the_cache_down_sign_in_fails_open(settings, caplog, monkeypatch):
    """Redis unreachable (nothing listens on the port): no lock, no 500, a warning in the log.
    lms/tests/reliability/test_signin_limits_redis_down.py kills a real Redis under the limits."""
    from lms.tests.reliability.services import free_port

    monkeypatch.setattr("lms.cache._last_logged", {})  # logged once a minute: maybe by an earlier test
    student = StudentFactory()
    settings.CACHES = {"default": {"BACKEND": "lms.cache.RedisCache", "LOCATION": f"redis://127.0.0.1:{free_port()}/0"}}

    statuses = [sign_in(student.email, f"guess-{n}").status_code for n in range(12)]
    right = sign_in(student.email)

    assert statuses == [401] * 12
    assert right.status_code == 200
    assert "Cache unavailable, sign-in limits goes on without it" in caplog.text


# --- configuration ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["SIGNIN_ACCOUNT_MAX_FAILURES", "SIGNIN_ADDRESS_WINDOW_MINUTES"])
def test_a_zero_limit_refuses_to_start(name):
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        env={"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "lms.settings", name: "0"},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode != 0
    assert f"{name} must be at least 1, not 0." in result.stderr
