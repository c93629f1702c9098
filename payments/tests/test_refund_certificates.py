"""A refund ends the certificate with the access: whichever path refunds a paid order after the
course was completed (an admin through the API or the admin action, or Stripe's charge.refunded),
the certificate is revoked with the reason "refunded": verify says so and the PDF is no longer
served. The buyer's own refund stays refused once a valid certificate exists."""

from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.utils import timezone

from certificates import services as certificates
from certificates.models import Certificate, CertificateStatus
from conftest import client_for
from courses.models import Enrollment
from courses.tests.factories import PublishedCourseFactory
from notifications.models import Notification
from payments.models import Order

from .helpers import buy_through_emulator, deliver, refunded_in_stripe

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(instructor):
    return PublishedCourseFactory(price=Decimal("49.99"), instructor=instructor)


def complete_and_certify(order: Order) -> Certificate:
    """The buyer completed the course and the issue job ran (a real PDF)."""
    enrollment = Enrollment.objects.get(student=order.student, course=order.course, status="active")
    Enrollment.objects.filter(pk=enrollment.pk).update(completed_at=timezone.now())
    certificate = certificates.certificate_issue(enrollment_id=enrollment.pk)
    assert certificate is not None and certificate.pdf
    return certificate


def assert_revoked_for_the_refund(certificate: Certificate, owner) -> None:
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.REVOKED
    assert certificate.revoked_reason == "refunded" and certificate.revoked_at is not None
    verified = client_for(None).get(f"/api/v1/certificates/verify/{certificate.verification_code}/")
    assert verified.status_code == 200
    assert verified.json()["valid"] is False
    assert verified.json()["status"] == "revoked"
    assert verified.json()["revoked_reason"] == "refunded"
    download = client_for(owner).get(f"/api/v1/certificates/{certificate.pk}/download/")
    assert download.status_code == 409
    assert download.json()["code"] == "certificate_revoked"
    assert download.json()["revoked_reason"] == "refunded"


def test_an_admin_refund_after_the_certificate_revokes_it(stripe_emulator, clients, student, course):
    order = buy_through_emulator(student, course)
    certificate = complete_and_certify(order)
    assert client_for(student).get(f"/api/v1/certificates/{certificate.pk}/download/").status_code == 200

    response = clients["admin"].post(f"/api/v1/orders/{order.pk}/refund/")

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "refunded"
    assert Enrollment.objects.get(pk=certificate.enrollment_id).status == "revoked"
    assert_revoked_for_the_refund(certificate, student)
    # the same answer for the admin: a revoked certificate's PDF is served to nobody
    assert clients["admin"].get(f"/api/v1/certificates/{certificate.pk}/download/").status_code == 409
    refund_notice = Notification.objects.get(recipient=student, type="payment_refunded")
    assert "certificate" in refund_notice.body


def test_the_admin_refund_action_revokes_the_certificate_too(stripe_emulator, admin_user, student, course):
    order = buy_through_emulator(student, course)
    certificate = complete_and_certify(order)
    staff = Client()
    staff.force_login(admin_user)

    response = staff.post("/admin/payments/order/", {"action": "refund", "_selected_action": [str(order.pk)]})

    assert response.status_code == 302
    assert "1 order refunded." in [str(m) for m in get_messages(response.wsgi_request)]
    assert_revoked_for_the_refund(certificate, student)


def test_the_buyer_still_cannot_refund_once_the_certificate_exists(stripe_emulator, student, course):
    order = buy_through_emulator(student, course)
    certificate = complete_and_certify(order)

    response = client_for(student).post(f"/api/v1/orders/{order.pk}/refund/")

    assert response.status_code == 403
    assert "certificate" in response.json()["detail"]
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.ISSUED
    assert Order.objects.get(pk=order.pk).status == "paid"


def test_a_refund_made_at_stripe_revokes_the_certificate(stripe_emulator, student, course):
    order = buy_through_emulator(student, course)
    certificate = complete_and_certify(order)

    reply = deliver(refunded_in_stripe(order))

    assert reply.status_code == 200, reply.content
    assert reply.json()["outcome"] == "refunded"
    assert Order.objects.get(pk=order.pk).status == "refunded"
    assert Enrollment.objects.get(pk=certificate.enrollment_id).status == "revoked"
    assert_revoked_for_the_refund(certificate, student)


def test_a_certificate_revoked_for_another_reason_keeps_its_reason(stripe_emulator, clients, student, course):
    order = buy_through_emulator(student, course)
    certificate = complete_and_certify(order)
    certificates.certificate_revoke(actor=None, certificate=certificate, reason="Exam taken by someone else")

    assert clients["admin"].post(f"/api/v1/orders/{order.pk}/refund/").status_code == 200

    certificate.refresh_from_db()
    assert certificate.revoked_reason == "Exam taken by someone else"


def test_a_refund_leaves_other_courses_certificates_alone(stripe_emulator, clients, student, course):
    other = complete_and_certify(buy_through_emulator(student, PublishedCourseFactory(price=Decimal("19.00"))))
    order = buy_through_emulator(student, course)
    complete_and_certify(order)

    assert clients["admin"].post(f"/api/v1/orders/{order.pk}/refund/").status_code == 200

    other.refresh_from_db()
    assert other.status == CertificateStatus.ISSUED
