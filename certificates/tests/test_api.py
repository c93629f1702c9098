"""The certificates endpoints for every role: my certificates, download, public verify, and
asking for a missing certificate; plus the refund rule that depends on certificates."""

from decimal import Decimal

import pytest
from django.utils import timezone

from certificates import services
from certificates.models import Certificate, CertificateStatus
from certificates.tests.factories import FAKE_PDF, CertificateFactory, CompletedEnrollmentFactory
from conftest import client_for
from courses.models import Lesson
from courses.services import enrollment_revoke
from courses.tests.factories import EnrollmentFactory, PublishedCourseFactory
from lms.tests.openapi import openapi_schema, schema_errors
from payments.models import Order, OrderStatus

pytestmark = pytest.mark.django_db

MINE = "/api/v1/me/certificates/"


def download_url(certificate) -> str:
    return f"/api/v1/certificates/{certificate.pk}/download/"


def verify_url(code: str) -> str:
    return f"/api/v1/certificates/verify/{code}/"


@pytest.fixture
def certificate(student, instructor):
    course = PublishedCourseFactory(instructor=instructor, title="Testing in Depth")
    return CertificateFactory(enrollment=CompletedEnrollmentFactory(student=student, course=course))


# --- my certificates ------------------------------------------------------------------------------
def test_my_certificates_lists_only_my_own(clients, certificate, other_student):
    theirs = CertificateFactory(enrollment=CompletedEnrollmentFactory(student=other_student))

    response = clients["student"].get(MINE)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    [item] = body["results"]
    assert item["id"] == certificate.pk
    assert item["verification_code"] == certificate.verification_code
    assert item["course"]["id"] == certificate.course_id
    assert item["course"]["title"] == "Testing in Depth"
    assert item["issued_at"]
    assert item["status"] == "issued"
    assert item["download_url"].endswith(download_url(certificate))
    assert item["verify_url"].endswith(verify_url(certificate.verification_code))

    other = clients["other_student"].get(MINE).json()
    assert [c["id"] for c in other["results"]] == [theirs.pk]
    for role in ("instructor", "other_instructor", "admin"):
        assert clients[role].get(MINE).json()["count"] == 0, role
    assert clients["anonymous"].get(MINE).status_code == 401


def test_my_certificates_shows_a_revoked_one_as_revoked(clients, certificate):
    services.certificate_revoke(actor=None, certificate=certificate, reason="Academic misconduct")
    [item] = clients["student"].get(MINE).json()["results"]
    assert item["status"] == "revoked"
    assert item["revoked_reason"] == "Academic misconduct"


# --- download -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("student", 200),
        ("admin", 200),
        ("other_student", 404),
        ("instructor", 404),  # even the course's own instructor
        ("other_instructor", 404),
        ("anonymous", 401),
    ],
)
def test_download_authorization(clients, certificate, role, expected):
    response = clients[role].get(download_url(certificate))
    assert response.status_code == expected
    if expected == 200:
        assert response["Content-Type"] == "application/pdf"
        disposition = response["Content-Disposition"]
        assert disposition.startswith("attachment")
        assert 'filename="' in disposition and ".pdf" in disposition
        assert certificate.verification_code in disposition
        assert b"".join(response.streaming_content) == FAKE_PDF
    else:
        assert response["Content-Type"].startswith("application/json")


@pytest.mark.parametrize("accept", ["application/pdf", "application/pdf, application/json", "*/*"])
def test_download_answers_whatever_the_client_accepts(clients, certificate, accept):
    """The schema declares the PDF as application/pdf and the errors as JSON: a client that says
    it accepts the PDF gets it, and its errors as JSON (not 406 Not Acceptable)."""
    response = clients["student"].get(download_url(certificate), HTTP_ACCEPT=accept)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    missing = clients["student"].get("/api/v1/certificates/987654/download/", HTTP_ACCEPT=accept)
    assert missing.status_code == 404
    assert missing["Content-Type"].startswith("application/json")
    assert missing.json()["detail"]


def test_download_of_an_unknown_certificate_is_404(clients):
    assert clients["admin"].get("/api/v1/certificates/987654/download/").status_code == 404


def test_download_without_a_stored_pdf_is_404(clients, student):
    certificate = CertificateFactory(enrollment=CompletedEnrollmentFactory(student=student), pdf="")
    response = clients["student"].get(download_url(certificate))
    assert response.status_code == 404
    assert "detail" in response.json()


@pytest.mark.parametrize("role", ["student", "admin"])
def test_a_revoked_certificates_pdf_is_served_to_nobody(clients, certificate, role):
    services.certificate_revoke(actor=None, certificate=certificate, reason="Exam taken by someone else")
    response = clients[role].get(download_url(certificate))
    assert response.status_code == 409
    assert response.json()["code"] == "certificate_revoked"
    assert response.json()["revoked_reason"] == "Exam taken by someone else"
    assert "revoked" in response.json()["detail"]


# --- verify ---------------------------------------------------------------------------------------
def test_verify_is_public_and_shows_every_printed_field_but_no_email(clients, certificate, student, instructor):
    for role in ("anonymous", "other_student", "instructor", "admin"):
        response = clients[role].get(verify_url(certificate.verification_code))
        assert response.status_code == 200, role
    body = response.json()
    assert body["valid"] is True
    assert body["status"] == "issued"
    assert body["verification_code"] == certificate.verification_code
    assert body["student_name"] == student.full_name
    assert body["course_title"] == "Testing in Depth"
    assert body["instructor_name"] == instructor.full_name
    assert body["issued_at"]
    assert body["sha256"] == certificate.pdf_sha256
    assert body["version"] == 1
    assert body["revoked_reason"] == ""
    text = response.content.decode()
    assert "@" not in text
    assert student.email not in text and instructor.email not in text


def test_verify_ignores_a_bad_token(certificate):
    api = client_for(None)
    api.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")
    assert api.get(verify_url(certificate.verification_code)).status_code == 200


def test_verify_looks_codes_up_case_insensitively(clients, certificate):
    response = clients["anonymous"].get(verify_url(certificate.verification_code.lower()))
    assert response.status_code == 200
    assert response.json()["verification_code"] == certificate.verification_code


@pytest.mark.parametrize("code", ["NOSUCHCODE234567ABCD", "x", "0" * 32])
def test_verify_of_an_unknown_code_is_404(clients, certificate, code):
    response = clients["anonymous"].get(verify_url(code))
    assert response.status_code == 404
    assert "detail" in response.json()


def test_verify_shows_a_revocation_and_why(clients, certificate):
    services.certificate_revoke(actor=None, certificate=certificate, reason="Exam taken by someone else")
    body = clients["anonymous"].get(verify_url(certificate.verification_code)).json()
    assert body["valid"] is False
    assert body["status"] == "revoked"
    assert body["revoked_reason"] == "Exam taken by someone else"
    assert body["revoked_at"]


def test_verify_shows_a_reissue(clients, certificate, student, django_capture_on_commit_callbacks):
    student.last_name = "Renamed"
    student.save()
    before = clients["anonymous"].get(verify_url(certificate.verification_code)).json()
    assert before["student_name"] != student.full_name  # printed names do not follow a rename

    with django_capture_on_commit_callbacks(execute=True):
        services.certificate_reissue(actor=None, certificate=certificate)

    after = clients["anonymous"].get(verify_url(certificate.verification_code)).json()
    assert after["valid"] is True
    assert after["version"] == 2
    assert after["student_name"] == student.full_name
    assert after["sha256"] != before["sha256"]
    assert after["sha256"] == Certificate.objects.get(pk=certificate.pk).pdf_sha256
    # the download is the new PDF
    response = clients["student"].get(download_url(certificate))
    pdf = b"".join(response.streaming_content)
    assert pdf.startswith(b"%PDF") and pdf != FAKE_PDF


# --- asking for a missing certificate -------------------------------------------------------------
def test_request_for_a_completed_course_queues_the_issue(clients, student, django_capture_on_commit_callbacks):
    enrollment = CompletedEnrollmentFactory(student=student)
    with django_capture_on_commit_callbacks(execute=True):
        response = clients["student"].post(MINE, {"course": enrollment.course_id}, format="json")
    assert response.status_code == 202
    assert response.json()["status"] == "queued"
    assert schema_errors(response.json(), "CertificateQueued") == []
    certificate = Certificate.objects.get(enrollment=enrollment)
    assert certificate.pdf_sha256

    again = clients["student"].post(MINE, {"course": enrollment.course_id}, format="json")
    assert again.status_code == 200
    assert again.json()["id"] == certificate.pk
    assert Certificate.objects.count() == 1


def test_request_when_the_certificate_exists_returns_it(clients, certificate):
    response = clients["student"].post(MINE, {"course": certificate.course_id}, format="json")
    assert response.status_code == 200
    assert response.json()["verification_code"] == certificate.verification_code


def test_request_before_completion_is_400_saying_what_is_missing(clients, student):
    course = PublishedCourseFactory(lessons=3)
    enrollment = EnrollmentFactory(student=student, course=course)
    lesson = Lesson.objects.filter(course=course).first()
    assert clients["student"].post(f"/api/v1/lessons/{lesson.pk}/complete/").status_code == 200

    response = clients["student"].post(MINE, {"course": course.pk}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "not_completed"
    assert "2 of 3 lessons" in body["detail"]
    assert body["progress_percent"] == 33
    assert not Certificate.objects.filter(enrollment=enrollment).exists()


@pytest.mark.parametrize("role", ["other_student", "instructor", "admin"])
def test_request_when_not_enrolled_is_404(clients, certificate, role):
    response = clients[role].post(MINE, {"course": certificate.course_id}, format="json")
    assert response.status_code == 404


def test_request_after_the_enrollment_was_revoked_is_404(clients, student):
    enrollment = CompletedEnrollmentFactory(student=student)
    enrollment_revoke(actor=None, enrollment=enrollment)
    response = clients["student"].post(MINE, {"course": enrollment.course_id}, format="json")
    assert response.status_code == 404
    assert not Certificate.objects.exists()


def test_a_draft_course_and_a_course_that_does_not_exist_get_the_same_answer(clients, other_instructor):
    """No oracle for draft course ids: both are the same 404."""
    from courses.tests.factories import CourseFactory

    draft = CourseFactory(instructor=other_instructor)
    for_draft = clients["student"].post(MINE, {"course": draft.pk}, format="json")
    for_nothing = clients["student"].post(MINE, {"course": draft.pk + 1000}, format="json")
    assert for_draft.status_code == for_nothing.status_code == 404
    assert for_draft.json() == for_nothing.json()


@pytest.mark.parametrize("payload", [{}, {"course": "abc"}, {"course": 0}, {"course": 2**63}])
def test_request_with_bad_input_is_400(clients, payload):
    response = clients["student"].post(MINE, payload, format="json")
    assert response.status_code == 400
    assert "course" in response.json()


def test_request_anonymous_is_401(clients, certificate):
    assert clients["anonymous"].post(MINE, {"course": certificate.course_id}, format="json").status_code == 401


# --- refunds --------------------------------------------------------------------------------------
def paid_order(*, student, course) -> Order:
    return Order.objects.create(
        student=student,
        course=course,
        list_price=Decimal("49.99"),
        amount=Decimal("49.99"),
        currency="USD",
        status=OrderStatus.PAID,
        paid_at=timezone.now(),
    )


def test_the_buyer_cannot_refund_once_a_certificate_exists(clients, certificate, student):
    order = paid_order(student=student, course=certificate.course)
    response = clients["student"].post(f"/api/v1/orders/{order.pk}/refund/")
    assert response.status_code == 403
    assert "certificate" in response.json()["detail"].lower()
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.ISSUED


def test_the_buyer_can_refund_before_a_certificate(clients, student):
    enrollment = EnrollmentFactory(student=student, source="paid")
    order = paid_order(student=student, course=enrollment.course)
    response = clients["student"].post(f"/api/v1/orders/{order.pk}/refund/")
    assert response.status_code == 200
    order.refresh_from_db()
    assert order.status == OrderStatus.REFUNDED


# --- the documented shapes ----------------------------------------------------------------------
def test_the_download_is_documented_as_a_pdf_and_its_errors_as_json():
    responses = openapi_schema()["paths"]["/api/v1/certificates/{id}/download/"]["get"]["responses"]
    assert responses["200"]["content"] == {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}
    for status in ("401", "404", "409", "429"):
        assert set(responses[status]["content"]) == {"application/json"}, status
    assert responses["409"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/CertificateRevokedError"
    }


def test_request_bodies_match_their_documented_shapes(clients, student, certificate):
    issued = clients["student"].post(MINE, {"course": certificate.course_id})
    assert issued.status_code == 200
    assert schema_errors(issued.json(), "Certificate") == []
    course = PublishedCourseFactory(lessons=3)
    EnrollmentFactory(student=student, course=course)
    refused = clients["student"].post(MINE, {"course": course.pk})
    assert refused.status_code == 400
    assert schema_errors(refused.json(), "CertificateRequestError") == []
    assert schema_errors(clients["student"].post(MINE, {"course": "x"}).json(), "CertificateRequestError") == []
    services.certificate_revoke(actor=None, certificate=certificate, reason="Exam taken by someone else")
    revoked = clients["student"].get(download_url(certificate))
    assert revoked.status_code == 409
    assert schema_errors(revoked.json(), "CertificateRevokedError") == []
