import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from django.db import DatabaseError, transaction
from django.utils import timezone

from lms import request_context

from .models import ActivityEvent

logger = logging.getLogger(__name__)


def activity_record(
    *,
    actor=None,
    verb: str,
    target=None,
    course=None,
    metadata: dict | None = None,
) -> ActivityEvent | None:
    """Records what a user did. Never makes the caller fail: the insert runs in a savepoint and a
    failure is logged, not raised. The client's address and user agent come from the current
    request, if there is one. `target` is any model instance (stored as type and id)."""
    info = request_context.current()
    event = ActivityEvent(
        actor_id=getattr(actor, "pk", actor),
        verb=verb,
        target_type=target._meta.model_name if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        course_id=getattr(course, "pk", course),
        metadata=metadata or {},
        ip=info.ip,
        user_agent=info.user_agent,
    )
    try:
        with transaction.atomic():
            event.save()
    except (DatabaseError, ValueError, TypeError):
        logger.exception("Could not record activity %s", verb)
        return None
    return event


def activity_prune_cutoff(*, older_than_days: int) -> datetime:
    """Events created before this are pruned by `activity_prune(older_than_days=...)`."""
    if older_than_days < 1:
        raise ValueError("older_than_days must be at least 1")
    return timezone.now() - timedelta(days=older_than_days)


def activity_prune(
    *, older_than_days: int, batch_size: int = 5000, on_batch: Callable[[int], None] | None = None
) -> int:
    """Deletes events older than the given number of days, in batches (no long table lock).
    `on_batch(deleted)` is called after each batch (a progress bar)."""
    cutoff = activity_prune_cutoff(older_than_days=older_than_days)
    deleted = 0
    while True:
        ids = list(ActivityEvent.objects.filter(created_at__lt=cutoff).values_list("pk", flat=True)[:batch_size])
        if not ids:
            return deleted
        batch = ActivityEvent.objects.filter(pk__in=ids).delete()[0]
        deleted += batch
        if on_batch is not None:
            on_batch(batch)
