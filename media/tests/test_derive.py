"""Derived files, made in the background after completion: cover variants (thumb, card) and an avatar
thumbnail in WebP and JPEG, a video's poster frame. Made once, even when completes or jobs run
together; a derivation cut short (a worker killed, a storage error) is found by the sweeper and made
again, whole."""

import io
import threading
import time
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone
from PIL import Image

from conftest import client_for
from lms.testing import run_together
from media import services, storage, tasks
from media.models import Upload, UploadStatus

from . import helpers

pytestmark = pytest.mark.django_db

COVER_FILES = {"cover.jpg", "thumb.webp", "thumb.jpg", "card.webp", "card.jpg"}


def _ready(user, *, purpose="course_cover", filename="cover.jpg", content_type="image/jpeg", data=None) -> Upload:
    """A completed upload whose derivation has not run (its job is queued on commit, which the
    test's transaction never reaches)."""
    data = helpers.jpeg() if data is None else data
    response = helpers.upload(client_for(user), purpose=purpose, filename=filename, content_type=content_type,
                              data=data)  # fmt: skip
    assert response.status_code == 200, response.json()
    upload = Upload.objects.get(pk=response.json()["id"])
    assert upload.derived_at is None
    return upload


def _files(upload) -> set[str]:
    prefix = f"public/{upload.pk}/" if upload.is_public else f"private/{upload.pk}/"
    return {name.removeprefix(prefix) for name in helpers.stored_names() if name.startswith(prefix)}


def _size(name: str, fmt: str) -> tuple[int, int]:
    with Image.open(io.BytesIO(helpers.read_stored(name))) as img:
        assert img.format == fmt
        return img.size


def test_a_cover_gets_a_thumb_and_a_card_in_webp_and_jpeg(instructor):
    upload = services.upload_derive(upload_id=_ready(instructor, data=helpers.jpeg((1600, 1000))).pk)
    assert upload.derived_at is not None
    assert _files(upload) == COVER_FILES
    folder = f"public/{upload.pk}"
    for name, size in (("thumb", (400, 225)), ("card", (800, 450))):
        assert upload.variants[name] == {
            "width": size[0],
            "height": size[1],
            "webp": f"{folder}/{name}.webp",
            "jpeg": f"{folder}/{name}.jpg",
        }
        assert _size(f"{folder}/{name}.webp", "WEBP") == size
        assert _size(f"{folder}/{name}.jpg", "JPEG") == size


def test_a_small_avatar_is_not_upscaled_and_a_transparent_one_turns_white(student):
    upload = _ready(student, purpose="avatar", filename="me.png", content_type="image/png", data=helpers.png((90, 90)))
    upload = services.upload_derive(upload_id=upload.pk)
    assert _files(upload) == {"me.png", "thumb.webp", "thumb.jpg"}
    assert (upload.variants["thumb"]["width"], upload.variants["thumb"]["height"]) == (90, 90)
    assert _size(upload.variants["thumb"]["jpeg"], "JPEG") == (90, 90)


def test_a_video_gets_its_poster(instructor, mp4):
    upload = _ready(instructor, purpose="lesson_video", filename="v.mp4", content_type="video/mp4", data=mp4)
    upload = services.upload_derive(upload_id=upload.pk)
    assert _files(upload) == {"v.mp4", "poster.jpg"}
    assert upload.variants == {"poster": {"jpeg": f"private/{upload.pk}/poster.jpg", "width": 160, "height": 120}}
    assert _size(f"private/{upload.pk}/poster.jpg", "JPEG") == (160, 120)


def test_deriving_again_does_nothing(instructor, count_puts):
    upload = _ready(instructor)
    count_puts.clear()
    assert services.upload_derive(upload_id=upload.pk) is not None
    assert len(count_puts) == 4
    derived_at = Upload.objects.get(pk=upload.pk).derived_at
    assert services.upload_derive(upload_id=upload.pk) is None
    assert len(count_puts) == 4
    assert Upload.objects.get(pk=upload.pk).derived_at == derived_at


def test_nothing_is_derived_for_documents_or_unready_uploads(instructor, count_puts):
    doc = _ready(
        instructor, purpose="lesson_attachment", filename="a.txt", content_type="text/plain", data=helpers.TEXT
    )
    pending = helpers.ask(client_for(instructor), purpose="course_cover", filename="c.jpg", content_type="image/jpeg",
                          size=10).json()  # fmt: skip
    count_puts.clear()
    assert services.upload_derive(upload_id=doc.pk) is None
    assert services.upload_derive(upload_id=pending["id"]) is None
    assert count_puts == []


def test_completing_queues_the_derivation_after_commit(instructor, django_capture_on_commit_callbacks):
    client = client_for(instructor)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = helpers.upload(client, purpose="course_cover", filename="cover.jpg", content_type="image/jpeg",
                                  data=helpers.jpeg())  # fmt: skip
    upload = Upload.objects.get(pk=response.json()["id"])
    assert upload.derived_at is None and len(callbacks) == 1
    callbacks[0]()
    upload.refresh_from_db()
    assert upload.derived_at is not None and _files(upload) == COVER_FILES


def test_the_derive_task_runs_and_is_idempotent(instructor):
    upload = _ready(instructor)
    assert tasks.upload_derive_task.delay(str(upload.pk)).get() is True
    assert tasks.upload_derive_task.delay(str(upload.pk)).get() is False
    assert _files(upload) == COVER_FILES
    assert tasks.upload_derive_task.delay("00000000-0000-0000-0000-000000000000").get() is False


# --- cut short, and swept ---------------------------------------------------------------------------
def test_a_derivation_cut_short_is_swept_and_made_again_whole(
    instructor, monkeypatch, count_puts, django_capture_on_commit_callbacks
):
    upload = _ready(instructor)
    count_puts.clear()
    real_put = storage.put_file

    def dies_after_the_first_file(name, path, **kwargs):
        if count_puts:
            raise OSError("worker killed")
        return real_put(name, path, **kwargs)

    monkeypatch.setattr(storage, "put_file", dies_after_the_first_file)
    with pytest.raises(OSError, match="worker killed"):
        services.upload_derive(upload_id=upload.pk)
    monkeypatch.undo()
    upload.refresh_from_db()
    assert upload.derived_at is None and upload.variants == {}
    assert _files(upload) == {"cover.jpg", "thumb.webp"}  # what the killed run left

    # The sweeper leaves recent completions to their own job ...
    assert services.uploads_derive_missing(completed_before=upload.completed_at) == 0
    # ... and queues older ones again, which makes the whole set, each file once.
    written = []
    monkeypatch.setattr(
        storage, "put_file", lambda name, path, **kw: (written.append(name), real_put(name, path, **kw))
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert services.uploads_derive_missing(completed_before=timezone.now() + timedelta(minutes=1)) == 1
    upload.refresh_from_db()
    assert upload.derived_at is not None and _files(upload) == COVER_FILES
    assert sorted(written) == sorted(f"public/{upload.pk}/{n}" for n in COVER_FILES - {"cover.jpg"})
    with django_capture_on_commit_callbacks(execute=True):
        assert services.uploads_derive_missing(completed_before=timezone.now() + timedelta(minutes=1)) == 0


def test_the_periodic_sweep_task_queues_only_old_lost_derivations(instructor, django_capture_on_commit_callbacks):
    recent, lost = _ready(instructor), _ready(instructor)
    Upload.objects.filter(pk=lost.pk).update(
        completed_at=timezone.now() - timedelta(minutes=tasks.MISSING_AFTER_MINUTES + 1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.uploads_derive_missing_task.delay().get() == 1
    assert Upload.objects.get(pk=lost.pk).derived_at is not None
    assert Upload.objects.get(pk=recent.pk).derived_at is None
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.uploads_derive_missing_task.delay().get() == 0


# --- together (PostgreSQL) ----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_derived_files_are_made_once_under_concurrent_completes(postgres, instructor, monkeypatch, count_puts):
    """Several completes of one upload at once (a client retrying): one checks it, the others wait
    for it and answer the same; the derivation (run inline after commit here) happens once."""
    client = client_for(instructor)
    data = helpers.jpeg()
    created = helpers.ask(
        client, purpose="course_cover", filename="cover.jpg", content_type="image/jpeg", size=len(data)
    )
    assert helpers.send(client, created.json(), data) == 200
    count_puts.clear()  # the bytes the client sent
    runs = []
    real_derive = services.upload_derive
    monkeypatch.setattr(services, "upload_derive", lambda **kw: runs.append(real_derive(**kw)) or runs[-1])

    results = run_together(
        [lambda: services.upload_complete(actor=instructor, upload_id=created.json()["id"]) for _ in range(4)]
    )
    assert all(isinstance(r, Upload) and r.status == UploadStatus.READY for r in results), results
    assert sum(run is not None for run in runs) == 1, runs
    upload = Upload.objects.get(pk=created.json()["id"])
    assert upload.derived_at is not None and _files(upload) == COVER_FILES
    # The cleaned original once, and each of the four derived files once.
    assert sorted(count_puts) == sorted(f"public/{upload.pk}/{n}" for n in COVER_FILES)


@pytest.mark.django_db(transaction=True)
def test_derivation_jobs_run_together_make_the_files_once(postgres, instructor, count_puts):
    """Duplicate jobs (a redelivery, the sweeper racing the first job): one derives, the others skip
    the upload it holds or find it done."""
    data = helpers.jpeg()
    response = helpers.upload(client_for(instructor), purpose="course_cover", filename="cover.jpg",
                              content_type="image/jpeg", data=data)  # fmt: skip
    upload = Upload.objects.get(pk=response.json()["id"])
    Upload.objects.filter(pk=upload.pk).update(derived_at=None, variants={})  # its own job not run yet
    count_puts.clear()
    for name in COVER_FILES - {"cover.jpg"}:
        storage.delete([f"public/{upload.pk}/{name}"])

    results = run_together([lambda: services.upload_derive(upload_id=upload.pk) for _ in range(6)])
    assert not any(isinstance(r, BaseException) for r in results), results
    assert sum(r is not None for r in results) == 1
    assert len(count_puts) == 4
    assert _files(upload) == COVER_FILES


@pytest.mark.django_db(transaction=True)
def test_a_derivation_is_not_dropped_while_the_upload_is_being_attached(postgres, instructor):
    """The instructor attaches the cover as soon as it is complete: the attach holds the upload's row
    while the derivation job starts. The job must derive once the attach commits (or retry), not
    skip the upload as if another derivation held it."""
    response = helpers.upload(client_for(instructor), purpose="course_cover", filename="cover.jpg",
                              content_type="image/jpeg", data=helpers.jpeg())  # fmt: skip
    upload = Upload.objects.get(pk=response.json()["id"])
    Upload.objects.filter(pk=upload.pk).update(derived_at=None, variants={})  # as if its job had not run yet
    attaching, done = threading.Event(), threading.Event()

    def attach():
        try:
            with transaction.atomic():
                services.upload_attach(actor=instructor, upload_id=upload.pk, purposes="course_cover", field="cover")
                attaching.set()
                time.sleep(0.5)
        finally:
            connection.close()
            done.set()

    thread = threading.Thread(target=attach)
    thread.start()
    assert attaching.wait(10)
    result = services.upload_derive(upload_id=upload.pk)
    thread.join(10)
    upload.refresh_from_db()
    assert upload.attached_at is not None
    assert result is not None and upload.derived_at is not None
