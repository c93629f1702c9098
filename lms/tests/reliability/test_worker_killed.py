"""A Celery worker killed in the middle of issuing a certificate (the OOM killer, a node lost).

Real `celery -A lms worker` processes (prefork, acks late, reject on worker lost, prefetch 1, as
configured in settings) consume from a Redis of the test's own and write to the test's PostgreSQL
database; their first certificate rendering sleeps (see slow_worker.py) so the test can SIGKILL them
at a known point. Either way the certificate ends up issued exactly once: one row, one PDF file."""

import hashlib
import os
import signal
from pathlib import Path

import kombu
import pytest
import redis

from certificates.models import Certificate
from certificates.tasks import certificates_issue_missing_task
from conftest import client_for
from courses.models import Lesson
from courses.tests.factories import EnrollmentFactory, PublishedCourseFactory

from .services import slow_workers, wait_for

pytestmark = [pytest.mark.fault, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def workers(worker_setup, tmp_path):
    """Real worker processes against this test's Redis and database (committed data: the test runs
    with transaction=True), whose first certificate rendering sleeps a minute."""
    with slow_workers(
        worker_setup,
        tmp_path,
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        LMS_FAULT_RENDER_DELAY="60",
    ) as start:
        yield start


def complete_course(student, instructor):
    """The student completes a course through the API: the issue job goes to the broker."""
    course = PublishedCourseFactory(instructor=instructor, lessons=1, title="Crash-Only Software")
    enrollment = EnrollmentFactory(student=student, course=course)
    lesson = Lesson.objects.get(course=course)
    assert client_for(student).post(f"/api/v1/lessons/{lesson.pk}/complete/").status_code == 200
    return enrollment


def slowed_pid(workers) -> int:
    """The pid of the pool process that has started rendering (and now sleeps)."""
    slowed = workers.markers / "slowed"
    assert wait_for(slowed.exists, timeout=60), "no worker started rendering the certificate"
    return int(slowed.read_text())


def renderings(workers) -> int:
    return len(list(workers.markers.glob("render-*")))


def assert_issued_once(enrollment, media: Path) -> Certificate:
    certificate = wait_for(lambda: Certificate.objects.filter(enrollment=enrollment).first(), timeout=60)
    assert certificate is not None, "the certificate was never issued"
    assert Certificate.objects.filter(enrollment=enrollment).count() == 1
    files = list((media / "certificates").iterdir())
    assert [f.name for f in files] == [Path(certificate.pdf.name).name]
    pdf = files[0].read_bytes()
    assert pdf.startswith(b"%PDF") and b"%%EOF" in pdf[-1024:]
    assert hashlib.sha256(pdf).hexdigest() == certificate.pdf_sha256
    return certificate


def test_pool_process_killed_mid_task_the_job_is_redelivered_and_issues_once(workers, student, instructor):
    worker = workers("w1")
    enrollment = complete_course(student, instructor)

    os.kill(slowed_pid(workers), signal.SIGKILL)  # the process running the job dies, not the worker

    # acks_late + reject_on_worker_lost: the job goes back to the queue and runs again at once.
    assert_issued_once(enrollment, workers.media)
    assert renderings(workers) == 2
    assert worker.poll() is None


def test_worker_killed_mid_task_a_new_worker_and_the_sweep_issue_once(workers, own_redis, student, instructor):
    first = workers("w1")
    enrollment = complete_course(student, instructor)
    slowed_pid(workers)

    os.killpg(first.pid, signal.SIGKILL)  # the whole worker: main process and pool
    first.wait(timeout=10)
    assert not Certificate.objects.filter(enrollment=enrollment).exists()
    broker = redis.Redis.from_url(own_redis.url)
    assert broker.hlen("unacked") == 1  # the job died unacknowledged, with its worker

    # Redis hands an unacknowledged job out again only after the visibility timeout (an hour by
    # default): meanwhile beat's periodic sweep issues the certificate on the new worker.
    workers("w2")
    certificates_issue_missing_task.apply_async(kwargs={"older_than_minutes": 0})
    assert_issued_once(enrollment, workers.media)
    assert wait_for(lambda: broker.hlen("unacked") == 1 and broker.llen("certificates") == 0, timeout=30)

    # Then the visibility timeout passes: Redis redelivers the dead worker's job, which does nothing.
    with kombu.Connection(own_redis.url, transport_options={"visibility_timeout": 0}) as conn:
        conn.default_channel.qos.restore_visible(num=10)
    assert wait_for(lambda: broker.hlen("unacked") == 0 and broker.llen("certificates") == 0, timeout=30)
    assert_issued_once(enrollment, workers.media)
    assert renderings(workers) == 2  # the killed attempt and the sweep's: the redelivered job rendered nothing
