"""The password reset e-mail through the real pieces: an SMTP server, and a Celery worker on Redis."""

import re
import time
from html import unescape
from urllib.parse import parse_qs, urlparse

import pytest
from django.core import mail
from rest_framework.test import APIClient

from accounts.tests.factories import StudentFactory

PASSWORD_RESET = "/api/v1/auth/password/reset/"
PASSWORD_RESET_CONFIRM = "/api/v1/auth/password/reset/confirm/"


def parts_by_type(message) -> dict[str, str]:
    return {
        part.get_content_type(): part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")
        for part in message.walk()
        if not part.is_multipart()
    }


def test_password_reset_email_over_smtp(smtp_server, student, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        r = APIClient().post(PASSWORD_RESET, {"email": student.email})

    assert r.status_code == 204
    assert mail.outbox == []  # it really went over SMTP
    assert len(smtp_server) == 1
    message = smtp_server[0]
    assert message["To"] == student.email
    assert message["Subject"] == "Reset your password"
    assert message.get_content_type() == "multipart/alternative"
    parts = parts_by_type(message)
    assert set(parts) == {"text/plain", "text/html"}
    link = unescape(re.search(r'href="([^"]+)"', parts["text/html"]).group(1))
    assert link.startswith("http://localhost:3000/reset-password?")
    query = parse_qs(urlparse(link).query)
    uid, token = query["uid"][0], query["token"][0]
    assert f"reset-password?uid={uid}" in parts["text/plain"]
    assert token in parts["text/plain"]
    # The link carries a working token.
    body = {"uid": uid, "token": token, "new_password": "Brand-New-Pass-77"}
    confirm = APIClient().post(PASSWORD_RESET_CONFIRM, body)
    assert confirm.status_code == 204


def test_password_reset_for_unknown_email_sends_nothing_over_smtp(smtp_server, db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        r = APIClient().post(PASSWORD_RESET, {"email": "nobody@example.com"})

    assert r.status_code == 204
    assert smtp_server == []


@pytest.mark.worker
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_password_reset_email_is_delivered_by_the_worker(celery_worker):
    assert not celery_worker.conf.task_always_eager  # the job goes through Redis to the worker
    user = StudentFactory()

    r = APIClient().post(PASSWORD_RESET, {"email": user.email})

    assert r.status_code == 204
    deadline = time.monotonic() + 10
    while not mail.outbox and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [user.email]
    assert "reset-password?uid=" in mail.outbox[0].body
