"""Every write on uploads: ask (create), upload the bytes (local storage), complete (check), attach,
delete, derive, sweep, and set quotas.

Storage is not transactional, so the order matters: objects are deleted only after the transaction
that forgets them commits, and a file is moved out of the client's reach (`incoming/`) before it is
checked, so what was checked is what is served."""

import logging
import os
import re
import tempfile
import unicodedata
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import ProtectedError, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from lms.errors import Conflict, InvalidInput, NotFound, NotPermitted, ServiceUnavailable, TooLarge, UnsupportedType
from lms.jobs import enqueue_on_commit

from . import imaging, storage
from .access import upload_for
from .models import DERIVED_PURPOSES, StorageQuota, Upload, UploadPurpose, UploadStatus
from .rules import IMAGE, VIDEO, describe_size, is_utf8_text, normalize_type, rule_for, same_kind, sniff

logger = logging.getLogger(__name__)

# Course material is uploaded by those who teach; anyone signed in may upload an avatar or their work.
TEACHING_PURPOSES = frozenset({UploadPurpose.COURSE_COVER, UploadPurpose.LESSON_VIDEO, UploadPurpose.LESSON_ATTACHMENT})
SNIFF_BYTES = 64 * 1024


def safe_filename(filename: str) -> str:
    """The last path part, without control characters or path separators, at most 150 characters
    (keeping the extension): safe in a storage key and in a Content-Disposition header."""
    name = unicodedata.normalize("NFC", filename).replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip().strip(".")
    name = re.sub(r"\s+", " ", name)
    if len(name) > 150:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: 150 - len(ext) - 1] + dot + ext) if dot and len(ext) <= 10 else name[:150]
    return name


# Refusals that name the purpose, one whole sentence per purpose (articles and genders differ by
# language), filled with .format() in the active language.
PURPOSE_TOO_LARGE = {
    UploadPurpose.COURSE_COVER: _("A course cover may be at most {size}."),
    UploadPurpose.LESSON_VIDEO: _("A lesson video may be at most {size}."),
    UploadPurpose.LESSON_ATTACHMENT: _("A lesson attachment may be at most {size}."),
    UploadPurpose.SUBMISSION_FILE: _("A submission file may be at most {size}."),
    UploadPurpose.AVATAR: _("An avatar may be at most {size}."),
}
PURPOSE_WRONG_TYPE = {
    UploadPurpose.COURSE_COVER: _("A course cover cannot be {type}: use {accepted}."),
    UploadPurpose.LESSON_VIDEO: _("A lesson video cannot be {type}: use {accepted}."),
    UploadPurpose.LESSON_ATTACHMENT: _("A lesson attachment cannot be {type}: use {accepted}."),
    UploadPurpose.SUBMISSION_FILE: _("A submission file cannot be {type}: use {accepted}."),
    UploadPurpose.AVATAR: _("An avatar cannot be {type}: use {accepted}."),
}
PURPOSE_WRONG_CONTENTS = {
    UploadPurpose.COURSE_COVER: _("The file's contents are {type}, which a course cover cannot be."),
    UploadPurpose.LESSON_VIDEO: _("The file's contents are {type}, which a lesson video cannot be."),
    UploadPurpose.LESSON_ATTACHMENT: _("The file's contents are {type}, which a lesson attachment cannot be."),
    UploadPurpose.SUBMISSION_FILE: _("The file's contents are {type}, which a submission file cannot be."),
    UploadPurpose.AVATAR: _("The file's contents are {type}, which an avatar cannot be."),
}
PURPOSE_NOT_HERE = {
    UploadPurpose.COURSE_COVER: _("This upload is a course cover: it cannot be used here."),
    UploadPurpose.LESSON_VIDEO: _("This upload is a lesson video: it cannot be used here."),
    UploadPurpose.LESSON_ATTACHMENT: _("This upload is a lesson attachment: it cannot be used here."),
    UploadPurpose.SUBMISSION_FILE: _("This upload is a submission file: it cannot be used here."),
    UploadPurpose.AVATAR: _("This upload is an avatar: it cannot be used here."),
}


def storage_used(user) -> int:
    """Bytes the user's files take: every checked upload, and every one asked for whose upload step is
    still open (its declared size)."""
    now = timezone.now()
    mine = Upload.objects.filter(owner=user).filter(
        Q(status=UploadStatus.READY) | Q(status=UploadStatus.PENDING, expires_at__gt=now)
    )
    return mine.aggregate(total=Sum("size"))["total"] or 0


def storage_quota(user) -> int:
    quota = StorageQuota.objects.filter(user=user).values_list("bytes", flat=True).first()
    return settings.MEDIA_QUOTA_BYTES if quota is None else quota


@transaction.atomic
def upload_create(*, actor, purpose: str, filename: str, content_type: str, size: int) -> Upload:
    """Asks to upload a file: checks the purpose's size and type limits and the actor's storage quota,
    and records a pending upload whose upload step must be done within MEDIA_UPLOAD_EXPIRE_MINUTES.
    Any signed-in user; course material (cover, video, attachments) is uploaded by instructors and
    admins only. Locks the user's row, so concurrent asks by one user cannot together exceed the
    quota."""
    if purpose not in UploadPurpose.values:
        raise InvalidInput(
            gettext("Unknown purpose {purpose}.").format(purpose=repr(purpose)), extra={"field": "purpose"}
        )
    if purpose in TEACHING_PURPOSES and not (actor.is_instructor or actor.is_admin):
        raise NotPermitted(gettext("Only instructors and admins upload course material."))
    rule = rule_for(purpose)
    name = safe_filename(filename)
    if not name:
        raise InvalidInput(gettext("Give the file a name."), extra={"field": "filename"})
    content_type = normalize_type(content_type)
    if size < 1:
        raise InvalidInput(gettext("The file is empty."), extra={"field": "size"})
    if size > rule.max_bytes:
        raise TooLarge(
            PURPOSE_TOO_LARGE[purpose].format(size=describe_size(rule.max_bytes)),
            code="file_too_large",
            extra={"field": "size", "max_bytes": rule.max_bytes},
        )
    if content_type not in rule.types:
        raise UnsupportedType(
            PURPOSE_WRONG_TYPE[purpose].format(type=content_type, accepted=", ".join(rule.types)),
            code="unsupported_type",
            extra={"field": "content_type", "accepted": list(rule.types)},
        )
    get_user_model().objects.select_for_update().filter(pk=actor.pk).first()  # one ask at a time per user
    used, quota = storage_used(actor), storage_quota(actor)
    if used + size > quota:
        raise Conflict(
            gettext(
                "This file would take your storage past its quota of {quota} ({used} used). Delete files you no "
                "longer need, or ask an admin for more."
            ).format(quota=describe_size(quota), used=describe_size(used)),
            code="storage_quota_exceeded",
            extra={"quota_bytes": quota, "used_bytes": used},
        )
    return Upload.objects.create(
        owner=actor,
        purpose=purpose,
        filename=name,
        content_type=content_type,
        size=size,
        expires_at=timezone.now() + timedelta(minutes=settings.MEDIA_UPLOAD_EXPIRE_MINUTES),
    )


def upload_instructions(upload: Upload) -> dict:
    """How the client sends the bytes: a presigned POST to the bucket, or a PUT to this API."""
    if storage.is_s3():
        seconds = max(1, int((upload.expires_at - timezone.now()).total_seconds()))
        return storage.presigned_post(
            upload.incoming_key, content_type=upload.content_type, max_bytes=upload.size, expires_in=seconds
        )
    from django.urls import reverse

    return {
        "method": "PUT",
        "url": reverse("upload-content", kwargs={"pk": upload.pk}),
        "fields": {},
        "headers": {"Content-Type": upload.content_type},
    }


def upload_content_write(*, actor, upload_id, stream, content_length: int | None) -> Upload:
    """The upload step with local storage: streams the request body to disk in chunks (never more than
    64 KiB in memory), refusing more bytes than were declared. A second PUT replaces the first.
    The uploader (owner) only. Takes no lock and no transaction: the body may take minutes, and nothing in
    the database changes."""
    upload = upload_for(actor, upload_id, need="upload")
    if storage.is_s3():
        raise Conflict(
            gettext("This upload goes straight to storage: POST the file to upload.url with upload.fields."),
            code="upload_to_storage",
        )
    _check_open(upload)
    too_big = TooLarge(
        ngettext(
            "The body is larger than the {count} byte declared for this upload.",
            "The body is larger than the {count} bytes declared for this upload.",
            upload.size,
        ).format(count=upload.size),
        code="file_too_large",
    )
    if content_length is not None and content_length > upload.size:
        raise too_big
    if storage.write_stream(upload.incoming_key, stream, max_bytes=upload.size) is None:
        raise too_big
    return upload


def _check_open(upload: Upload) -> None:
    if upload.status != UploadStatus.PENDING:
        raise Conflict(gettext("This upload is already complete."), code="upload_completed")
    if upload.expires_at <= timezone.now():
        raise Conflict(
            gettext("The time to upload this file has run out: ask for a new upload."), code="upload_expired"
        )


def _final_key(upload: Upload) -> str:
    area = "public" if upload.is_public else "private"
    return f"{area}/{upload.pk}/{upload.filename}"


class _Refused(Exception):
    pass


def upload_complete(*, actor, upload_id) -> Upload:
    """Checks the uploaded bytes and makes the upload ready, or refuses it (InvalidInput, 400, with
    the reason), in which case its objects are deleted and it is marked rejected. Safe to call twice or
    concurrently: the row lock serializes completes, and a ready upload is returned as it is.
    The checks: the stored size (at most the declared size and the purpose's limit), the type sniffed
    from the bytes (in the purpose's types and agreeing with the declared one), images opened with
    Pillow under a pixel limit and re-written without EXIF, videos read by ffprobe. A ready upload of
    a derived purpose queues its derivation after commit. The uploader only (owner); locks the
    upload's row."""
    refusal = unavailable = None
    with transaction.atomic():
        upload = upload_for(actor, upload_id, need="upload", lock=True)
        if upload.status == UploadStatus.READY:
            return upload
        if upload.status == UploadStatus.REJECTED:
            raise InvalidInput(upload.rejected_reason, code="upload_rejected")
        key = _final_key(upload)
        if storage.exists(upload.incoming_key):
            storage.move(upload.incoming_key, key)
        elif not storage.exists(key):  # moved by a complete that failed afterwards, or never uploaded
            raise InvalidInput(gettext("The file has not been uploaded yet."), code="upload_missing")
        upload.key = key
        try:
            _check(upload)
        except _Refused as e:
            refusal = str(e)
        except imaging.ToolMissing as e:
            unavailable = str(e)
        if unavailable:
            pass  # stays pending with its object moved: completing again once the tool is back works
        elif refusal:
            upload.status, upload.rejected_reason = UploadStatus.REJECTED, refusal[:300]
            keys = upload.stored_keys()
            transaction.on_commit(partial(storage.delete, keys))
        else:
            upload.status, upload.completed_at = UploadStatus.READY, timezone.now()
            if upload.purpose in DERIVED_PURPOSES:
                from .tasks import upload_derive_task

                enqueue_on_commit(upload_derive_task, str(upload.pk))
        upload.save()
    if unavailable:
        raise ServiceUnavailable(
            gettext("Videos cannot be checked right now ({reason}). Try again later.").format(reason=unavailable)
        )
    if refusal:
        raise InvalidInput(refusal, code="upload_rejected")
    return upload


def _check(upload: Upload) -> None:
    """Fills in what the bytes say (size, type, dimensions, duration), or raises _Refused."""
    rule = rule_for(upload.purpose)
    stored = storage.size(upload.key)
    if stored == 0:
        raise _Refused(gettext("The uploaded file is empty."))
    if stored > upload.size or stored > rule.max_bytes:
        raise _Refused(
            ngettext(
                "The uploaded file ({count} byte) is larger than declared ({declared} bytes).",
                "The uploaded file ({count} bytes) is larger than declared ({declared} bytes).",
                stored,
            ).format(count=stored, declared=upload.size)
        )
    upload.size = stored
    detected = sniff(storage.read_head(upload.key, SNIFF_BYTES))
    if detected is None and any(t.startswith("text/") for t in rule.types) and _is_text(upload.key):
        detected = "text/plain"
    if detected is None:
        raise _Refused(gettext("The file's contents are not a type this platform accepts."))
    if detected not in rule.types and not same_kind(upload.content_type, detected):
        raise _Refused(PURPOSE_WRONG_CONTENTS[upload.purpose].format(type=detected))
    if not same_kind(upload.content_type, detected):
        raise _Refused(
            gettext("The file was declared as {declared}, but its contents are {detected}.").format(
                declared=upload.content_type, detected=detected
            )
        )
    upload.detected_type = detected
    kind = IMAGE if detected.startswith("image/") else rule.kind
    try:
        if kind == IMAGE:
            _check_image(upload)
        elif kind == VIDEO:
            info = imaging.video_probe(storage.tool_source(upload.key), timeout=settings.MEDIA_FFPROBE_TIMEOUT)
            upload.duration_seconds, upload.codec = info.duration_seconds, info.codec
            upload.width, upload.height = info.width, info.height
    except imaging.MediaRefused as e:
        raise _Refused(str(e)) from None


def _is_text(key: str) -> bool:
    with storage.open_read(key) as f:
        return is_utf8_text(iter(partial(f.read, storage.CHUNK), b""))


def _check_image(upload: Upload) -> None:
    """Opens the image under the pixel limit and stores it again without its metadata (EXIF can hold
    where a photo was taken), with its orientation applied."""
    with storage.local_copy(upload.key) as source, tempfile.TemporaryDirectory() as tmp:
        cleaned = os.path.join(tmp, "clean")
        info = imaging.image_clean(source, cleaned, max_pixels=settings.MEDIA_IMAGE_MAX_PIXELS)
        storage.put_file(
            upload.key,
            cleaned,
            content_type=info.mime,
            cache_control=storage.PUBLIC_CACHE if upload.is_public else None,
        )
        upload.size = os.path.getsize(cleaned)
        upload.width, upload.height = info.width, info.height


@transaction.atomic
def upload_delete(*, actor, upload_id) -> None:
    """Deletes an upload that is not attached to anything, and its objects after commit. An attached
    one is refused (409 upload_in_use): remove it from its course, lesson or profile first. The
    owner or an admin; locks the upload's row."""
    upload = upload_for(actor, upload_id, need="delete", lock=True)
    if upload.attached_at is not None:
        raise Conflict(
            gettext("This file is in use: remove it from its course, lesson, submission or profile first."),
            code="upload_in_use",
        )
    _forget(upload)


def _forget(upload: Upload) -> None:
    keys = upload.stored_keys()
    upload.delete()
    transaction.on_commit(partial(storage.delete, keys))


def upload_attach(*, actor, upload_id, purposes, field: str) -> Upload:
    """Marks a ready upload of the actor's (or any, for an admin) as attached, for a service that
    attaches it to a course, lesson, submission or profile in the same transaction. Refusals are
    InvalidInput on `field`: not found, not ready, the wrong purpose, or already attached elsewhere.
    Locks the upload's row; call it inside the attaching service's transaction."""
    try:
        upload = upload_for(actor, upload_id, need="read", lock=True)
    except NotFound:
        raise InvalidInput(
            gettext("No upload {id} of yours.").format(id=upload_id), code="invalid_upload", extra={"field": field}
        ) from None
    purposes = {purposes} if isinstance(purposes, str) else set(purposes)
    if upload.purpose not in purposes:
        raise InvalidInput(
            str(PURPOSE_NOT_HERE[upload.purpose]),
            code="invalid_upload",
            extra={"field": field},
        )
    if upload.status != UploadStatus.READY:
        raise InvalidInput(
            gettext("Complete the upload first (POST .../complete/)."), code="upload_not_ready", extra={"field": field}
        )
    if upload.attached_at is not None:
        raise InvalidInput(
            gettext("This upload is already in use elsewhere: upload the file again to use it twice."),
            code="upload_in_use",
            extra={"field": field},
        )
    upload.attached_at = timezone.now()
    upload.save(update_fields=["attached_at"])
    return upload


def upload_release(*, upload: Upload | None) -> None:
    """The course, lesson, submission or profile no longer uses this upload (replaced or deleted): the
    upload and its objects are deleted, the objects after commit. Call within the caller's transaction."""
    if upload is not None:
        _forget(upload)


def upload_derive(*, upload_id) -> Upload | None:
    """Makes an upload's derived files: cover variants (thumb, card) and an avatar thumbnail in WebP and
    JPEG, a video's poster frame. Idempotent: the files have fixed names (a retry rewrites them) and a
    done upload is skipped. The platform calls it (a job); it holds the upload's row lock while it
    works, so a concurrent run waits and then finds the upload done (each file is made once). It
    waits, rather than skipping a locked row, because complete, attach and delete lock the row too,
    and skipping would drop the work. Returns the upload, or None when there was nothing to do."""
    with transaction.atomic():
        upload = (
            Upload.objects.select_for_update()
            .filter(pk=upload_id, status=UploadStatus.READY, purpose__in=DERIVED_PURPOSES, derived_at=None)
            .first()
        )
        if upload is None:
            return None
        folder = upload.key.rsplit("/", 1)[0]
        cache_control = storage.PUBLIC_CACHE if upload.is_public else None
        variants = {}
        with tempfile.TemporaryDirectory() as tmp:
            if upload.purpose == UploadPurpose.LESSON_VIDEO:
                poster = os.path.join(tmp, "poster.jpg")
                source = storage.tool_source(upload.key)
                width, height = imaging.video_poster(
                    source,
                    poster,
                    duration_seconds=upload.duration_seconds or 0,
                    timeout=settings.MEDIA_FFPROBE_TIMEOUT,
                )
                storage.put_file(f"{folder}/poster.jpg", poster, content_type="image/jpeg")
                variants["poster"] = {"jpeg": f"{folder}/poster.jpg", "width": width, "height": height}
            else:
                with storage.local_copy(upload.key) as source:
                    made = imaging.image_variants(source, tmp, imaging.VARIANT_SPECS[upload.purpose])
                for name, files in made.items():
                    variants[name] = {"width": files["width"], "height": files["height"]}
                    for fmt, ext, mime in (("webp", "webp", "image/webp"), ("jpeg", "jpg", "image/jpeg")):
                        key = f"{folder}/{name}.{ext}"
                        storage.put_file(key, files[fmt], content_type=mime, cache_control=cache_control)
                        variants[name][fmt] = key
        upload.variants, upload.derived_at = variants, timezone.now()
        upload.save(update_fields=["variants", "derived_at"])
        return upload


def uploads_derive_missing(*, completed_before: datetime, limit: int = 100) -> int:
    """Queues the derivation of ready uploads that should have derived files by now and do not (their
    job was lost: the broker was down, or a worker died). Returns how many were queued."""
    from .tasks import upload_derive_task

    ids = list(
        Upload.objects.filter(
            status=UploadStatus.READY, purpose__in=DERIVED_PURPOSES, derived_at=None, completed_at__lt=completed_before
        ).values_list("pk", flat=True)[:limit]
    )
    for pk in ids:
        enqueue_on_commit(upload_derive_task, str(pk))
    return len(ids)


def uploads_delete_unattached(*, created_before: datetime, limit: int = 500) -> int:
    """Deletes uploads never attached to anything and asked for before `created_before` (pending,
    rejected or ready alike), and their objects after commit. Returns how many were deleted."""
    deleted = 0
    with transaction.atomic():
        stale = (
            Upload.objects.select_for_update(skip_locked=True)
            .filter(attached_at=None, created_at__lt=created_before)
            .order_by("created_at")[:limit]
        )
        for upload in stale:
            _forget(upload)
            deleted += 1
    return deleted


@transaction.atomic
def storage_quota_set(*, actor, user, quota_bytes: int | None) -> StorageQuota | None:
    """Sets a user's storage quota (admins only); None returns them to MEDIA_QUOTA_BYTES. A quota below
    what they already use is allowed: they cannot upload more until they delete files. Needs no lock:
    one row per user, written whole."""
    if not actor.is_admin:
        raise NotPermitted(gettext("Only admins change storage quotas."))
    if quota_bytes is None:
        StorageQuota.objects.filter(user=user).delete()
        return None
    if quota_bytes < 0:
        raise InvalidInput(gettext("A quota cannot be negative."), extra={"field": "bytes"})
    quota, _ = StorageQuota.objects.update_or_create(user=user, defaults={"bytes": quota_bytes, "updated_by": actor})
    return quota


# --- erasure (privacy: media/privacy.py) ------------------------------------------------------------


def uploads_erase_for_user(*, user, batch_size: int = 100) -> tuple[int, int]:
    """Deletes every upload of `user` that nothing uses any more (asked for, rejected, never attached,
    or released by what used it) with its files, and keeps those still in use: course material the
    user uploaded as an instructor or admin (a course's cover, a lesson's video or attachments: the
    course stays readable) and, until their own apps' erasers release them, an avatar or a submission
    file. In use is what the database says: every reference to an upload is PROTECT, so deleting one
    in use raises ProtectedError (before anything is deleted), and it is kept.

    Unlike upload_delete, the files are deleted before the rows' transaction commits: a crash in
    between leaves rows whose files are gone, which a rerun deletes (deleting a missing file is no
    error); the other way round, it could leave files that no row remembers and nothing would delete.

    Who may call: the platform only (the privacy app's erasure job; there is no actor). Locks the
    user's uploads' rows, a batch at a time, each batch in its own transaction. Idempotent: a second
    run finds only the kept uploads, and keeps them. Returns (deleted, kept)."""
    deleted = kept = 0
    after = None
    while True:
        with transaction.atomic():
            batch = Upload.objects.select_for_update().filter(owner=user).order_by("pk")
            if after is not None:
                batch = batch.filter(pk__gt=after)
            batch = list(batch[:batch_size])
            if not batch:
                return deleted, kept
            after = batch[-1].pk  # read now: deleting an instance clears its pk
            gone = []
            for upload in batch:
                keys = upload.stored_keys()
                try:
                    with transaction.atomic():
                        upload.delete()
                except ProtectedError:
                    kept += 1
                    continue
                gone.extend(keys)
                deleted += 1
            storage.delete(gone)


@transaction.atomic
def storage_quota_erase_for_user(*, user) -> int:
    """Deletes the storage quota an admin set for `user`. Quotas the user set for others, as an admin,
    stay (`updated_by` then points at the pseudonymised account). Who may call: the platform only (the
    privacy app's erasure job). No lock: one row, deleted whole. Idempotent. Returns how many rows went."""
    deleted, _by_model = StorageQuota.objects.filter(user=user).delete()
    return deleted
