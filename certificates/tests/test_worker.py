"""The real thing: completing a course queues the issue job on Redis, a real Celery worker takes
it and renders the PDF, which reads back with the right names and a QR code of the verify URL."""

import hashlib
import time
from urllib.parse import urlsplit

import pytest

from certificates.models import Certificate
from certificates.tasks import certificate_issue_task
from certificates.tests.helpers import pdf_qr_codes, pdf_text
from conftest import client_for
from courses.models import Lesson
from courses.tests.factories import EnrollmentFactory, PublishedCourseFactory
from notifications.models import Notification

pytestmark = [pytest.mark.worker, pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def wait_for(predicate, timeout: float = 20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(0.1)
    return predicate()


def test_a_worker_issues_a_real_pdf_from_the_redis_queue(celery_worker, student, instructor, anon_client):
    course = PublishedCourseFactory(instructor=instructor, lessons=2, title="Distributed Systems Basics")
    enrollment = EnrollmentFactory(student=student, course=course)
    first, last = Lesson.objects.filter(course=course).order_by("pk")
    api = client_for(student)
    assert api.post(f"/api/v1/lessons/{first.pk}/complete/").status_code == 200
    assert not Certificate.objects.filter(enrollment=enrollment).exists()

    assert api.post(f"/api/v1/lessons/{last.pk}/complete/").status_code == 200

    certificate = wait_for(lambda: Certificate.objects.filter(enrollment=enrollment).first())
    assert certificate is not None, "the worker did not issue the certificate within 20 s"
    with certificate.pdf.open("rb") as f:
        pdf = f.read()
    assert pdf.startswith(b"%PDF")
    assert hashlib.sha256(pdf).hexdigest() == certificate.pdf_sha256
    text = pdf_text(pdf)
    assert student.full_name in text
    assert "Distributed Systems Basics" in text
    assert instructor.full_name in text
    assert certificate.verification_code in text
    assert student.email not in text

    [qr] = pdf_qr_codes(pdf)
    listing = api.get("/api/v1/me/certificates/").json()
    assert listing["results"][0]["verify_url"] == qr
    assert certificate.verification_code in qr
    verify = anon_client.get(urlsplit(qr).path)
    assert verify.status_code == 200
    assert verify.json()["valid"] is True
    assert verify.json()["sha256"] == certificate.pdf_sha256

    # The same job through the broker a second time: a no-op returning the same certificate.
    assert certificate_issue_task.delay(enrollment.pk).get(timeout=20) == certificate.pk
    assert Certificate.objects.filter(enrollment=enrollment).count() == 1
    assert Notification.objects.filter(recipient=student, type="certificate_issued").count() == 1
