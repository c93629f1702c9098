"""The beat job that deletes uploads left unattached for MEDIA_UNATTACHED_HOURS (pending, rejected or
ready alike) with their objects, and keeps attached and recent ones."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from conftest import client_for
from media import services, tasks
from media.models import Upload

from . import helpers

pytestmark = pytest.mark.django_db


def _uploaded(user, name: str, *, complete: bool = True) -> str:
    client = client_for(user)
    created = helpers.ask(client, purpose="lesson_attachment", filename=name, content_type="text/plain",
                          size=len(helpers.TEXT)).json()  # fmt: skip
    helpers.send(client, created, helpers.TEXT)
    if complete:
        assert helpers.complete(client, created["id"]).status_code == 200
    return created["id"]


@pytest.fixture
def old_and_new(instructor, settings, django_capture_on_commit_callbacks):
    """Uploads made a day and an hour ago: for each age, one attached, one ready, one never completed."""
    made = {}
    for age, hours in (("old", settings.MEDIA_UNATTACHED_HOURS + 1), ("new", 1)):
        with time_machine.travel(timezone.now() - timedelta(hours=hours)):
            made[f"{age}_attached"] = _uploaded(instructor, f"{age}-attached.txt")
            services.upload_attach(
                actor=instructor, upload_id=made[f"{age}_attached"], purposes="lesson_attachment", field="x"
            )
            made[f"{age}_ready"] = _uploaded(instructor, f"{age}-ready.txt")
            made[f"{age}_pending"] = _uploaded(instructor, f"{age}-pending.txt", complete=False)
    return made


def test_old_unattached_uploads_are_deleted_with_their_objects(old_and_new, django_capture_on_commit_callbacks):
    cutoff = timezone.now() - timedelta(hours=24)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.uploads_delete_unattached(created_before=cutoff) == 2
    kept = {str(pk) for pk in Upload.objects.values_list("pk", flat=True)}
    assert kept == {old_and_new[k] for k in ("old_attached", "new_attached", "new_ready", "new_pending")}
    assert helpers.stored_names() == {
        f"private/{old_and_new['old_attached']}/old-attached.txt",
        f"private/{old_and_new['new_attached']}/new-attached.txt",
        f"private/{old_and_new['new_ready']}/new-ready.txt",
        f"incoming/{old_and_new['new_pending']}",
    }
    with django_capture_on_commit_callbacks(execute=True):
        assert services.uploads_delete_unattached(created_before=cutoff) == 0


def test_the_periodic_task_runs_and_is_idempotent(old_and_new, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.uploads_delete_unattached_task.delay().get() == 2
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.uploads_delete_unattached_task.delay().get() == 0
    assert Upload.objects.count() == 4
    assert len(helpers.stored_names()) == 4


def test_the_sweep_takes_at_most_its_limit_oldest_first(instructor, django_capture_on_commit_callbacks):
    ids = []
    for hours in (50, 40, 30):
        with time_machine.travel(timezone.now() - timedelta(hours=hours)):
            ids.append(_uploaded(instructor, f"{hours}.txt"))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.uploads_delete_unattached(created_before=timezone.now() - timedelta(hours=24), limit=2) == 2
    assert [str(pk) for pk in Upload.objects.values_list("pk", flat=True)] == [ids[2]]


def test_the_sweep_works_on_s3(s3_storage, instructor, django_capture_on_commit_callbacks):
    with time_machine.travel(timezone.now() - timedelta(hours=30)):
        _uploaded(instructor, "a.txt")
        _uploaded(instructor, "b.txt", complete=False)
    assert len(helpers.stored_names()) == 2
    with django_capture_on_commit_callbacks(execute=True):
        assert services.uploads_delete_unattached(created_before=timezone.now() - timedelta(hours=24)) == 2
    assert helpers.stored_names() == set()
