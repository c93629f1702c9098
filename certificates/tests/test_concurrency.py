"""Concurrent issue jobs for one enrollment on PostgreSQL: exactly one certificate."""

import pytest

from certificates import services
from certificates.models import Certificate
from certificates.tests.factories import CompletedEnrollmentFactory
from lms.testing import run_together
from notifications.models import Notification

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 4


def test_concurrent_issue_jobs_make_one_certificate(postgres):
    enrollment = CompletedEnrollmentFactory()

    results = run_together([lambda: services.certificate_issue(enrollment_id=enrollment.pk)] * THREADS)

    errors = [r for r in results if isinstance(r, BaseException)]
    assert not errors, errors
    certificate = Certificate.objects.get(enrollment=enrollment)
    assert {r.pk if r else None for r in results} == {certificate.pk}
    assert Notification.objects.filter(type="certificate_issued", recipient=enrollment.student).count() == 1


def _apply_task(enrollment_id: int):
    """Runs the task in this thread as a worker would (retries and all) and returns its result."""
    from certificates.tasks import certificate_issue_task

    result = certificate_issue_task.apply(args=[enrollment_id])
    assert result.successful(), result.traceback
    return result.result


def test_concurrent_runs_of_the_issue_task_make_one_certificate(postgres):
    """The Celery task itself (as a worker runs it: apply, retries on), four times at once."""
    enrollment = CompletedEnrollmentFactory()

    results = run_together([lambda: _apply_task(enrollment.pk)] * THREADS, timeout=120)

    certificate = Certificate.objects.get(enrollment=enrollment)
    assert results == [certificate.pk] * THREADS, results
    assert certificate.pdf and certificate.pdf_sha256
    assert Notification.objects.filter(type="certificate_issued", recipient=enrollment.student).count() == 1


def test_issue_tasks_for_many_enrollments_at_once_each_make_their_own(postgres):
    enrollments = [CompletedEnrollmentFactory() for _ in range(THREADS)]

    results = run_together([lambda e=e: _apply_task(e.pk) for e in enrollments for _ in range(2)], timeout=120)

    assert not [r for r in results if isinstance(r, BaseException)], results
    assert Certificate.objects.count() == THREADS
    for enrollment in enrollments:
        assert Certificate.objects.filter(enrollment=enrollment).count() == 1
    codes = set(Certificate.objects.values_list("verification_code", flat=True))
    assert len(codes) == THREADS
    assert Notification.objects.filter(type="certificate_issued").count() == THREADS
