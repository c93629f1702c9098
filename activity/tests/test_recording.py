"""Recording an event never fails the caller: a bad insert is logged and the caller's transaction commits."""

import datetime

import pytest
from django.db import DatabaseError, transaction

from accounts.tests.factories import StudentFactory
from activity.models import ActivityEvent, Verb
from activity.services import activity_record
from courses import services as course_services
from courses.models import Category
from notifications.models import Notification

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "metadata",
    [{"tags": {"a", "b"}}, {"thing": object()}, {"when": datetime.time(1, 2)}],
    ids=["set", "object", "time"],
)
def test_activity_record_never_raises_and_the_transaction_still_commits(student, metadata):
    with transaction.atomic():
        Category.objects.create(name="Before", slug="before")
        result = activity_record(actor=student, verb=Verb.USER_LOGGED_IN, metadata=metadata)
        Category.objects.create(name="After", slug="after")

    assert result is None
    assert not ActivityEvent.objects.exists()
    assert set(Category.objects.values_list("slug", flat=True)) >= {"before", "after"}


def test_a_failed_record_inside_a_service_keeps_the_service_working(course, student, monkeypatch):
    """Even when the insert itself fails in the database, the enrollment goes through."""

    def failing_save(self, *args, **kwargs):
        raise DatabaseError("activity table is unavailable")

    monkeypatch.setattr(ActivityEvent, "save", failing_save)

    enrollment = course_services.enrollment_create(student=student, course=course)

    monkeypatch.undo()
    assert enrollment.pk is not None
    assert enrollment.is_active
    assert not ActivityEvent.objects.exists()
    assert Notification.objects.filter(recipient=student, type="enrollment_confirmed").exists()


@pytest.mark.django_db(transaction=True)
def test_recording_an_event_for_a_vanished_actor_does_not_break_the_commit():
    """A dangling actor id (a user deleted meanwhile) must not fail the caller's transaction."""
    user = StudentFactory()
    gone = StudentFactory()
    gone_id = gone.pk
    gone.delete()

    with transaction.atomic():
        Category.objects.create(name="Kept", slug="kept")
        activity_record(actor=gone_id, verb=Verb.USER_LOGGED_IN)
        activity_record(actor=user, verb=Verb.USER_LOGGED_IN)

    assert Category.objects.filter(slug="kept").exists()
    assert ActivityEvent.objects.filter(actor=user).exists()
