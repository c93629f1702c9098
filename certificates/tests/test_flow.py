"""Completing a course issues a real PDF certificate that anyone can verify."""

import pytest

from certificates.models import Certificate
from certificates.tests.helpers import pdf_qr_codes, pdf_text
from courses.models import Lesson
from courses.tests.factories import EnrollmentFactory, PublishedCourseFactory

pytestmark = pytest.mark.django_db


def test_completing_the_last_lesson_issues_a_verifiable_certificate(
    clients, student, instructor, django_capture_on_commit_callbacks
):
    course = PublishedCourseFactory(instructor=instructor, lessons=2, title="Practical Django")
    EnrollmentFactory(student=student, course=course)
    lessons = list(Lesson.objects.filter(course=course))
    api = clients["student"]
    api.post(f"/api/v1/lessons/{lessons[0].pk}/complete/")
    assert api.get("/api/v1/me/certificates/").json()["count"] == 0

    with django_capture_on_commit_callbacks(execute=True):
        assert api.post(f"/api/v1/lessons/{lessons[1].pk}/complete/").status_code == 200

    listing = api.get("/api/v1/me/certificates/").json()
    assert listing["count"] == 1
    mine = listing["results"][0]
    code = mine["verification_code"]
    download = api.get(mine["download_url"])
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert "attachment" in download["Content-Disposition"] and code in download["Content-Disposition"]
    pdf = b"".join(download.streaming_content)
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf)
    assert student.full_name in text and "Practical Django" in text and code in text
    assert instructor.full_name in text
    assert pdf_qr_codes(pdf) == [mine["verify_url"]]

    verify = clients["anonymous"].get(f"/api/v1/certificates/verify/{code}/")
    assert verify.status_code == 200
    body = verify.json()
    assert body["valid"] is True
    assert body["student_name"] == student.full_name
    assert body["sha256"] == Certificate.objects.get(verification_code=code).pdf_sha256
    assert student.email not in verify.content.decode()
