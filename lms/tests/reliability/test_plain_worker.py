"""The worker every Celery tutorial starts, `celery -A lms worker` with no `-Q`, does all of the
platform's background work: it consumes every queue jobs are routed to, so a student who completes a
course gets a certificate and an announcement reaches students by e-mail. A worker started with a
subset of the queues leaves jobs waiting, and `doctor` says so, naming the queues.

Real worker processes consume from a Redis of the test's own and write to the test's PostgreSQL
database; e-mail goes over SMTP to a server on loopback."""

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from certificates.models import Certificate, CertificateStatus
from conftest import client_for
from courses.models import Lesson
from courses.tests.factories import EnrollmentFactory, PublishedCourseFactory
from lms.jobs import consumers_by_queue
from reports.tests.test_doctor import diagnose

from .services import stop_process, wait_for

# Upper bounds, not expectations (each step takes a second or two): the suite runs beside this test
# on two busy cores, where a worker process can take a minute to start.
pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

ROUTED = {"default", "emails", "certificates", "media", "webhooks"}


@pytest.fixture
def start_worker(worker_setup, smtp_server, settings, tmp_path):
    """Starts `celery -A lms worker [extra arguments]` as its own process against this test's Redis,
    database, media root and SMTP server; waits until it answers; stops it afterwards."""
    app, media = worker_setup.app, worker_setup.media
    env = worker_setup.env(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST=settings.EMAIL_HOST,
        EMAIL_PORT=str(settings.EMAIL_PORT),
    )
    celery = Path(sys.executable).with_name("celery")
    started: list[subprocess.Popen] = []

    def start(name: str, *extra: str) -> subprocess.Popen:
        log = open(tmp_path / f"{name}.log", "wb")  # noqa: SIM115 (closed with the process below)
        command = [str(celery), "-A", "lms", "worker", "-c", "1", "-n", f"{name}-{os.getpid()}@test", *extra]
        proc = subprocess.Popen(
            command, cwd=django_settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        proc.log = log
        started.append(proc)
        answered = wait_for(lambda: proc.poll() is not None or consumers_by_queue(app, timeout=0.5), timeout=180)
        assert proc.poll() is None and answered, (tmp_path / f"{name}.log").read_text()
        return proc

    start.app = app
    start.media = media
    start.mail = smtp_server
    try:
        yield start
    finally:
        for proc in started:
            stop_process(proc, signal.SIGTERM)
            proc.log.close()


def test_a_plain_worker_issues_certificates_and_emails_announcements(start_worker, student, instructor):
    start_worker("plain")  # no -Q
    assert set(consumers_by_queue(start_worker.app)) == ROUTED

    checks, failed = diagnose("--check", "broker")
    assert not failed, checks
    assert checks["broker.workers"][0] == "OK" and "certificates, default, emails" in checks["broker.workers"][1]

    course = PublishedCourseFactory(instructor=instructor, lessons=1, title="Queues Explained")
    enrollment = EnrollmentFactory(student=student, course=course)
    lesson = Lesson.objects.get(course=course)
    assert client_for(student).post(f"/api/v1/lessons/{lesson.pk}/complete/").status_code == 200
    response = client_for(instructor).post(
        f"/api/v1/courses/{course.pk}/announcements/", {"title": "Office hours moved", "body": "Thursday at 5."}
    )
    assert response.status_code == 202, response.json()  # accepted: delivered by the worker

    certificate = wait_for(
        lambda: Certificate.objects.filter(enrollment=enrollment, status=CertificateStatus.ISSUED).first(), timeout=180
    )
    assert certificate is not None, "the plain worker never issued the certificate"
    pdf = (start_worker.media / certificate.pdf.name).read_bytes()
    assert pdf.startswith(b"%PDF")

    def announced():
        return [m for m in start_worker.mail if student.email in m["To"] and "Office hours moved" in m["Subject"]]

    assert wait_for(announced, timeout=180), [m["Subject"] for m in start_worker.mail]


def test_doctor_fails_naming_the_queues_a_worker_with_a_subset_leaves_unread(start_worker):
    start_worker("partial", "-Q", "default")
    assert set(consumers_by_queue(start_worker.app)) == {"default"}

    checks, failed = diagnose("--check", "broker")
    assert failed
    status, text = checks["broker.workers"]
    assert status == "FAIL"
    assert "no live worker consumes certificates (certificate_issue_task" in text
    assert "emails (" in text and "default (" not in text
