"""Concurrent issue jobs for one enrollment on PostgreSQL: exactly one certificate."""

import threading

import pytest
from django.db import connection

from certificates import services
from certificates.models import Certificate
from certificates.tests.factories import CompletedEnrollmentFactory
from notifications.models import Notification

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 4


def test_concurrent_issue_jobs_make_one_certificate(postgres):
    enrollment = CompletedEnrollmentFactory()
    barrier = threading.Barrier(THREADS)
    results: list[int | None] = []
    errors: list[BaseException] = []

    def issue():
        try:
            barrier.wait(timeout=10)
            certificate = services.certificate_issue(enrollment_id=enrollment.pk)
            results.append(certificate.pk if certificate else None)
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=issue) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not errors, errors
    assert len(results) == THREADS
    certificate = Certificate.objects.get(enrollment=enrollment)
    assert set(results) == {certificate.pk}
    assert Notification.objects.filter(type="certificate_issued", recipient=enrollment.student).count() == 1
