from datetime import timedelta

from celery import shared_task
from django.utils import timezone

# The services import this module (they queue these jobs on commit): each task imports the services
# in its body, which breaks that cycle. Tasks call services; services queue tasks.


@shared_task(bind=True, autoretry_for=(Exception,), retry_backoff=True, retry_backoff_max=600, max_retries=8)
def certificate_issue_task(self, enrollment_id: int) -> int | None:
    """Idempotent: a second run (or a concurrent one) finds the certificate and does nothing.
    Retries any failure (a storage outage, a rendering crash) with backoff."""
    from . import services

    certificate = services.certificate_issue(enrollment_id=enrollment_id)
    return certificate.pk if certificate else None


# The issue job normally runs within seconds of completion: older completions without a certificate
# lost their job (broker down when it was queued, a worker killed without redelivery).
MISSING_AFTER_MINUTES = 10


@shared_task
def certificates_issue_missing_task(older_than_minutes: int = MISSING_AFTER_MINUTES, limit: int = 100) -> int:
    """Periodic (beat): issue the certificates whose issue job was lost. Safe to run any time, twice
    or concurrently with the issue jobs: issuing is idempotent."""
    from . import services

    completed_before = timezone.now() - timedelta(minutes=older_than_minutes)
    return services.certificates_issue_missing(completed_before=completed_before, limit=limit)
