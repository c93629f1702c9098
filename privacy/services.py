"""Exports of everything about a person, erasure, and the audit log of staff reads (README "Privacy").

Every app registers what it holds (privacy.registry); these services run the registered exporters
and erasers and keep the requests' state. Jobs call them; the API and the admin call them for people."""

import json
import os
import tempfile
import zipfile
from collections.abc import Callable
from datetime import UTC, timedelta
from functools import partial

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from lms.errors import Conflict, InvalidInput, NotPermitted, TooManyAttempts
from lms.jobs import enqueue_on_commit
from lms.services import delete_in_batches
from media import storage

from . import registry
from .models import AuditEvent, DataExport, ErasureRequest, ErasureStatus, ExportStatus
from .tasks import data_export_build_task, erasure_run_task

EXPORT_EVERY = timedelta(days=1)  # one export a day per person
EXPORT_REQUEUE_AFTER = timedelta(minutes=30)
EXPORT_FAIL_AFTER = timedelta(hours=6)
CHUNK = 1024 * 1024

EXPORT_ONCE_A_DAY = _("You can ask for one export of your data a day.")
NOT_YOURS = _("You can only export or erase your own data.")


def _export_days() -> timedelta:
    return timedelta(days=settings.PRIVACY_EXPORT_DAYS)


def _is_staff(actor) -> bool:
    return bool(actor is not None and getattr(actor, "is_admin", False))


# --- exports -------------------------------------------------------------------------------------
def data_export_request(*, actor, user) -> DataExport:
    """Queues an export of everything about `user` (after commit). Who may: the user themselves or an
    administrator (the request is written to the audit log); `actor=None` for the platform. One a
    day per person: TooManyAttempts (429) with the seconds to wait. No lock: two requests at the same
    moment meet the one-pending-export check and one of them is refused."""
    if actor is not None and actor.pk != user.pk and not _is_staff(actor):
        raise NotPermitted(NOT_YOURS, code="not_owner")
    now = timezone.now()
    last = DataExport.objects.filter(user=user, created_at__gt=now - EXPORT_EVERY).exclude(status=ExportStatus.FAILED)
    last = last.order_by("-created_at").first()
    if last is not None:
        wait = int((last.created_at + EXPORT_EVERY - now).total_seconds()) + 1
        raise TooManyAttempts(EXPORT_ONCE_A_DAY, retry_after=wait, code="export_limit")
    requested_by = actor if actor is not None and actor.pk != user.pk else None
    export = DataExport.objects.create(user=user, requested_by=requested_by)
    export.key = f"private/exports/{export.pk}/{_export_filename(export)}"
    export.save(update_fields=["key"])
    if requested_by is not None:
        audit_record(actor=requested_by, subject=user, action="export", target=f"privacy.dataexport:{export.pk}")
    enqueue_on_commit(data_export_build_task, export.pk)
    return export


def _export_filename(export: DataExport) -> str:
    return f"lms-data-{export.user_id}-{export.created_at.astimezone(UTC):%Y%m%d}.zip"


def data_export_build(*, export_id: int) -> DataExport | None:
    """Builds a pending export: a zip with one JSON file per domain (each app's registered exporter),
    the person's files under `files/` (copied a chunk at a time, so memory stays flat however large
    they are) and a README.txt explaining every field, written to a temporary file and stored
    privately. Then the person is notified. The platform calls it (a job). Holds the export's row
    lock while it works; a duplicate job skips the locked row at once. Idempotent: the key is fixed,
    so a retry rewrites the same object. Returns None when there was nothing to do."""
    from notifications.services import notify

    with transaction.atomic():
        export = (
            DataExport.objects.select_for_update(of=("self",), skip_locked=True)
            .select_related("user")
            .filter(pk=export_id, status=ExportStatus.PENDING)
            .first()
        )
        if export is None:
            return None
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "export.zip")
            _export_write(path, export.user)
            storage.put_file(export.key, path, content_type="application/zip")
            export.size = os.path.getsize(path)
        now = timezone.now()
        export.status, export.ready_at, export.expires_at = ExportStatus.READY, now, now + _export_days()
        export.save(update_fields=["status", "size", "ready_at", "expires_at"])
        notify(
            recipients=[export.user_id],
            type="data_export_ready",
            title=_("Your data export is ready"),
            body=format_lazy(
                ngettext_lazy(
                    "Download it within {count} day: the link expires then.",
                    "Download it within {count} days: the link expires then.",
                    settings.PRIVACY_EXPORT_DAYS,
                ),
                count=settings.PRIVACY_EXPORT_DAYS,
            ),
            payload={"export_id": export.pk},
        )
        return export


def _export_write(path: str, user) -> None:
    readme = [
        "Everything the platform holds about you, one JSON file per part of the platform.",
        f"Made at {timezone.now().astimezone(UTC):%Y-%m-%d %H:%M} UTC for user {user.pk}.",
        "Your files (uploads, submissions, certificates) are under files/.",
        "",
    ]
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        for exporter in registry.exporters():
            data = exporter.export(user)
            archive.writestr(
                f"{exporter.name}.json", json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False)
            )
            readme.append(f"{exporter.name}.json")
            readme += [f"  {field}: {meaning}" for field, meaning in sorted(exporter.describe.items())]
            readme.append("")
            for name, key in exporter.files(user) if exporter.files else ():
                if not key or not storage.exists(key):
                    continue
                with storage.open_read(key) as source, archive.open(f"files/{name}", "w", force_zip64=True) as target:
                    while chunk := source.read(CHUNK):
                        target.write(chunk)
        archive.writestr("README.txt", "\n".join(readme) + "\n")


def data_export_fail(*, export_id: int, error: str) -> DataExport | None:
    """Marks a pending export failed (its job gave up). The platform calls it. Locks the row."""
    with transaction.atomic():
        export = DataExport.objects.select_for_update().filter(pk=export_id, status=ExportStatus.PENDING).first()
        if export is not None:
            export.status, export.error = ExportStatus.FAILED, error[:300]
            export.save(update_fields=["status", "error"])
        return export


def data_exports_sweep(*, limit: int = 200) -> dict[str, int]:
    """The exports' periodic care: pending exports last queued EXPORT_REQUEUE_AFTER ago are queued
    again (their job was lost; building is idempotent), those older than EXPORT_FAIL_AFTER are
    failed, and expired ones are deleted with their zips (after commit). The platform calls it (a
    beat job); rows locked by a build in progress are skipped."""
    now = timezone.now()
    done = {"requeued": 0, "failed": 0, "deleted": 0}
    with transaction.atomic():
        pending = DataExport.objects.select_for_update(skip_locked=True).filter(status=ExportStatus.PENDING)
        stale = list(pending.filter(created_at__lt=now - EXPORT_FAIL_AFTER).values_list("pk", flat=True)[:limit])
        done["failed"] = DataExport.objects.filter(pk__in=stale).update(
            status=ExportStatus.FAILED, error="The export could not be built. Ask for a new one."
        )
        lost = pending.filter(created_at__gte=now - EXPORT_FAIL_AFTER, queued_at__lt=now - EXPORT_REQUEUE_AFTER)
        lost = list(lost.values_list("pk", flat=True)[:limit])
        DataExport.objects.filter(pk__in=lost).update(queued_at=now)
        for pk in lost:
            enqueue_on_commit(data_export_build_task, pk)
        done["requeued"] = len(lost)
        expired = DataExport.objects.select_for_update(skip_locked=True).filter(expires_at__lt=now)
        expired = list(expired.values_list("pk", "key")[:limit])
        DataExport.objects.filter(pk__in=[pk for pk, _ in expired]).delete()
        done["deleted"] = len(expired)
        keys = [key for _, key in expired if key]
        if keys:
            transaction.on_commit(partial(storage.delete, keys))
    return done


def data_export_download_url(export: DataExport) -> str | None:
    """A signed link to a ready export that expires with it (never later than its `expires_at`)."""
    if export.status != ExportStatus.READY or export.expires_at is None:
        return None
    seconds = int((export.expires_at - timezone.now()).total_seconds())
    if seconds <= 0:
        return None
    return storage.private_url(export.key, filename=os.path.basename(export.key), seconds=seconds)


# --- the audit log -------------------------------------------------------------------------------
def audit_record(*, actor, subject, action: str, target: str, reason: str = "", path: str = "") -> AuditEvent:
    """Writes one staff read of `subject`'s (a user or an id) personal data. Append only. It is also
    the recorder lms.audit reports reads to (registered in PrivacyConfig.ready). Who: the platform, for
    the staff member who read. No lock: rows are only ever added."""
    return AuditEvent.objects.create(
        actor=actor,
        subject_id=getattr(subject, "pk", subject),
        action=action[:40],
        target=target[:100],
        reason=reason[:500],
        path=path[:300],
    )


def audit_prune(*, older_than, batch_size: int = 5000, on_batch: Callable[[int], None] | None = None) -> int:
    """Deletes audit events older than `older_than`, in batches (no long table lock); `on_batch(deleted)`
    after each. The platform calls it (the sweep, with AUDIT_RETENTION_DAYS), and operators through
    `manage.py prune_audit`, which never goes below that retention. Takes no lock: events are never
    changed, so a delete by id cannot race a write."""
    return delete_in_batches(AuditEvent.objects.filter(at__lt=older_than), batch_size=batch_size, on_batch=on_batch)


# --- erasure -------------------------------------------------------------------------------------
ERASURE_PASSWORD = _("The password is not right.")
ERASURE_ALREADY = _("An erasure of this account is already scheduled.")
ERASURE_NONE = _("No erasure of this account is pending.")
ERASURE_ADMIN_ONLY = _("Only an administrator can erase another user.")
ERASURE_LAST_ADMIN = _("The last active admin cannot be erased.")


def _refuse_last_admin(user) -> None:
    """Somebody must run the platform: the last active admin is refused when the erasure is asked
    for (409), not by its last step days later."""
    from accounts.selectors import user_is_last_active_admin

    if user_is_last_active_admin(user):
        raise Conflict(ERASURE_LAST_ADMIN, code="last_admin")


def erasure_request(*, user, password: str) -> ErasureRequest:
    """The user asks for their own erasure, with their password (400 when wrong): it runs after
    ERASURE_GRACE_DAYS and can be canceled until then. Every session is signed out at once (the
    password is stored again under a new salt, which revokes every token issued before; refresh
    tokens are blacklisted); signing in again during the grace period works. 409 when one is
    already pending. No lock: the one-open-erasure constraint decides between concurrent requests."""
    from accounts.services import user_sign_out_everywhere

    if not user.check_password(password):
        raise InvalidInput(ERASURE_PASSWORD, code="wrong_password", extra={"field": "password"})
    _refuse_last_admin(user)
    scheduled_for = timezone.now() + timedelta(days=settings.ERASURE_GRACE_DAYS)
    try:
        with transaction.atomic():
            erasure = ErasureRequest.objects.create(user=user, scheduled_for=scheduled_for)
    except IntegrityError as exc:
        raise Conflict(ERASURE_ALREADY, code="erasure_pending") from exc
    user_sign_out_everywhere(user=user, password=password)
    return erasure


@transaction.atomic
def erasure_cancel(*, user) -> ErasureRequest:
    """Cancels the user's pending erasure (Conflict `no_pending_erasure`, a 409, when none is pending).
    Who: the user themselves. Locks the request's row."""
    erasure = ErasureRequest.objects.select_for_update().filter(user=user, status=ErasureStatus.PENDING).first()
    if erasure is None:
        raise Conflict(ERASURE_NONE, code="no_pending_erasure")
    erasure.status, erasure.canceled_at = ErasureStatus.CANCELED, timezone.now()
    erasure.save(update_fields=["status", "canceled_at"])
    return erasure


def erasure_now(*, actor, user) -> ErasureRequest:
    """An administrator erases `user` at once: a request scheduled now (or the pending one brought
    forward), run by a job right after commit. The erasure is written to the audit log. Who may: an
    administrator (NotPermitted otherwise), never on themselves. Locks the user's open erasure request,
    if any, to bring it forward."""
    if actor is None or not _is_staff(actor):
        raise NotPermitted(ERASURE_ADMIN_ONLY, code="not_admin")
    if actor.pk == user.pk:
        raise InvalidInput(_("Administrators cannot erase themselves here: ask another administrator."), code="self")
    _refuse_last_admin(user)
    now = timezone.now()
    with transaction.atomic():
        erasure = (
            ErasureRequest.objects.select_for_update()
            .filter(user=user, status__in=[ErasureStatus.PENDING, ErasureStatus.RUNNING])
            .first()
        )
        if erasure is None:
            erasure = ErasureRequest.objects.create(user=user, scheduled_for=now, requested_by=actor)
        elif erasure.status == ErasureStatus.PENDING:
            erasure.scheduled_for, erasure.requested_by = now, actor
            erasure.save(update_fields=["scheduled_for", "requested_by"])
        audit_record(actor=actor, subject=user, action="erase", target=f"accounts.user:{user.pk}")
        enqueue_on_commit(erasure_run_task, erasure.pk)
    return erasure


def erasure_run(*, erasure_id: int) -> ErasureRequest | None:
    """Runs a due erasure: each registered eraser in order (accounts last), each in its own
    transaction, recorded in `steps_done` as it commits, so a run cut short (a worker killed) resumes
    with the next one; erasers are idempotent, so the step that was running is simply run again.
    The platform calls it (a job, and the beat sweep for due and lost ones). Returns None when
    there is nothing to do (not due, canceled, done, or another run holds it)."""
    now = timezone.now()
    with transaction.atomic():
        erasure = (
            ErasureRequest.objects.select_for_update(skip_locked=True)
            .filter(pk=erasure_id, status__in=[ErasureStatus.PENDING, ErasureStatus.RUNNING], scheduled_for__lte=now)
            .first()
        )
        if erasure is None:
            return None
        if erasure.status == ErasureStatus.PENDING:
            erasure.status, erasure.started_at = ErasureStatus.RUNNING, now
            erasure.save(update_fields=["status", "started_at"])
    for eraser in registry.erasers():
        # Each step under the request's row lock, recorded as it commits: concurrent runs never do
        # a step twice, and a run that dies resumes with the next step (erasers are idempotent).
        with transaction.atomic():
            erasure = (
                ErasureRequest.objects.select_for_update(of=("self",), skip_locked=True)
                .select_related("user")
                .filter(pk=erasure_id, status=ErasureStatus.RUNNING)
                .first()
            )
            if erasure is None:
                return None
            if eraser.name in erasure.steps_done:
                continue
            eraser.erase(erasure.user)
            erasure.steps_done = [*erasure.steps_done, eraser.name]
            erasure.save(update_fields=["steps_done"])
    with transaction.atomic():
        erasure = ErasureRequest.objects.select_for_update().get(pk=erasure_id)
        if erasure.status == ErasureStatus.RUNNING:
            erasure.status, erasure.done_at = ErasureStatus.DONE, timezone.now()
            erasure.save(update_fields=["status", "done_at"])
    return erasure


def erasures_due(*, limit: int = 100) -> list[int]:
    """The erasures to run now: pending and due, or running (a run that died). The beat sweep
    queues each; running one twice at a time is prevented by erasure_run's row lock."""
    now = timezone.now()
    due = ErasureRequest.objects.filter(
        scheduled_for__lte=now, status__in=[ErasureStatus.PENDING, ErasureStatus.RUNNING]
    )
    return list(due.order_by("scheduled_for").values_list("pk", flat=True)[:limit])


# --- the privacy app's own rows ------------------------------------------------------------------
def privacy_export(user) -> dict:
    exports = DataExport.objects.filter(user=user).order_by("created_at")
    erasures = ErasureRequest.objects.filter(user=user).order_by("requested_at")
    return {
        "data_exports": [
            {
                "id": e.pk,
                "status": e.status,
                "created_at": e.created_at,
                "ready_at": e.ready_at,
                "expires_at": e.expires_at,
            }
            for e in exports
        ],
        "erasures": [
            {
                "id": e.pk,
                "status": e.status,
                "requested_at": e.requested_at,
                "scheduled_for": e.scheduled_for,
                "canceled_at": e.canceled_at,
            }
            for e in erasures
        ],
    }


def privacy_erase(user) -> None:
    """Deletes the user's exports and, after commit, their zips. Idempotent."""
    exports = list(DataExport.objects.filter(user=user).values_list("pk", "key"))
    DataExport.objects.filter(pk__in=[pk for pk, _ in exports]).delete()
    keys = [key for _, key in exports if key]
    if keys:
        transaction.on_commit(partial(storage.delete, keys))
