"""Lock order (PostgreSQL): every path takes an order's row, then the course's, then its cohorts',
each in id order (schedules.services._cohorts_locked). Each test forces the interleaving that
deadlocked before that order was fixed: one thread waits, holding its first lock, until the other
has taken its own first lock (or 5 s have passed), so a circle of waits would be found by
PostgreSQL's deadlock detector and raise OperationalError."""

import threading
from decimal import Decimal

import pytest
from django.db import OperationalError

from accounts.tests.factories import StudentFactory
from conftest import client_for
from courses import services as course_services
from courses.models import Enrollment
from courses.tests.factories import PublishedCourseFactory
from lms.testing import run_together
from payments import services as pay_services
from payments.models import Order
from payments.tests.helpers import event, intent_object, pay
from schedules import services
from schedules.models import CohortMember
from schedules.tests.factories import CohortFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _waiting_for(mine: threading.Event, theirs: threading.Event, names: dict, who: str, original):
    """`original`, but in thread `who` it first says it got here and waits for the other thread."""

    def wrapped(*args, **kwargs):
        if threading.current_thread().name == names.get(who):
            mine.set()
            theirs.wait(5)
        return original(*args, **kwargs)

    return wrapped


def test_a_revoke_and_an_enrollment_in_one_cohort_do_not_deadlock(postgres, monkeypatch):
    # The revoke updates the course's row, then frees the seat (the cohort's row); the enrollment's gate
    # locks the course's row before the cohort's, so it waits for the revoke instead of circling.
    cohort = CohortFactory(capacity=3)
    holder, newcomer = StudentFactory(), StudentFactory()
    course_services.enrollment_create(student=holder, course=cohort.course, cohort=cohort.pk)
    enrollment = Enrollment.objects.get(student=holder)
    names, revoking, enrolling = {}, threading.Event(), threading.Event()
    monkeypatch.setattr(
        services, "_cohorts_locked", _waiting_for(revoking, enrolling, names, "revoke", services._cohorts_locked)
    )
    monkeypatch.setattr(
        services,
        "_give_up_other_places",
        _waiting_for(enrolling, revoking, names, "enroll", services._give_up_other_places),
    )

    def revoke():
        names["revoke"] = threading.current_thread().name
        return course_services.enrollment_revoke(actor=None, enrollment=enrollment)

    def enroll():
        names["enroll"] = threading.current_thread().name
        return course_services.enrollment_create(student=newcomer, course=cohort.course, cohort=cohort.pk)

    results = run_together([revoke, enroll], timeout=30)

    assert not any(isinstance(r, Exception) for r in results), results
    assert set(CohortMember.objects.filter(cohort=cohort).values_list("student_id", "status")) == {
        (holder.pk, "left"),
        (newcomer.pk, "enrolled"),
    }


def test_a_checkout_and_a_cancel_webhook_for_its_order_do_not_deadlock(postgres, stripe_emulator, student, monkeypatch):
    # The webhook locks the order, then releases its seat (course, cohort); a retried checkout now also
    # locks its order before the seat.
    cohort = CohortFactory(course=PublishedCourseFactory(price=Decimal("49.99")), capacity=2)
    response = client_for(student).post(f"/api/v1/courses/{cohort.course_id}/checkout/", {"cohort": cohort.pk})
    assert response.status_code == 201, response.content
    order = Order.objects.get(pk=response.json()["order_id"])
    names, checking_out, cancelling = {}, threading.Event(), threading.Event()
    monkeypatch.setattr(
        pay_services,
        "_resumable_order",
        _waiting_for(checking_out, cancelling, names, "checkout", pay_services._resumable_order),
    )
    monkeypatch.setattr(
        services, "_cohorts_locked", _waiting_for(cancelling, checking_out, names, "cancel", services._cohorts_locked)
    )

    def checkout():
        names["checkout"] = threading.current_thread().name
        return pay_services.checkout_start(student=student, course=cohort.course, cohort=cohort.pk)

    def cancel():
        names["cancel"] = threading.current_thread().name
        canceled = event("payment_intent.canceled", intent_object(order, status="canceled"))
        return pay_services.webhook_event_process(
            event_id=canceled["id"], event_type=canceled["type"], obj=canceled["data"]["object"]
        )

    results = run_together([checkout, cancel], timeout=30)

    assert not any(isinstance(r, OperationalError) for r in results), results


def test_two_checkouts_switching_cohorts_opposite_ways_do_not_deadlock(postgres, stripe_emulator):
    course = PublishedCourseFactory(price=Decimal("49.99"))
    first, second = CohortFactory(course=course, capacity=5), CohortFactory(course=course, capacity=5)
    ada, grace = StudentFactory(), StudentFactory()
    for student, cohort in ((ada, first), (grace, second)):
        response = client_for(student).post(f"/api/v1/courses/{course.pk}/checkout/", {"cohort": cohort.pk})
        assert response.status_code == 201, response.content

    results = run_together(
        [
            lambda: pay_services.checkout_start(student=ada, course=course, cohort=second.pk),
            lambda: pay_services.checkout_start(student=grace, course=course, cohort=first.pk),
        ],
        timeout=30,
    )

    assert not any(isinstance(r, Exception) for r in results), results
    held = set(CohortMember.objects.filter(status="held").values_list("student_id", "cohort_id"))
    assert held == {(ada.pk, second.pk), (grace.pk, first.pk)}


def test_a_paid_order_of_a_student_granted_the_course_meanwhile_gives_its_seat_back(stripe_emulator, student):
    # Checkout holds a seat; staff grant the course (no cohort); the payment then finds the student
    # enrolled: the seat the order held is released, not left held forever.
    cohort = CohortFactory(course=PublishedCourseFactory(price=Decimal("49.99")), capacity=2)
    response = client_for(student).post(f"/api/v1/courses/{cohort.course_id}/checkout/", {"cohort": cohort.pk})
    assert response.status_code == 201, response.content
    order = Order.objects.get(pk=response.json()["order_id"])
    course_services.enrollment_create(student=student, course=cohort.course, source="admin")

    pay(order)

    order.refresh_from_db()
    assert order.status == "paid" and not order.seat_held
    assert not CohortMember.objects.filter(cohort=cohort, status="held").exists()
    assert client_for(None).get(f"/api/v1/cohorts/{cohort.pk}/").json()["seats_taken"] == 0
