"""A paid course taught in cohorts: checkout holds a seat like a coupon's use, the payment makes it
the student's, an order that can no longer be paid gives it to the waitlist."""

from decimal import Decimal

import pytest

from courses.models import Enrollment, EnrollmentStatus
from courses.tests.factories import PublishedCourseFactory
from notifications.models import Notification
from payments.models import Order
from payments.tests.helpers import deliver, event, intent_object, pay
from schedules.models import CohortMember, MemberStatus

from .factories import CohortFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cohort(instructor):
    return CohortFactory(course=PublishedCourseFactory(price=Decimal("49.99"), instructor=instructor), capacity=1)


def checkout(client, cohort, **body):
    return client.post(f"/api/v1/courses/{cohort.course_id}/checkout/", {"cohort": cohort.pk, **body}, format="json")


def member(cohort, student):
    return CohortMember.objects.filter(cohort=cohort, student=student).order_by("-id").first()


def test_checkout_holds_the_seat_until_the_order_is_paid(stripe_emulator, clients, cohort, student):
    first = checkout(clients["student"], cohort)
    assert first.status_code == 201
    order = Order.objects.get(pk=first.json()["order_id"])
    assert (order.cohort_id, order.seat_held) == (cohort.pk, True)
    assert member(cohort, student).status == MemberStatus.HELD
    assert clients["admin"].get(f"/api/v1/cohorts/{cohort.pk}/").json()["seats_taken"] == 1

    full = checkout(clients["other_student"], cohort)
    assert full.status_code == 409 and full.json()["code"] == "cohort_full"
    again = checkout(clients["student"], cohort)  # resuming keeps the same hold
    assert again.status_code == 201 and again.json()["order_id"] == str(order.pk)

    pay(order)

    assert member(cohort, student).status == MemberStatus.ENROLLED
    assert Enrollment.objects.get(student=student, course=cohort.course).status == EnrollmentStatus.ACTIVE
    order.refresh_from_db()
    assert not order.seat_held
    assert CohortMember.objects.filter(cohort=cohort).count() == 1


def test_a_course_with_cohorts_needs_one_at_checkout(stripe_emulator, clients, cohort):
    response = clients["student"].post(f"/api/v1/courses/{cohort.course_id}/checkout/", {}, format="json")
    assert response.status_code == 400 and "cohort" in response.json()
    assert not Order.objects.exists()


def test_a_full_cohort_waitlists_at_checkout_without_an_order(stripe_emulator, clients, cohort, other_student):
    checkout(clients["student"], cohort)
    response = checkout(clients["other_student"], cohort, waitlist=True)
    assert (response.status_code, response.json()) == (202, {"waitlisted": True, "cohort": cohort.pk, "position": 1})
    assert not Order.objects.filter(student=other_student).exists()


def test_a_canceled_order_gives_its_seat_to_the_first_waiting(stripe_emulator, clients, cohort, other_student):
    order = Order.objects.get(pk=checkout(clients["student"], cohort).json()["order_id"])
    checkout(clients["other_student"], cohort, waitlist=True)

    assert deliver(event("payment_intent.canceled", intent_object(order, status="canceled"))).json()["outcome"] == (
        "failed"
    )

    order.refresh_from_db()
    assert not order.seat_held
    assert member(cohort, order.student).status == MemberStatus.LEFT
    assert member(cohort, other_student).status == MemberStatus.OFFERED
    assert Notification.objects.filter(type="cohort_seat_offered", recipient=other_student).count() == 1
    # The offered student claims it by checking out, then pays.
    claim = checkout(clients["other_student"], cohort)
    assert claim.status_code == 201
    assert member(cohort, other_student).status == MemberStatus.HELD
    pay(Order.objects.get(pk=claim.json()["order_id"]))
    assert member(cohort, other_student).status == MemberStatus.ENROLLED


def test_a_free_enrollment_cannot_take_a_seat_held_by_a_checkout(stripe_emulator, clients, instructor, student):
    cohort = CohortFactory(course=PublishedCourseFactory(price=Decimal("49.99"), instructor=instructor), capacity=1)
    checkout(clients["student"], cohort)
    cohort.course.price = Decimal("0.00")
    cohort.course.save(update_fields=["price"])
    response = clients["other_student"].post(
        f"/api/v1/courses/{cohort.course_id}/enroll/", {"cohort": cohort.pk}, format="json"
    )
    assert response.status_code == 409 and response.json()["code"] == "cohort_full"
