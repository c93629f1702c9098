"""The privacy jobs: building an export (on the `media` queue, with the other file work), running an
erasure, and the periodic sweeps (lost or expired exports, due or interrupted erasures, the audit
log's retention). The services queue these jobs on commit: each task imports the services in its body."""

import logging
from datetime import timedelta

from celery import Task, shared_task
from django.conf import settings
from django.utils import timezone

logger = logging.getLogger(__name__)


class _ExportBuild(Task):
    """Once the retries are spent, the export is marked failed at once (the person may ask again)."""

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        from . import services

        export_id = args[0] if args else kwargs.get("export_id")
        logger.error("Data export %s could not be built: %s: %s", export_id, type(exc).__name__, exc)
        try:
            services.data_export_fail(export_id=export_id, error="The export could not be built. Ask for a new one.")
        except Exception:  # the database is what failed: the sweep marks it failed later
            logger.exception("Data export %s could not be marked failed", export_id)


@shared_task(
    bind=True, base=_ExportBuild, autoretry_for=(Exception,), retry_backoff=True, retry_backoff_max=600, max_retries=6
)
def data_export_build_task(self, export_id: int) -> bool:
    """Idempotent: an export no longer pending is skipped; the zip's key is fixed."""
    from . import services

    return services.data_export_build(export_id=export_id) is not None


@shared_task(autoretry_for=(Exception,), retry_backoff=True, retry_backoff_max=600, max_retries=8)
def erasure_run_task(erasure_id: int) -> bool:
    """Idempotent and resumable (services.erasure_run); the sweep re-queues one whose job was lost."""
    from . import services

    return services.erasure_run(erasure_id=erasure_id) is not None


@shared_task
def privacy_sweep_task() -> dict:
    """Periodic (beat): lost and expired exports, due and interrupted erasures, old audit events."""
    from . import services

    done = services.data_exports_sweep()
    due = services.erasures_due()
    for erasure_id in due:
        erasure_run_task.delay(erasure_id)
    done["erasures_queued"] = len(due)
    done["audit_pruned"] = services.audit_prune(
        older_than=timezone.now() - timedelta(days=settings.AUDIT_RETENTION_DAYS)
    )
    return done
