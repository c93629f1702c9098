from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

# The services queue these jobs on commit: each task imports the services in its body.


@shared_task(bind=True, autoretry_for=(Exception,), retry_backoff=True, retry_backoff_max=600, max_retries=8)
def upload_derive_task(self, upload_id: str) -> bool:
    """Idempotent: a done upload (or one another worker holds) is skipped, and the files have fixed
    names, so a retry after a crash rewrites them. Retries any failure (storage outage, ffmpeg crash)."""
    from . import services

    return services.upload_derive(upload_id=upload_id) is not None


# Derivation normally runs within seconds of completion; older ready uploads without their derived
# files lost their job (broker down when queued, a worker killed without redelivery).
MISSING_AFTER_MINUTES = 10


@shared_task
def uploads_derive_missing_task(older_than_minutes: int = MISSING_AFTER_MINUTES, limit: int = 100) -> int:
    """Periodic (beat): queue the derivations that were lost. Safe any time: deriving is idempotent."""
    from . import services

    return services.uploads_derive_missing(
        completed_before=timezone.now() - timedelta(minutes=older_than_minutes), limit=limit
    )


@shared_task
def uploads_delete_unattached_task(limit: int = 500) -> int:
    """Periodic (beat): delete uploads never attached within MEDIA_UNATTACHED_HOURS, and their files."""
    from . import services

    cutoff = timezone.now() - timedelta(hours=settings.MEDIA_UNATTACHED_HOURS)
    return services.uploads_delete_unattached(created_before=cutoff, limit=limit)
