"""manage.py prune_activity (dry run, batches, progress) and the daily beat task."""

import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from activity.models import ActivityEvent, Verb
from activity.services import activity_record
from activity.tasks import activity_prune_task

pytestmark = pytest.mark.django_db


def aged(student, days: int, verb=Verb.USER_LOGGED_IN) -> ActivityEvent:
    event = activity_record(actor=student, verb=verb)
    ActivityEvent.objects.filter(pk=event.pk).update(created_at=timezone.now() - datetime.timedelta(days=days))
    return event


def run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("prune_activity", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def history(student):
    """Three old logins, two old enrollments, one recent event."""
    for _ in range(3):
        aged(student, 100)
    for _ in range(2):
        aged(student, 40, Verb.ENROLLMENT_CREATED)
    aged(student, 5)


def test_dry_run_counts_per_verb_and_deletes_nothing(history):
    before = set(ActivityEvent.objects.values_list("pk", "created_at"))

    out, err = run("--older-than", "30", "--dry-run")

    assert "would delete 5 activity event(s) older than 30 day(s)" in out
    assert "3  user_logged_in" in out and "2  enrollment_created" in out
    assert "Nothing was deleted" in out
    assert set(ActivityEvent.objects.values_list("pk", "created_at")) == before
    assert err == ""


def test_dry_run_with_nothing_old(student):
    aged(student, 1)
    out, _ = run("--older-than", "30", "--dry-run")
    assert "would delete 0 activity event(s)" in out
    assert ActivityEvent.objects.count() == 1


def test_real_run_deletes_in_batches_with_progress(history):
    out, err = run("--older-than", "30", "--batch-size", "2", "--progress")

    assert "Deleted 5 activity event(s) older than 30 day(s)." in out
    assert ActivityEvent.objects.count() == 1
    lines = err.splitlines()
    assert lines[0].startswith("Pruning [") and "2/5" in lines[0]  # one line per batch of 2 (each a tenth+)
    assert "5/5 100%" in lines[-1]
    assert "Pruning" not in out  # the bar never pollutes stdout


def test_no_progress_unless_asked_or_a_terminal(history):
    _, err = run("--older-than", "30")
    assert err == ""


@pytest.mark.parametrize(
    "args, message",
    [
        (("--older-than", "0"), "at least 1 day"),
        (("--older-than", "-3"), "at least 1 day"),
        (("--older-than", "30", "--batch-size", "0"), "--batch-size must be at least 1"),
        (("--older-than", "soon"), "invalid int value"),
        ((), "--older-than"),
    ],
)
def test_bad_arguments(student, args, message):
    aged(student, 400)
    with pytest.raises(CommandError, match=message):
        run(*args)
    assert ActivityEvent.objects.count() == 1


def test_the_beat_task_keeps_the_retention_setting(student, settings):
    settings.ACTIVITY_RETENTION_DAYS = 60
    aged(student, 90)
    aged(student, 30)
    assert activity_prune_task.delay().get() == 1
    assert activity_prune_task.delay().get() == 0  # safe to run twice
    assert ActivityEvent.objects.count() == 1


def test_the_beat_task_keeps_everything_when_retention_is_zero(student, settings):
    settings.ACTIVITY_RETENTION_DAYS = 0
    aged(student, 5000)
    assert activity_prune_task.delay().get() == 0
    assert ActivityEvent.objects.count() == 1


def test_the_beat_schedule_names_the_task(settings):
    entry = next(e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"].endswith("activity_prune_task"))
    assert entry["task"] == "activity.tasks.activity_prune_task"
