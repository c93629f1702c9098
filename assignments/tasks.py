"""The submissions archive's jobs: building one zip (on the `media` queue, with the other file work),
and the periodic sweep that re-queues lost builds, gives up on stuck ones and deletes old zips.

The services queue these jobs on commit: each task imports the services in its body."""

import logging

from celery import Task, shared_task
from celery.exceptions import SoftTimeLimitExceeded

logger = logging.getLogger(__name__)


class _ArchiveBuild(Task):
    """Once the retries are spent (or the time limit is hit), the archive is marked failed at once,
    with a message for the staff, rather than left pending until the sweep gives up on it."""

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        from . import services

        archive_id = args[0] if args else kwargs.get("archive_id")
        error = services.ARCHIVE_TOO_SLOW if isinstance(exc, SoftTimeLimitExceeded) else services.ARCHIVE_RETRIES_FAILED
        logger.error("Archive %s could not be built: %s: %s", archive_id, type(exc).__name__, exc)
        try:
            services.archive_fail(archive_id=archive_id, error=error)
        except Exception:  # the database is what failed: the sweep marks it failed later
            logger.exception("Archive %s could not be marked failed", archive_id)


@shared_task(
    bind=True,
    base=_ArchiveBuild,
    autoretry_for=(Exception,),
    dont_autoretry_for=(SoftTimeLimitExceeded,),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=8,
)
def archive_build_task(self, archive_id: int) -> bool:
    """Idempotent: an archive no longer pending (built, failed, deleted) is skipped, another worker's
    build is waited for and then skipped, and the zip's key is fixed, so a retry after a crash
    rewrites it. Retries any failure (storage or database outage); a file missing from storage
    fails the archive at once (services.archive_build)."""
    from . import services

    return services.archive_build(archive_id=archive_id) is not None


@shared_task
def archives_sweep_task() -> dict:
    """Periodic (beat): re-queue lost builds, fail the stuck ones, delete zips kept long enough.
    Safe any time: building is idempotent and the sweep skips archives being built."""
    from . import services

    return services.archives_sweep()
