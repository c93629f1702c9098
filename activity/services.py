import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from django.db import DatabaseError, transaction
from django.utils import timezone

from lms import request_context
from lms.services import delete_in_batches

from .models import ActivityEvent, Verb

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
    return delete_in_batches(
        ActivityEvent.objects.filter(created_at__lt=cutoff), batch_size=batch_size, on_batch=on_batch
    )


# What an erased user's events keep of their metadata, per verb: figures and ids that say nothing about
# the person once the actor is a pseudonym (scores, amounts, ratings, how they enrolled). Anything else,
# and everything of a verb not listed (a new verb must be added here to keep any), is cleared.
KEPT_METADATA: dict[str, frozenset[str]] = {
    Verb.USER_SIGNED_UP: frozenset({"role"}),
    Verb.ENROLLMENT_CREATED: frozenset({"source"}),
    Verb.QUIZ_ATTEMPT_STARTED: frozenset({"quiz_id", "number"}),
    Verb.QUIZ_ATTEMPT_SUBMITTED: frozenset({"quiz_id", "percent", "passed", "auto"}),
    Verb.QUIZ_PASSED: frozenset({"quiz_id", "percent", "passed", "auto"}),
    Verb.ORDER_CREATED: frozenset({"amount", "currency"}),
    Verb.PAYMENT_SUCCEEDED: frozenset({"amount", "currency", "reason"}),
    Verb.PAYMENT_REFUNDED: frozenset({"amount", "currency"}),
    Verb.REVIEW_CREATED: frozenset({"rating"}),
    # CERTIFICATE_ISSUED's verification_code is cleared: the certificate keeps it, and a copy here
    # would only be another way to find the pseudonymised account's events.
}


def activity_metadata_kept(*, verb: str, metadata) -> dict:
    """The part of an event's metadata an erasure keeps (KEPT_METADATA)."""
    kept = KEPT_METADATA.get(verb, frozenset())
    return {key: value for key, value in (metadata or {}).items() if key in kept} if isinstance(metadata, dict) else {}


def activity_erase_for_user(*, user, batch_size: int = 1000) -> int:
    """Pseudonymises the events `user` did: the actor stays (it is the pseudonymised account once
    accounts' eraser has run: "Deleted user"), so reports keep their counts; the client address and
    user agent are cleared, and the metadata keeps only what KEPT_METADATA lists for its verb.
    Events by others stay as they are.

    Who may call: the platform only (the privacy app's erasure job; there is no actor). Takes no
    lock: events are only ever added, never changed, by anything else; works in batches, each its own
    transaction, so a crash leaves a prefix done and a rerun finishes it. Idempotent: a second run
    changes nothing. Returns how many events changed."""
    changed = 0
    after = 0
    while True:
        rows = list(
            ActivityEvent.objects.filter(actor=user, pk__gt=after)
            .order_by("pk")
            .only("pk", "verb", "metadata", "ip", "user_agent")[:batch_size]
        )
        if not rows:
            return changed
        dirty = []
        for event in rows:
            metadata = activity_metadata_kept(verb=event.verb, metadata=event.metadata)
            if (event.ip, event.user_agent, event.metadata) != (None, "", metadata):
                event.ip, event.user_agent, event.metadata = None, "", metadata
                dirty.append(event)
        if dirty:
            with transaction.atomic():
                ActivityEvent.objects.bulk_update(dirty, ["ip", "user_agent", "metadata"])
            changed += len(dirty)
        after = rows[-1].pk
