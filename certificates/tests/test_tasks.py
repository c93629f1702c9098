"""The certificates' Celery tasks, run as beat and the completion hook run them: the issue job is
idempotent, and the periodic sweep issues exactly the certificates whose job was lost."""

from datetime import timedelta

import pytest
from django.utils import timezone

from certificates.models import Certificate
from certificates.tasks import MISSING_AFTER_MINUTES, certificate_issue_task, certificates_issue_missing_task
from certificates.tests.factories import CertificateFactory, CompletedEnrollmentFactory
from courses.services import enrollment_revoke
from courses.tests.factories import EnrollmentFactory

pytestmark = pytest.mark.django_db


def completed(minutes_ago: float, **kwargs):
    return CompletedEnrollmentFactory(completed_at=timezone.now() - timedelta(minutes=minutes_ago), **kwargs)


def test_the_sweep_issues_only_completions_older_than_the_job_had_to_run():
    lost = completed(MISSING_AFTER_MINUTES + 5)
    recent = completed(1)  # its issue job may still be on its way
    not_completed = EnrollmentFactory()
    refunded = completed(60)
    enrollment_revoke(actor=None, enrollment=refunded)
    already = CertificateFactory(enrollment=completed(60))

    assert certificates_issue_missing_task.delay().get() == 1

    assert set(Certificate.objects.values_list("enrollment_id", flat=True)) == {lost.pk, already.enrollment_id}
    assert not Certificate.objects.filter(enrollment__in=[recent, not_completed, refunded]).exists()
    assert certificates_issue_missing_task.delay().get() == 0  # a second run finds nothing to do


def test_the_sweep_takes_the_oldest_first_and_at_most_its_limit():
    newer, oldest = completed(30), completed(90)
    assert certificates_issue_missing_task.delay(limit=1).get() == 1
    assert list(Certificate.objects.values_list("enrollment_id", flat=True)) == [oldest.pk]
    assert certificates_issue_missing_task.delay(older_than_minutes=20, limit=5).get() == 1
    assert Certificate.objects.filter(enrollment=newer).exists()


def test_the_issue_job_returns_nothing_for_an_enrollment_not_completed():
    assert certificate_issue_task.delay(EnrollmentFactory().pk).get() is None
    assert certificate_issue_task.delay(999_999).get() is None
    assert not Certificate.objects.exists()
