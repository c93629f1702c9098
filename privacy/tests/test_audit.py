"""Staff reads of a person's data are written to the append-only audit log (README "Privacy")."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.tests.factories import AdminFactory, StudentFactory
from assignments.services import submission_create
from assignments.tests.factories import AssignmentFactory, enroll
from conftest import client_for
from courses.tests.factories import EnrollmentFactory
from payments.tests.factories import OrderFactory
from privacy import services
from privacy.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_the_admin_api_read_of_a_user_is_audited_with_its_reason():
    admin, student = AdminFactory(), StudentFactory()
    response = client_for(admin).get(f"/api/v1/admin/users/{student.pk}/", HTTP_X_AUDIT_REASON="ticket 42")
    assert response.status_code == 200
    event = AuditEvent.objects.get()
    assert (event.actor, event.subject, event.action, event.target, event.reason) == (
        admin,
        student,
        "api.read",
        f"accounts.user:{student.pk}",
        "ticket 42",
    )


def test_admin_change_pages_with_personal_data_are_audited(client):
    admin, student = AdminFactory(), StudentFactory()
    enrollment = EnrollmentFactory(student=student)
    order = OrderFactory(student=student, course=enrollment.course)
    assignment = AssignmentFactory()
    enroll(student, assignment)
    submission = submission_create(student=student, assignment=assignment, text="My essay")
    client.force_login(admin)

    assert client.get(f"/admin/accounts/user/{student.pk}/change/?reason=support").status_code == 200
    assert client.get(f"/admin/courses/enrollment/{enrollment.pk}/change/").status_code == 200
    assert client.get(f"/admin/payments/order/{order.pk}/change/?reason=refund+query").status_code == 200
    assert client.get(f"/admin/assignments/submission/{submission.pk}/change/").status_code == 200
    assert client.get("/admin/accounts/user/").status_code == 200  # a list is not a read of one person
    assert client.get("/admin/payments/order/").status_code == 200

    events = list(AuditEvent.objects.order_by("id"))
    assert [(e.subject_id, e.action, e.target, e.reason) for e in events] == [
        (student.pk, "admin.view", f"accounts.user:{student.pk}", "support"),
        (student.pk, "admin.view", f"courses.enrollment:{enrollment.pk}", ""),
        (student.pk, "admin.view", f"payments.order:{order.pk}", "refund query"),
        (student.pk, "admin.view", f"assignments.submission:{submission.pk}", ""),
    ]
    assert all(e.actor == admin for e in events)


def test_reading_ones_own_data_is_not_audited(client):
    admin = AdminFactory()
    client.force_login(admin)
    client.get(f"/admin/accounts/user/{admin.pk}/change/")
    assert AuditEvent.objects.count() == 0


def test_events_are_never_changed_and_pruned_after_the_retention():
    event = services.audit_record(actor=AdminFactory(), subject=StudentFactory(), action="x", target="t:1")
    event.reason = "edited"
    with pytest.raises(ValueError):
        event.save()
    AuditEvent.objects.filter(pk=event.pk).update(at=timezone.now() - timedelta(days=800))
    assert services.audit_prune(older_than=timezone.now() - timedelta(days=730)) == 1


def test_the_audit_log_in_the_admin_is_read_only(client):
    admin = AdminFactory()
    event = services.audit_record(actor=admin, subject=StudentFactory(), action="x", target="t:1")
    client.force_login(admin)
    assert client.get("/admin/privacy/auditevent/").status_code == 200
    assert client.get("/admin/privacy/auditevent/add/").status_code == 403
    assert client.post(f"/admin/privacy/auditevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_the_admin_erases_a_user_after_a_confirmation_page(client, django_capture_on_commit_callbacks):
    from accounts.models import User
    from privacy.models import ErasureRequest

    admin, student = AdminFactory(), StudentFactory()
    client.force_login(admin)
    ask = {"action": "erase_now", "_selected_action": [student.pk]}

    page = client.post("/admin/accounts/user/", ask)

    assert page.status_code == 200
    assert student.email in page.content.decode()
    assert "accounts.User" in page.content.decode() or "User.email" in page.content.decode()  # the policy table
    assert ErasureRequest.objects.count() == 0
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post("/admin/accounts/user/", {**ask, "apply": "1"})
    assert done.status_code == 302
    assert ErasureRequest.objects.get(user=student).status == "done"
    assert User.objects.get(pk=student.pk).erased_at is not None
    assert AuditEvent.objects.filter(action="erase", subject=student, actor=admin).exists()


def test_prune_audit_never_deletes_what_the_retention_keeps(settings):
    from io import StringIO

    from django.core.management import CommandError, call_command

    settings.AUDIT_RETENTION_DAYS = 730
    admin, student = AdminFactory(), StudentFactory()
    ages = {"old": 800, "older": 1200, "young": 10, "kept": 729}
    for action, days in ages.items():
        event = services.audit_record(actor=admin, subject=student, action=action, target="t:1")
        AuditEvent.objects.filter(pk=event.pk).update(at=timezone.now() - timedelta(days=days))

    out = StringIO()
    call_command("prune_audit", "--dry-run", stdout=out)
    assert "would delete 2 audit event(s) older than 730 day(s)" in out.getvalue()
    assert AuditEvent.objects.count() == 4

    with pytest.raises(CommandError, match="shorter than the audit log's retention"):
        call_command("prune_audit", "--older-than", "30")
    assert AuditEvent.objects.count() == 4

    call_command("prune_audit", "--older-than", "1000", stdout=StringIO())
    assert set(AuditEvent.objects.values_list("action", flat=True)) == {"old", "young", "kept"}
    out = StringIO()
    call_command("prune_audit", "--batch-size", "1", stdout=out)
    assert "Deleted 1 audit event(s) older than 730 day(s)." in out.getvalue()
    assert set(AuditEvent.objects.values_list("action", flat=True)) == {"young", "kept"}
