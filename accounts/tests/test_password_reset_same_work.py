"""A password reset request does the same work whether or not the address has an account, even with
jobs inline (CELERY_TASK_ALWAYS_EAGER, the embedded default): the same database queries and the same
templates rendered; only the sending differs. Its duration then tells nobody who has an account.
Structure, not timing: a timed test would be flaky, and the structure is what makes the times equal."""

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test.signals import template_rendered
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts.tests.factories import StudentFactory

PASSWORD_RESET = "/api/v1/auth/password/reset/"

pytestmark = pytest.mark.django_db


def reset_request(email, django_capture_on_commit_callbacks) -> tuple[list[str], list[str], int]:
    """Runs one request with its jobs inline; returns the templates rendered, the SQL run (without
    its parameters) and the e-mails sent."""
    rendered = []

    def record(sender, template, **kwargs):
        rendered.append(template.name)

    template_rendered.connect(record)
    sent = len(mail.outbox)
    try:
        with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks(execute=True):
            assert APIClient().post(PASSWORD_RESET, {"email": email}).status_code == 204
    finally:
        template_rendered.disconnect(record)
    statements = [q["sql"].split(" WHERE ")[0] for q in queries.captured_queries]
    return rendered, statements, len(mail.outbox) - sent


def test_known_and_unknown_addresses_cost_the_same_but_the_sending(django_capture_on_commit_callbacks):
    assert settings.CELERY_TASK_ALWAYS_EAGER  # the inline case of the finding
    student = StudentFactory()

    known = reset_request(student.email, django_capture_on_commit_callbacks)
    unknown = reset_request("nobody-here@example.com", django_capture_on_commit_callbacks)
    inactive = reset_request(StudentFactory(is_active=False).email, django_capture_on_commit_callbacks)

    assert known[2] == 1 and unknown[2] == inactive[2] == 0
    assert known[0] == unknown[0] == inactive[0]
    assert "accounts/password_reset_email.html" in known[0]
    assert known[1] == unknown[1] == inactive[1]


def test_beyond_the_hourly_limit_known_and_unknown_cost_the_same(django_capture_on_commit_callbacks):
    student = StudentFactory()
    for _ in range(settings.PASSWORD_RESET_EMAILS_PER_HOUR):
        reset_request(student.email, django_capture_on_commit_callbacks)
        reset_request("nobody-here@example.com", django_capture_on_commit_callbacks)

    known = reset_request(student.email, django_capture_on_commit_callbacks)
    unknown = reset_request("nobody-here@example.com", django_capture_on_commit_callbacks)

    assert known == unknown == ([], [], 0)
