"""Pruning old events (manage.py prune_activity): only older rows, in batches, safe to repeat."""

import datetime

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from activity.models import ActivityEvent, Verb
from activity.services import activity_record

pytestmark = pytest.mark.django_db


def test_prune_activity_deletes_only_older_rows(student):
    now = timezone.now()
    ages = {"ancient": 400, "old": 31, "recent": 29, "today": 0}
    rows = {}
    for name, days in ages.items():
        rows[name] = activity_record(actor=student, verb=Verb.USER_LOGGED_IN, metadata={"name": name})
        ActivityEvent.objects.filter(pk=rows[name].pk).update(created_at=now - datetime.timedelta(days=days))

    call_command("prune_activity", "--older-than", "30")

    kept = set(ActivityEvent.objects.values_list("metadata__name", flat=True))
    assert kept == {"recent", "today"}


def test_prune_activity_reports_and_is_safe_to_repeat(student, capsys):
    event = activity_record(actor=student, verb=Verb.USER_LOGGED_IN)
    ActivityEvent.objects.filter(pk=event.pk).update(created_at=timezone.now() - datetime.timedelta(days=90))

    call_command("prune_activity", "--older-than", "30")
    call_command("prune_activity", "--older-than", "30")

    out = capsys.readouterr().out
    assert "Deleted 1 activity event" in out
    assert "Deleted 0 activity event" in out
    assert not ActivityEvent.objects.exists()


def test_prune_activity_in_batches(student):
    from activity.services import activity_prune

    old = timezone.now() - datetime.timedelta(days=60)
    for _ in range(7):
        activity_record(actor=student, verb=Verb.USER_LOGGED_IN)
    ActivityEvent.objects.update(created_at=old)
    activity_record(actor=student, verb=Verb.USER_LOGGED_IN)

    assert activity_prune(older_than_days=30, batch_size=3) == 7
    assert ActivityEvent.objects.count() == 1


@pytest.mark.parametrize("days", ["0", "-5"])
def test_prune_activity_rejects_a_non_positive_age(student, days):
    activity_record(actor=student, verb=Verb.USER_LOGGED_IN)
    ActivityEvent.objects.update(created_at=timezone.now() - datetime.timedelta(days=365))

    with pytest.raises(CommandError):
        call_command("prune_activity", "--older-than", days)

    assert ActivityEvent.objects.count() == 1


def test_prune_activity_requires_the_age():
    with pytest.raises(CommandError):
        call_command("prune_activity")
