"""Reconciliation: pending orders whose webhook never arrived are settled by asking Stripe."""

from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import timezone

from conftest import client_for
from courses.models import Enrollment
from courses.tests.factories import PublishedCourseFactory
from payments.models import Order
from payments.tasks import payments_reconcile_task

from .helpers import confirm_as_stripe_js, emulator

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(instructor):
    return PublishedCourseFactory(price=Decimal("49.99"), instructor=instructor)


def checkout(student, course) -> Order:
    response = client_for(student).post(f"/api/v1/courses/{course.pk}/checkout/")
    assert response.status_code == 201, response.content
    return Order.objects.get(pk=response.json()["order_id"])


@pytest.fixture
def paid_without_webhook(stripe_emulator, student, course) -> Order:
    """The intent succeeded at Stripe, but no webhook is registered, so none ever arrives."""
    order = checkout(student, course)
    assert confirm_as_stripe_js(order.payment_intent_id) == "succeeded"
    order.refresh_from_db()
    assert order.status == "pending"
    return order


def test_the_command_settles_an_order_whose_webhook_never_arrived(paid_without_webhook, student, course):
    out = StringIO()
    call_command("reconcile_payments", "--older-than", "0", stdout=out)

    paid_without_webhook.refresh_from_db()
    assert paid_without_webhook.status == "paid"
    assert Enrollment.objects.get(student=student, course=course).source == "paid"
    assert "1 paid" in out.getvalue()


def test_the_periodic_task_settles_it_too(paid_without_webhook, student, course, settings):
    settings.PAYMENTS_RECONCILE_AFTER_MINUTES = 15
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        assert payments_reconcile_task.delay().get() == {"paid": 1}
    paid_without_webhook.refresh_from_db()
    assert paid_without_webhook.status == "paid"
    assert Enrollment.objects.filter(student=student, course=course, status="active").count() == 1


def test_a_canceled_intent_fails_the_order(stripe_emulator, student, course):
    order = checkout(student, course)
    emulator().v1.payment_intents.cancel(order.payment_intent_id)

    call_command("reconcile_payments", "--older-than", "0", stdout=StringIO())

    order.refresh_from_db()
    assert order.status == "failed" and order.failure_reason == "canceled"
    assert not Enrollment.objects.filter(student=student, course=course).exists()


def test_an_unconfirmed_intent_stays_pending(stripe_emulator, student, course):
    order = checkout(student, course)
    out = StringIO()
    call_command("reconcile_payments", "--older-than", "0", stdout=out)
    order.refresh_from_db()
    assert order.status == "pending"
    assert "1 still pending" in out.getvalue()


def test_recent_orders_are_left_to_their_webhook(paid_without_webhook):
    out = StringIO()
    call_command("reconcile_payments", "--older-than", "15", stdout=out)
    assert "nothing pending" in out.getvalue()
    paid_without_webhook.refresh_from_db()
    assert paid_without_webhook.status == "pending"
    assert payments_reconcile_task.delay().get() == {}


def test_the_command_needs_stripe(no_stripe):
    with pytest.raises(CommandError):
        call_command("reconcile_payments", "--older-than", "0")
    assert payments_reconcile_task.delay().get() == {}


def test_a_negative_age_is_refused(stripe_emulator):
    with pytest.raises(CommandError):
        call_command("reconcile_payments", "--older-than", "-1")
