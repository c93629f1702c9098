"""manage.py reconcile_payments: a read-only dry run, progress per order, argument checks. (What
reconciliation does to an order is in test_reconcile.py.)"""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from conftest import client_for
from courses.models import Enrollment
from courses.tests.factories import PublishedCourseFactory
from payments.models import Order

from .helpers import confirm_as_stripe_js, emulator

pytestmark = pytest.mark.django_db


def run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("reconcile_payments", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def checkout(student, course) -> Order:
    response = client_for(student).post(f"/api/v1/courses/{course.pk}/checkout/")
    assert response.status_code == 201, response.content
    return Order.objects.get(pk=response.json()["order_id"])


@pytest.fixture
def orders(stripe_emulator, student, other_student, instructor):
    """Three pending orders: paid at Stripe (no webhook came), canceled at Stripe, not confirmed."""
    course = PublishedCourseFactory(price=Decimal("49.99"), instructor=instructor)
    other = PublishedCourseFactory(price=Decimal("19.00"), instructor=instructor)
    paid, canceled, waiting = checkout(student, course), checkout(other_student, course), checkout(student, other)
    assert confirm_as_stripe_js(paid.payment_intent_id) == "succeeded"
    emulator().v1.payment_intents.cancel(canceled.payment_intent_id)
    return {"paid": paid, "canceled": canceled, "waiting": waiting}


def test_dry_run_says_what_stripe_reports_and_changes_nothing(orders):
    before = {o.pk: (o.status, o.updated_at, o.failure_reason) for o in Order.objects.all()}

    out, err = run("--older-than", "0", "--dry-run")

    lines = {name: next(line for line in out.splitlines() if str(o.pk) in line) for name, o in orders.items()}
    assert "succeeded, would be marked paid" in lines["paid"] and orders["paid"].student.email in lines["paid"]
    assert "canceled, would be marked failed" in lines["canceled"]
    assert "would stay pending" in lines["waiting"] and "19.00 USD" in lines["waiting"]
    assert "Dry run: 3 order(s) to reconcile. Nothing was changed." in out
    assert {o.pk: (o.status, o.updated_at, o.failure_reason) for o in Order.objects.all()} == before
    assert not Enrollment.objects.exists()
    assert err == ""


def test_dry_run_leaves_recent_orders_out(orders):
    out, _ = run("--older-than", "15", "--dry-run")
    assert "Dry run: 0 order(s)" in out


def test_real_run_settles_each_with_progress(orders, student):
    out, err = run("--older-than", "0", "--progress")

    assert "Reconciled: 1 failed, 1 paid, 1 still pending." in out
    statuses = {name: Order.objects.get(pk=o.pk).status for name, o in orders.items()}
    assert statuses == {"paid": "paid", "canceled": "failed", "waiting": "pending"}
    assert Enrollment.objects.filter(student=student, status="active").count() == 1
    assert "Reconciling [" in err and "3/3 100%" in err
    assert "Reconciling" not in out


def test_a_stripe_outage_is_counted_and_reported(orders, settings):
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # nothing listens there
    settings.STRIPE_MAX_RETRIES = 0
    out, err = run("--older-than", "0", "--limit", "1")
    assert "Reconciled: 1 stripe error." in out
    assert "Stripe error" in err
    assert Order.objects.filter(status="pending").count() == 3


@pytest.mark.parametrize(
    "args, message",
    [
        (("--older-than", "-1"), "--older-than cannot be negative"),
        (("--limit", "0"), "--limit must be at least 1"),
        (("--older-than", "an hour"), "invalid int value"),
    ],
)
def test_bad_arguments(stripe_emulator, args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)


@pytest.mark.parametrize("extra", [(), ("--dry-run",)])
def test_stripe_must_be_configured(no_stripe, extra):
    with pytest.raises(CommandError, match="Stripe is not configured: set STRIPE_SECRET_KEY"):
        run("--older-than", "0", *extra)
