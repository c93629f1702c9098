"""A refund racing the certificate of the same enrollment, on PostgreSQL, forced into each order:
the refund takes the enrollment's row lock before it checks for a certificate and keeps it through
the call to Stripe; certificate_issue takes the same lock. So either the refund comes first (the
enrollment is revoked and no certificate is issued for it) or the certificate does (the buyer's
refund is refused; an admin's refund, or Stripe's charge.refunded, revokes it). Never a valid
certificate for a refunded course."""

import threading

import pytest
from django.db import connection, transaction
from django.utils import timezone
from stripe._refund_service import RefundService

from certificates.models import Certificate, CertificateStatus
from certificates.services import certificate_issue
from courses.models import Enrollment
from courses.tests.factories import PublishedCourseFactory
from lms.errors import NotPermitted
from lms.testing import wait_for_a_lock_waiter
from payments import services
from payments.models import Order

from .helpers import buy_through_emulator, refunded_in_stripe

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def bought(postgres, stripe_emulator, student):
    """A course bought through the emulator and completed (its certificate not issued yet)."""
    order = buy_through_emulator(student, PublishedCourseFactory(price="49.99"))
    enrollment = Enrollment.objects.get(student=student, course=order.course)
    Enrollment.objects.filter(pk=enrollment.pk).update(completed_at=timezone.now())
    return order, enrollment


def in_thread(results: dict, name: str, call) -> threading.Thread:
    """Runs `call` in a thread of its own (its own connection); its result or exception lands in
    results[name]."""

    def run():
        try:
            results[name] = call()
        except BaseException as exc:  # checked by the test
            results[name] = exc
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


@pytest.mark.parametrize("who", ["buyer", "admin"])
def test_a_certificate_job_during_the_refunds_call_to_stripe_issues_nothing(
    bought, monkeypatch, student, admin_user, who
):
    order, enrollment = bought
    in_stripe, release = threading.Event(), threading.Event()
    refund_at_stripe = RefundService.create

    def slow_refund(self, *args, **kwargs):  # Stripe takes its time answering
        in_stripe.set()
        release.wait(timeout=20)
        return refund_at_stripe(self, *args, **kwargs)

    monkeypatch.setattr(RefundService, "create", slow_refund)
    actor = student if who == "buyer" else admin_user
    results: dict = {}
    refunder = in_thread(results, "refund", lambda: services.order_refund(order=order, actor=actor))
    assert in_stripe.wait(timeout=10)
    issuer = in_thread(results, "issue", lambda: certificate_issue(enrollment_id=enrollment.pk))
    waited = wait_for_a_lock_waiter(timeout=5)
    release.set()
    refunder.join(timeout=30)
    issuer.join(timeout=30)

    assert waited, "the certificate job should wait for the refund's lock on the enrollment"
    assert isinstance(results["refund"], Order), results["refund"]
    assert results["issue"] is None, results["issue"]
    assert Order.objects.get(pk=order.pk).status == "refunded"
    assert Enrollment.objects.get(pk=enrollment.pk).status == "revoked"
    assert not Certificate.objects.filter(enrollment=enrollment).exists()


@pytest.mark.parametrize("who", ["buyer", "admin", "stripe"])
def test_a_refund_while_the_certificate_is_being_issued_waits_for_it(bought, student, admin_user, who):
    order, enrollment = bought
    # Stripe's charge.refunded for a refund made at Stripe (built before the race starts).
    stripe_event = refunded_in_stripe(order) if who == "stripe" else None
    issued, release = threading.Event(), threading.Event()

    def issue_and_hold():
        with transaction.atomic():
            certificate = certificate_issue(enrollment_id=enrollment.pk)
            issued.set()
            release.wait(timeout=20)
        return certificate

    def refund():
        if who == "stripe":
            obj = stripe_event["data"]["object"]
            return services.webhook_event_process(event_id=stripe_event["id"], event_type=stripe_event["type"], obj=obj)
        return services.order_refund(order=order, actor=student if who == "buyer" else admin_user)

    results: dict = {}
    issuer = in_thread(results, "issue", issue_and_hold)
    assert issued.wait(timeout=30)
    refunder = in_thread(results, "refund", refund)
    waited = wait_for_a_lock_waiter(timeout=10)
    release.set()
    issuer.join(timeout=30)
    refunder.join(timeout=30)

    assert waited, "the refund should wait for the certificate job's lock on the enrollment"
    certificate = Certificate.objects.get(enrollment=enrollment)
    assert results["issue"].pk == certificate.pk
    if who == "buyer":
        assert isinstance(results["refund"], NotPermitted), results["refund"]
        assert "certificate" in results["refund"].message
        assert certificate.status == CertificateStatus.ISSUED
        assert Order.objects.get(pk=order.pk).status == "paid"
        assert Enrollment.objects.get(pk=enrollment.pk).status == "active"
    else:
        assert not isinstance(results["refund"], BaseException), results["refund"]
        assert (certificate.status, certificate.revoked_reason) == (CertificateStatus.REVOKED, "refunded")
        assert Order.objects.get(pk=order.pk).status == "refunded"
        assert Enrollment.objects.get(pk=enrollment.pk).status == "revoked"


def test_a_refunds_call_to_stripe_holds_up_nobody_else_in_the_course(bought, monkeypatch, admin_user):
    """The refund locks the order and the buyer's enrollment, not the course or the buyer's user
    row: meanwhile another student is enrolled in the course (its enrollment_count updated, and
    PostgreSQL's commit-time foreign key checks on the course) without waiting for Stripe."""
    from accounts.tests.factories import StudentFactory
    from courses.services import enrollment_create

    order, _ = bought
    other = StudentFactory()
    in_stripe, release = threading.Event(), threading.Event()
    refund_at_stripe = RefundService.create

    def slow_refund(self, *args, **kwargs):
        in_stripe.set()
        release.wait(timeout=20)
        return refund_at_stripe(self, *args, **kwargs)

    monkeypatch.setattr(RefundService, "create", slow_refund)
    results: dict = {}
    refunder = in_thread(results, "refund", lambda: services.order_refund(order=order, actor=admin_user))
    try:
        assert in_stripe.wait(timeout=10)
        enroller = in_thread(
            results, "enroll", lambda: enrollment_create(student=other, course=order.course, source="admin")
        )
        enroller.join(timeout=10)
        finished_meanwhile = not enroller.is_alive()
    finally:
        release.set()
    refunder.join(timeout=30)
    enroller.join(timeout=30)

    assert finished_meanwhile, "enrolling another student waited for the refund's call to Stripe"
    assert isinstance(results["enroll"], Enrollment) and isinstance(results["refund"], Order), results
    order.course.refresh_from_db()
    assert order.course.enrollment_count == 1  # the other student; the buyer's was revoked
