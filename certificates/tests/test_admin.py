"""The staff dashboard: the changelist and change page load, and the revoke (with a reason typed
next to the action) and re-issue actions work through the services."""

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from certificates.models import CertificateStatus
from certificates.tests.factories import CertificateFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:certificates_certificate_changelist")


def run_action(staff, action: str, certificates, **extra):
    data = {"action": action, "_selected_action": [str(c.pk) for c in certificates], "index": "0", **extra}
    response = staff.post(CHANGELIST, data)
    assert response.status_code == 302
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_changelist_and_change_page_load(staff):
    certificates = CertificateFactory.create_batch(3)
    response = staff.get(CHANGELIST)
    assert response.status_code == 200
    for certificate in certificates:
        assert certificate.verification_code in response.content.decode()
    assert b'name="reason"' in response.content
    assert staff.get(CHANGELIST, {"q": certificates[0].verification_code}).status_code == 200
    assert staff.get(CHANGELIST, {"status__exact": "issued"}).status_code == 200
    change = reverse("admin:certificates_certificate_change", args=[certificates[0].pk])
    assert staff.get(change).status_code == 200


def test_students_cannot_open_the_admin(student):
    client = Client()
    client.force_login(student)
    response = client.get(CHANGELIST)
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_revoke_action_with_a_reason(staff):
    chosen, untouched = CertificateFactory(), CertificateFactory()
    messages = run_action(staff, "revoke", [chosen], reason="Plagiarised final project")

    chosen.refresh_from_db()
    untouched.refresh_from_db()
    assert chosen.status == CertificateStatus.REVOKED
    assert chosen.revoked_reason == "Plagiarised final project"
    assert chosen.revoked_at is not None
    assert untouched.status == CertificateStatus.ISSUED
    assert any("1 certificate revoked." in m for m in messages)


def test_revoke_action_without_a_reason_revokes_nothing(staff):
    certificates = CertificateFactory.create_batch(2)
    messages = run_action(staff, "revoke", certificates, reason="  ")

    for certificate in certificates:
        certificate.refresh_from_db()
        assert certificate.status == CertificateStatus.ISSUED
        assert certificate.revoked_at is None
    assert messages and all("reason" in m.lower() for m in messages)
    assert not any("revoked." in m for m in messages)


def test_revoke_action_on_an_already_revoked_certificate_reports_it(staff):
    certificate = CertificateFactory(status=CertificateStatus.REVOKED, revoked_reason="First reason")
    messages = run_action(staff, "revoke", [certificate], reason="Second reason")
    certificate.refresh_from_db()
    assert certificate.revoked_reason == "First reason"
    assert any("already revoked" in m for m in messages)


def test_reissue_action_prints_a_new_version_and_keeps_the_old(staff, django_capture_on_commit_callbacks):
    certificate = CertificateFactory()
    old_sha = certificate.pdf_sha256
    student = certificate.student
    student.first_name = "Grace"
    student.save()

    with django_capture_on_commit_callbacks(execute=True):
        messages = run_action(staff, "reissue", [certificate])

    certificate.refresh_from_db()
    assert certificate.version == 2
    assert certificate.student_name == student.full_name
    assert certificate.pdf_sha256 != old_sha
    [revision] = certificate.revisions.all()
    assert revision.version == 1 and revision.pdf_sha256 == old_sha and revision.pdf
    assert any("1 certificate re-issued." in m for m in messages)
    change = reverse("admin:certificates_certificate_change", args=[certificate.pk])
    page = staff.get(change)
    assert page.status_code == 200 and old_sha in page.content.decode()
