"""A Celery worker killed in the middle of deriving a cover's variants (the OOM killer, a node lost).

Real `celery -A lms worker` processes consume the `media` queue from a Redis of the test's own and
share its PostgreSQL database and media root; their first derivation sleeps (slow_worker.py, with
LMS_FAULT_SLOWED) so the test can SIGKILL them at a known point. Either way the variants end up made
exactly once, and the upload records them."""

import os
import signal

import pytest

from conftest import client_for
from media.models import Upload
from media.tasks import uploads_derive_missing_task
from media.tests import helpers

from .services import slow_workers, wait_for

pytestmark = [pytest.mark.fault, pytest.mark.django_db(transaction=True)]

VARIANTS = {"thumb.webp", "thumb.jpg", "card.webp", "card.jpg"}


@pytest.fixture
def workers(worker_setup, tmp_path):
    with slow_workers(
        worker_setup, tmp_path, LMS_FAULT_SLOWED="media.imaging:image_variants", LMS_FAULT_RENDER_DELAY="60"
    ) as start:
        yield start


def upload_cover(instructor) -> Upload:
    """The three steps through the API: completing queues the derivation job on the broker."""
    response = helpers.upload(
        client_for(instructor), purpose="course_cover", filename="cover.jpg", content_type="image/jpeg",
        data=helpers.jpeg(),
    )  # fmt: skip
    assert response.status_code == 200, response.json()
    return Upload.objects.get(pk=response.json()["id"])


def slowed_pid(workers) -> int:
    slowed = workers.markers / "slowed"
    assert wait_for(slowed.exists, timeout=60), "no worker started deriving"
    return int(slowed.read_text())


def derivations(workers) -> int:
    return len(list(workers.markers.glob("render-*")))


def assert_derived_once(upload: Upload, media) -> None:
    done = wait_for(lambda: Upload.objects.filter(pk=upload.pk, derived_at__isnull=False).first(), timeout=60)
    assert done is not None, "the variants were never made"
    folder = media / "public" / str(upload.pk)
    assert {p.name for p in folder.iterdir()} == {"cover.jpg", *VARIANTS}
    assert set(done.variants) == {"thumb", "card"}


def test_pool_process_killed_mid_derivation_the_job_is_redelivered(workers, instructor):
    worker = workers("w1")
    upload = upload_cover(instructor)

    os.kill(slowed_pid(workers), signal.SIGKILL)

    assert_derived_once(upload, workers.media)
    assert derivations(workers) == 2
    assert worker.poll() is None


def test_worker_killed_mid_derivation_the_sweep_derives_on_a_new_worker(workers, instructor):
    first = workers("w1")
    upload = upload_cover(instructor)
    slowed_pid(workers)

    os.killpg(first.pid, signal.SIGKILL)
    first.wait(timeout=10)
    assert Upload.objects.get(pk=upload.pk).derived_at is None

    workers("w2")
    uploads_derive_missing_task.apply_async(kwargs={"older_than_minutes": 0})
    assert_derived_once(upload, workers.media)
    assert derivations(workers) == 2
