from celery import shared_task
from django.conf import settings

from . import services


@shared_task
def activity_prune_task() -> int:
    """Periodic (beat, daily): delete activity events older than ACTIVITY_RETENTION_DAYS. A value
    of 0 keeps everything. Safe to run twice: the second run finds nothing to delete."""
    days = settings.ACTIVITY_RETENTION_DAYS
    if not days:
        return 0
    return services.activity_prune(older_than_days=days)
