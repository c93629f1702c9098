from celery import shared_task

from . import services


@shared_task(bind=True, autoretry_for=(Exception,), retry_backoff=True, retry_backoff_max=600, max_retries=8)
def certificate_issue_task(self, enrollment_id: int) -> int | None:
    """Idempotent: a second run (or a concurrent one) finds the certificate and does nothing.
    Retries any failure (a storage outage, a rendering crash) with backoff."""
    certificate = services.certificate_issue(enrollment_id=enrollment_id)
    return certificate.pk if certificate else None
