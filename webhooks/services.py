"""Outgoing webhooks (README "Webhooks"): managing endpoints, recording events in the outbox, and
delivering them.

- Recording: `event_record` is lms.events' subscriber (WebhooksConfig.ready). It runs inside the
  transaction of the change, so an event exists exactly when its change committed, whatever the
  broker does. With no active endpoint wanting the type it returns at once, without a query
  (webhooks.subscriptions). Otherwise it writes the event and one delivery per endpoint, and
  queues each endpoint's drain job once the transaction commits (once per endpoint per transaction).
- Delivering: `endpoint_drain` (a job per endpoint) sends the endpoint's due deliveries in event
  order, under a lease (never two drains of one endpoint at once, no transaction held across HTTP),
  a bounded batch per job. The first failure ends the batch: a receiver that is down costs one
  request per sweep, not one per pending event. Failures are retried with exponential backoff and
  jitter until WEBHOOKS_RETRY_HOURS after the event; 410 turns the endpoint off; an endpoint with no
  success for WEBHOOKS_DISABLE_AFTER_DAYS is turned off and its owner e-mailed.
- The sweep (beat, every minute) queues the drain of every endpoint with due deliveries (retries
  that came due, jobs lost while the broker was down), e-mails owners whose e-mail job was lost,
  and deletes events older than EVENT_RETENTION_DAYS that nothing waits for."""

import logging
import random
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from accounts.access import require_admin
from lms.emails import templated_email
from lms.errors import Conflict, InvalidInput
from lms.events import EVENT_TYPES
from lms.i18n import language_of
from lms.jobs import enqueue, enqueue_on_commit

from . import payloads, signing, subscriptions, targets
from .models import Attempt, Delivery, DeliveryStatus, DisabledReason, Endpoint, Event
from .tasks import endpoint_disabled_email_send_task, endpoint_drain_task

logger = logging.getLogger(__name__)

BATCH = 100  # deliveries per drain job at most; then the job queues itself again
BATCH_SECONDS = 60  # and at most this long (the jobs' soft time limit is 120 s)
FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(hours=6)
JITTER = 0.25  # each delay is the schedule's +-25 %
LOG_BYTES = 4096  # of each request and response body kept in the attempt log
LOG_HEADERS = 50
EVENT_RETENTION_DAYS = 30
EMAIL_REQUEUE_AFTER = timedelta(minutes=10)
PRUNE_BATCH = 1000

ADMIN_ONLY = gettext_lazy("Only an administrator can manage webhooks.")


def user_agent() -> str:
    return f"{settings.PLATFORM_NAME}-Webhooks/1.0 (+{settings.SITE_URL.rstrip('/')})"


# --- endpoints -----------------------------------------------------------------------------------
def _clean_events(events) -> list[str]:
    if not isinstance(events, list | tuple) or not events:
        raise InvalidInput(_("Choose at least one event type."), code="no_events", extra={"field": "events"})
    unknown = [str(e) for e in events if e not in EVENT_TYPES]
    if unknown:
        raise InvalidInput(
            ngettext(
                "Unknown event type: {types}. Known: {known}.",
                "Unknown event types: {types}. Known: {known}.",
                len(unknown),
            ).format(types=", ".join(unknown), known=", ".join(EVENT_TYPES)),
            code="unknown_event_type",
            extra={"field": "events"},
        )
    return [t for t in EVENT_TYPES if t in events]  # deduplicated, in the documented order


def _clean_url(url) -> str:
    if not isinstance(url, str) or not url.strip():
        raise InvalidInput(_("Enter the receiver's https:// URL."), code="invalid_url", extra={"field": "url"})
    try:
        return targets.check_url(url.strip())
    except targets.Refused as exc:
        raise InvalidInput(exc.message, code=exc.code, extra={"field": "url"}) from None


def _clean_description(description) -> str:
    description = str(description or "").strip()
    if len(description) > 300:
        raise InvalidInput(
            _("Keep the description to 300 characters or fewer."), code="too_long", extra={"field": "description"}
        )
    return description


@transaction.atomic
def endpoint_create(*, actor, url: str, events: list[str], description: str = "", is_active: bool = True) -> Endpoint:
    """Adds a receiver. Who may: admins (`actor=None` for the platform); the actor becomes its owner,
    e-mailed if it is ever turned off. The URL is checked (webhooks.targets.check_url: InvalidInput
    naming `url`). A signing secret is generated: `endpoint.secret` is shown to the admin once and
    never again. Takes no lock."""
    require_admin(actor, ADMIN_ONLY)
    endpoint = Endpoint.objects.create(
        url=_clean_url(url),
        events=_clean_events(events),
        description=_clean_description(description),
        is_active=bool(is_active),
        secret=signing.new_secret(),
        created_by=actor,
    )
    subscriptions.changed()
    return endpoint


@transaction.atomic
def endpoint_update(
    *,
    actor,
    endpoint: Endpoint,
    url: str | None = None,
    events: list[str] | None = None,
    description: str | None = None,
    is_active: bool | None = None,
) -> Endpoint:
    """Changes what is given (None: unchanged). Turning an endpoint back on clears why it was turned
    off and its failure streak, and queues its drain: deliveries still pending go out (those past
    WEBHOOKS_RETRY_HOURS get one more attempt). Who may: admins. Locks the endpoint's row."""
    require_admin(actor, ADMIN_ONLY)
    endpoint = Endpoint.objects.select_for_update().get(pk=endpoint.pk)
    if url is not None:
        endpoint.url = _clean_url(url)
    if events is not None:
        endpoint.events = _clean_events(events)
    if description is not None:
        endpoint.description = _clean_description(description)
    if is_active is not None and bool(is_active) != endpoint.is_active:
        endpoint.is_active = bool(is_active)
        if endpoint.is_active:
            endpoint.failing_since = endpoint.disabled_at = None
            endpoint.disabled_reason = ""
            endpoint.lease_until, endpoint.lease_token = None, ""
            _drain_on_commit(endpoint.pk)
    endpoint.save()
    subscriptions.changed()
    return endpoint


@transaction.atomic
def endpoint_delete(*, actor, endpoint: Endpoint) -> None:
    """Deletes the endpoint with its deliveries and their log (the events stay for the others, until
    EVENT_RETENTION_DAYS). Who may: admins. Takes no lock: a drain in flight finds the row gone."""
    require_admin(actor, ADMIN_ONLY)
    Endpoint.objects.filter(pk=endpoint.pk).delete()
    subscriptions.changed()


@transaction.atomic
def endpoint_rotate_secret(*, actor, endpoint: Endpoint) -> Endpoint:
    """A new signing secret, shown once (`endpoint.secret`). The one it replaces keeps signing (a
    second `v1` in LMS-Signature) for WEBHOOKS_SECRET_OVERLAP_HOURS, so the receiver can switch
    without rejecting a delivery; a secret older than that is dropped. Who may: admins. Locks the
    endpoint's row."""
    require_admin(actor, ADMIN_ONLY)
    endpoint = Endpoint.objects.select_for_update().get(pk=endpoint.pk)
    endpoint.previous_secret = endpoint.secret
    endpoint.previous_secret_until = timezone.now() + timedelta(hours=settings.WEBHOOKS_SECRET_OVERLAP_HOURS)
    endpoint.secret = signing.new_secret()
    endpoint.save(update_fields=["secret", "previous_secret", "previous_secret_until", "updated_at"])
    return endpoint


def signing_secrets(endpoint: Endpoint, now: datetime | None = None) -> list[str]:
    """The secrets that sign a delivery now: the current one, then the previous one during the overlap."""
    now = now or timezone.now()
    found = [endpoint.secret]
    if endpoint.previous_secret and endpoint.previous_secret_until and now < endpoint.previous_secret_until:
        found.append(endpoint.previous_secret)
    return found


def previous_secret_expires_at(endpoint: Endpoint) -> datetime | None:
    until = endpoint.previous_secret_until
    return until if endpoint.previous_secret and until and until > timezone.now() else None


# --- recording -----------------------------------------------------------------------------------
def event_record(*, event_type: str, subject) -> Event | None:
    """lms.events' subscriber: records `event_type` about `subject` for every active endpoint that
    wants it, in the caller's transaction (the event and its deliveries commit or roll back with the
    change), and queues each of those endpoints' drain after commit. Returns the event, or None (no
    query at all) when no endpoint wants the type. Who: the platform, from any service that
    publishes. Takes no lock."""
    if event_type not in subscriptions.types():
        return None
    rows = list(Endpoint.objects.filter(is_active=True).values_list("id", "events"))
    subscriptions.remember(rows)
    endpoint_ids = [pk for pk, events in rows if event_type in (events or ())]
    if not endpoint_ids:
        return None
    now = timezone.now()
    event = Event.objects.create(
        public_id=signing.new_event_id(), type=event_type, created_at=now, data=payloads.build(event_type, subject)
    )
    Delivery.objects.bulk_create(Delivery(endpoint_id=pk, event=event, next_attempt_at=now) for pk in endpoint_ids)
    for pk in endpoint_ids:
        _drain_on_commit(pk)
    return event


class _DrainAfterCommit:
    """The job queued when a transaction commits (once per endpoint however many events it got)."""

    def __init__(self, endpoint_id: int):
        self.webhooks_endpoint_id = endpoint_id
        self.ran = False

    def __call__(self) -> None:
        self.ran = True
        enqueue(endpoint_drain_task, self.webhooks_endpoint_id)


def _drain_on_commit(endpoint_id: int) -> None:
    """Queues the endpoint's drain after commit, unless this transaction already will."""
    connection = transaction.get_connection()
    if connection.in_atomic_block:
        for entry in connection.run_on_commit:
            job = entry[1]
            if getattr(job, "webhooks_endpoint_id", None) == endpoint_id and not job.ran:
                return
    transaction.on_commit(_DrainAfterCommit(endpoint_id))


# --- delivering ----------------------------------------------------------------------------------
def retry_delay(attempts: int) -> timedelta:
    """How long after its `attempts`-th failed attempt a delivery is tried again: 1 min, doubling
    each time, at most 6 h, each +-25 % (jitter, so a receiver coming back is not hit by every
    endpoint's retries at once)."""
    base = min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_RETRY)
    return base * (1 + random.uniform(-JITTER, JITTER))  # noqa: S311 - jitter, not a secret


def retry_deadline(event: Event) -> datetime:
    return event.created_at + timedelta(hours=settings.WEBHOOKS_RETRY_HOURS)


def _lease_seconds() -> float:
    return settings.WEBHOOKS_CONNECT_TIMEOUT + settings.WEBHOOKS_READ_TIMEOUT + 30


@dataclass
class Outcome:
    ok: bool
    gone: bool
    status: int | None
    error: str
    request_headers: dict
    request_body: bytes
    response_headers: dict
    response_body: bytes
    duration_ms: int


@dataclass
class DrainResult:
    busy: bool = False  # another drain holds the endpoint
    sent: int = 0
    succeeded: int = 0
    failed: int = 0
    more: bool = False  # due deliveries are left: queue the drain again now


def endpoint_drain(*, endpoint_id: int, batch: int = BATCH, seconds: float = BATCH_SECONDS) -> DrainResult:
    """Sends the endpoint's due deliveries in event order, at most `batch` of them and for about
    `seconds`, and stops at the first failure. Who: the platform (its job, queued after an event
    commits, by the sweep and by a redelivery). Takes the endpoint's lease (a time-limited claim in
    its row, renewed as it goes, released at the end), never a lock held across HTTP: a second
    drain of the same endpoint returns `busy` at once, and a drain whose worker died is taken over
    when its lease runs out. `more` says due deliveries are left (the job queues itself again).
    Idempotent: a delivery is sent again only if the outcome of its last send was not recorded."""
    token = uuid.uuid4().hex
    now = timezone.now()
    lease = timedelta(seconds=_lease_seconds())
    taken = (
        Endpoint.objects.filter(pk=endpoint_id, is_active=True)
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        .update(lease_until=now + lease, lease_token=token)
    )
    if not taken:
        return DrainResult(busy=Endpoint.objects.filter(pk=endpoint_id, is_active=True).exists())
    result = DrainResult()
    stopped = False
    sender = None
    try:
        endpoint = Endpoint.objects.get(pk=endpoint_id)
        clear_streak = endpoint.failing_since is not None  # only this drain sets it, under the lease
        sender = targets.Sender(endpoint.url)
        started = renewed = time.monotonic()
        due = (
            Delivery.objects.filter(endpoint_id=endpoint_id, status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
            .select_related("event")
            .order_by("event_id")[:batch]
        )
        for delivery in due:
            if time.monotonic() - started > seconds:
                break
            if time.monotonic() - renewed > lease.total_seconds() / 3:
                renewed = time.monotonic()
                if not _lease_renew(endpoint_id, token, lease):
                    stopped = True  # turned off meanwhile, or (a very long stall) taken over
                    break
            outcome = _send(sender, endpoint, delivery)
            result.sent += 1
            if outcome.ok:
                _record_success(endpoint=endpoint, delivery=delivery, outcome=outcome, clear_streak=clear_streak)
                clear_streak = False
                result.succeeded += 1
            else:
                _record_failure(endpoint_id=endpoint_id, delivery=delivery, outcome=outcome)
                result.failed += 1
                stopped = True
                break
    except Endpoint.DoesNotExist:
        stopped = True
    finally:
        if sender is not None:
            sender.close()
        Endpoint.objects.filter(pk=endpoint_id, lease_token=token).update(lease_until=None, lease_token="")
    if not stopped:
        # After the release: an event committed while this drain ran, whose own job found the lease
        # taken, is seen here.
        result.more = _has_due(endpoint_id)
    return result


def _lease_renew(endpoint_id: int, token: str, lease: timedelta) -> bool:
    return bool(
        Endpoint.objects.filter(pk=endpoint_id, lease_token=token, is_active=True).update(
            lease_until=timezone.now() + lease
        )
    )


def _has_due(endpoint_id: int) -> bool:
    return Delivery.objects.filter(
        endpoint_id=endpoint_id,
        endpoint__is_active=True,
        status=DeliveryStatus.PENDING,
        next_attempt_at__lte=timezone.now(),
    ).exists()


def _send(sender: targets.Sender, endpoint: Endpoint, delivery: Delivery) -> Outcome:
    event = delivery.event
    body = signing.body(event)
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": user_agent(),
        "LMS-Event-Id": event.public_id,
        "LMS-Event-Type": event.type,
        "LMS-Delivery-Attempt": str(delivery.attempts + 1),
        "LMS-Signature": signing.header(signing_secrets(endpoint), timestamp, body),
    }
    started = time.monotonic()
    try:
        response = sender.post(body, headers)
    except targets.Refused as exc:
        return Outcome(False, False, None, f"refused: {exc.message}", headers, body, {}, b"", _ms(started))
    except targets.Unreachable as exc:
        return Outcome(False, False, None, str(exc), headers, body, {}, b"", _ms(started))
    ok = 200 <= response.status < 300
    gone = response.status == 410
    error = "" if ok else ("gone: the receiver answered 410" if gone else f"HTTP {response.status}")
    if 300 <= response.status < 400:
        error += " (redirects are not followed)"
    return Outcome(
        ok, gone, response.status, error, headers, body, response.headers, response.body, response.duration_ms
    )


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


def _text(data: bytes) -> str:
    text = data[:LOG_BYTES].decode("utf-8", errors="replace")
    return text + ("\n[truncated]" if len(data) > LOG_BYTES else "")


def _attempt_row(delivery: Delivery, url: str, outcome: Outcome, number: int, now: datetime) -> Attempt:
    return Attempt(
        delivery=delivery,
        number=number,
        at=now - timedelta(milliseconds=outcome.duration_ms),
        url=url[:2000],
        request_headers=outcome.request_headers,
        request_body=_text(outcome.request_body),
        response_status=outcome.status,
        response_headers=dict(list(outcome.response_headers.items())[:LOG_HEADERS]),
        response_body=_text(outcome.response_body),
        error=outcome.error[:500],
        duration_ms=outcome.duration_ms,
    )


def _record_success(*, endpoint: Endpoint, delivery: Delivery, outcome: Outcome, clear_streak: bool) -> None:
    """A 2xx: the delivery succeeded (whatever a redelivery asked meanwhile: it was delivered) and the
    endpoint's failure streak ends. No explicit lock: under the drain's lease nobody else sends or
    counts attempts, and these writes are conditional. The endpoint's row is written before the
    delivery's, the order delivery_redeliver and _record_failure lock them in, so a redelivery asked
    at that moment waits instead of deadlocking."""
    now = timezone.now()
    with transaction.atomic():
        if clear_streak:
            Endpoint.objects.filter(pk=endpoint.pk, failing_since__isnull=False).update(failing_since=None)
        updated = Delivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.SUCCEEDED,
            next_attempt_at=None,
            attempts=F("attempts") + 1,
            last_attempt_at=now,
            response_status=outcome.status,
            updated_at=now,
        )
        if updated:
            _attempt_row(delivery, endpoint.url, outcome, delivery.attempts + 1, now).save()


@transaction.atomic
def _record_failure(*, endpoint_id: int, delivery: Delivery, outcome: Outcome) -> None:
    """A failure: the log, the next attempt (or giving up), the endpoint's failure streak, and turning
    it off (410, or failing for WEBHOOKS_DISABLE_AFTER_DAYS). Locks the endpoint's row, then the
    delivery's (the order every writer of both uses)."""
    now = timezone.now()
    endpoint = Endpoint.objects.select_for_update().filter(pk=endpoint_id).first()
    current = Delivery.objects.select_for_update().filter(pk=delivery.pk).first()
    if endpoint is None or current is None:
        return  # deleted meanwhile
    _attempt_row(current, endpoint.url, outcome, current.attempts + 1, now).save()
    current.attempts += 1
    current.last_attempt_at = now
    current.response_status = outcome.status
    redelivered = current.next_attempt_at != delivery.next_attempt_at  # asked again while this one was out
    if outcome.gone:
        current.status, current.next_attempt_at = DeliveryStatus.FAILED, None
        _disable(endpoint, DisabledReason.GONE, now)
    else:
        if not redelivered:
            deadline = retry_deadline(delivery.event)
            if now >= deadline:
                current.status, current.next_attempt_at = DeliveryStatus.FAILED, None
            else:
                current.next_attempt_at = min(now + retry_delay(current.attempts), deadline)
        if endpoint.failing_since is None:
            endpoint.failing_since = now
            endpoint.save(update_fields=["failing_since", "updated_at"])
        elif now - endpoint.failing_since >= timedelta(days=settings.WEBHOOKS_DISABLE_AFTER_DAYS):
            _disable(endpoint, DisabledReason.FAILING, now)
    current.save(update_fields=["attempts", "last_attempt_at", "response_status", "status", "next_attempt_at"])


def _disable(endpoint: Endpoint, reason: str, now: datetime) -> None:
    """Turns the endpoint off and e-mails its owner after commit (the sweep sends a lost e-mail)."""
    if not endpoint.is_active:
        return
    endpoint.is_active = False
    endpoint.disabled_at, endpoint.disabled_reason, endpoint.disabled_notified_at = now, reason, None
    endpoint.save(update_fields=["is_active", "disabled_at", "disabled_reason", "disabled_notified_at", "updated_at"])
    logger.warning("Webhook endpoint %s turned off: %s", endpoint.pk, reason)
    subscriptions.changed()
    if endpoint.created_by_id is not None:
        enqueue_on_commit(endpoint_disabled_email_send_task, endpoint.pk)


@transaction.atomic
def delivery_redeliver(*, actor, delivery: Delivery) -> Delivery:
    """Sends the delivery's event again, now, with the same event id (whatever its status): it is
    pending again, and the endpoint's drain is queued after commit. A failed attempt is retried
    while the event is within WEBHOOKS_RETRY_HOURS. 409 `endpoint_inactive` for an endpoint turned
    off (turn it on first). Who may: admins. Locks the endpoint's row, then the delivery's."""
    require_admin(actor, ADMIN_ONLY)
    endpoint = Endpoint.objects.select_for_update().get(pk=delivery.endpoint_id)
    if not endpoint.is_active:
        raise Conflict(_("This endpoint is turned off: turn it on before redelivering."), code="endpoint_inactive")
    current = Delivery.objects.select_for_update().get(pk=delivery.pk)
    current.status, current.next_attempt_at = DeliveryStatus.PENDING, timezone.now()
    current.save(update_fields=["status", "next_attempt_at", "updated_at"])
    _drain_on_commit(endpoint.pk)
    return current


# --- the owner's e-mail --------------------------------------------------------------------------
def endpoint_disabled_email_send(*, endpoint_id: int) -> bool:
    """E-mails the owner of an endpoint that was turned off (410, or failing for days), once, in the
    owner's language: the row is locked and marked told in the same transaction, so a retried or
    duplicated job sends nothing twice. Nothing when the endpoint was turned back on, or its owner
    is gone or deactivated. An SMTP error propagates (the job retries). Who: the platform (a job,
    and the sweep for a lost one). Locks the endpoint's row. Returns whether an e-mail was sent."""
    with transaction.atomic():
        endpoint = (
            Endpoint.objects.select_for_update(of=("self",))
            .select_related("created_by")
            .filter(pk=endpoint_id, is_active=False, disabled_at__isnull=False, disabled_notified_at__isnull=True)
            .first()
        )
        if endpoint is None:
            return False
        owner = endpoint.created_by
        sent = False
        if owner is not None and owner.is_active and owner.email:
            context = {
                "user": owner,
                "endpoint": endpoint,
                "platform_name": settings.PLATFORM_NAME,
                "disable_after_days": settings.WEBHOOKS_DISABLE_AFTER_DAYS,
            }
            with translation.override(language_of(owner)):
                message = templated_email(
                    subject=_("A webhook endpoint was turned off"),
                    template="webhooks/endpoint_disabled_email",
                    context=context,
                    to=owner.email,
                )
            message.send()
            sent = True
        endpoint.disabled_notified_at = timezone.now()
        endpoint.save(update_fields=["disabled_notified_at"])
        return sent


# --- the sweep -----------------------------------------------------------------------------------
def webhooks_sweep(*, limit: int = 500) -> dict[str, int]:
    """The periodic care (beat, every minute): queues the drain of every active endpoint with due
    deliveries and no live lease (retries come due, jobs lost while the broker was down), queues the
    owner e-mails whose job was lost, deletes events older than EVENT_RETENTION_DAYS that no
    delivery waits for, and re-writes the subscriptions' shared version. Who: the platform. Takes no
    lock (the drains take their leases)."""
    now = timezone.now()
    subscriptions.share()
    due = (
        Delivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now, endpoint__is_active=True)
        .exclude(endpoint__lease_until__gt=now)
        .order_by()
        .values_list("endpoint_id", flat=True)
        .distinct()[:limit]
    )
    queued = sum(enqueue(endpoint_drain_task, pk) for pk in due)
    unsent = Endpoint.objects.filter(
        is_active=False,
        created_by__isnull=False,
        disabled_notified_at__isnull=True,
        disabled_at__lt=now - EMAIL_REQUEUE_AFTER,
    ).values_list("pk", flat=True)[:limit]
    emails = sum(enqueue(endpoint_disabled_email_send_task, pk) for pk in unsent)
    return {"drains_queued": queued, "emails_queued": emails, "events_pruned": events_prune(now=now)}


def events_prune(*, now: datetime | None = None, batch: int = PRUNE_BATCH) -> int:
    """Deletes events older than EVENT_RETENTION_DAYS with no pending delivery, with their deliveries
    and attempt logs, a batch at a time. Who: the platform (the sweep). Takes no lock."""
    now = now or timezone.now()
    old = Event.objects.filter(created_at__lt=now - timedelta(days=EVENT_RETENTION_DAYS)).exclude(
        deliveries__status=DeliveryStatus.PENDING
    )
    deleted = 0
    while ids := list(old.order_by("pk").values_list("pk", flat=True)[:batch]):
        Event.objects.filter(pk__in=ids).delete()
        deleted += len(ids)
    return deleted


# --- privacy -------------------------------------------------------------------------------------
def webhooks_erase_for_user(*, user) -> dict[str, int]:
    """The erasure of `user` (webhooks.privacy): endpoints they own are kept, without an owner, and
    events about them (their id in `user_id` or `student_id`) are deleted with their deliveries, so
    no receiver is sent their data after the erasure. Who: the platform (the privacy eraser).
    Idempotent. Takes no lock."""
    owned = Endpoint.objects.filter(created_by=user).update(created_by=None)
    about = Q()
    for name in payloads.PERSON_FIELDS:
        about |= Q(**{f"data__{name}": user.pk})
    events = Event.objects.filter(about)
    deleted = 0
    while ids := list(events.order_by("pk").values_list("pk", flat=True)[:PRUNE_BATCH]):
        Event.objects.filter(pk__in=ids).delete()
        deleted += len(ids)
    return {"endpoints": owned, "events": deleted}
