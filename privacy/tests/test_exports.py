"""Exports of everything about a person (README "Privacy"): asked for through the API, built by a job
into a private zip (one JSON file per part of the platform, the person's files, a README.txt), a
signed link that expires, one a day, swept when lost or expired, and memory flat for large files."""

import io
import json
import tracemalloc
import zipfile
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from accounts.tests.factories import AdminFactory, StudentFactory
from conftest import client_for
from media import storage
from notifications.models import Notification
from privacy import registry, services
from privacy.models import DataExport, ExportStatus

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]

EXPORTS = "/api/v1/me/data-exports/"


def request_export(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(EXPORTS)


def zip_of(export: DataExport) -> zipfile.ZipFile:
    with storage.open_read(export.key) as f:
        return zipfile.ZipFile(io.BytesIO(f.read()))


def test_an_export_is_built_and_linked(django_capture_on_commit_callbacks):
    student = StudentFactory(first_name="Ada", last_name="Lovelace")
    client = client_for(student)

    response = request_export(client, django_capture_on_commit_callbacks)

    assert response.status_code == 202, response.content
    export = DataExport.objects.get(user=student)
    assert response.json()["id"] == export.pk
    assert export.status == ExportStatus.READY
    assert export.expires_at == export.ready_at + timedelta(days=7)
    archive = zip_of(export)
    names = set(archive.namelist())
    assert {f"{e.name}.json" for e in registry.exporters()} <= names
    assert "README.txt" in names
    profile = json.loads(archive.read("accounts.json"))
    assert "Lovelace" in json.dumps(profile)
    readme = archive.read("README.txt").decode()
    for exporter in registry.exporters():
        assert f"{exporter.name}.json" in readme
    listed = client.get(EXPORTS).json()
    assert [e["id"] for e in listed] == [export.pk]
    assert listed[0]["status"] == "ready" and listed[0]["download_url"]
    download = client.get(listed[0]["download_url"])
    assert download.status_code == 200
    body = b"".join(download.streaming_content) if download.streaming else download.content
    assert zipfile.ZipFile(io.BytesIO(body)).namelist() == archive.namelist()
    assert Notification.objects.filter(recipient=student, type="data_export_ready").exists()


def test_one_export_a_day(django_capture_on_commit_callbacks):
    student = StudentFactory()
    client = client_for(student)
    assert request_export(client, django_capture_on_commit_callbacks).status_code == 202

    again = request_export(client, django_capture_on_commit_callbacks)

    assert again.status_code == 429
    assert again.json()["code"] == "export_limit"
    assert 0 < int(again["Retry-After"]) <= 24 * 3600
    with time_machine.travel(timezone.now() + timedelta(days=1, seconds=1)):
        assert request_export(client_for(student), django_capture_on_commit_callbacks).status_code == 202
    assert DataExport.objects.count() == 2


def test_a_failed_export_does_not_count_against_the_day(django_capture_on_commit_callbacks):
    student = StudentFactory()
    DataExport.objects.create(user=student, status=ExportStatus.FAILED, error="x")
    assert request_export(client_for(student), django_capture_on_commit_callbacks).status_code == 202


def test_the_link_expires_with_the_export(django_capture_on_commit_callbacks):
    student = StudentFactory()
    request_export(client_for(student), django_capture_on_commit_callbacks)
    with time_machine.travel(timezone.now() + timedelta(days=7, minutes=1)):
        assert client_for(student).get(EXPORTS).json()[0]["download_url"] is None
        services.data_exports_sweep()
    assert DataExport.objects.count() == 0


def test_anonymous_is_refused_and_others_see_only_their_own(anon_client, django_capture_on_commit_callbacks):
    assert anon_client.get(EXPORTS).status_code == 401
    assert anon_client.post(EXPORTS).status_code == 401
    request_export(client_for(StudentFactory()), django_capture_on_commit_callbacks)
    assert client_for(StudentFactory()).get(EXPORTS).json() == []


def test_an_admin_export_of_someone_else_is_audited():
    admin, student = AdminFactory(), StudentFactory()
    export = services.data_export_request(actor=admin, user=student)
    assert export.requested_by == admin
    from privacy.models import AuditEvent

    event = AuditEvent.objects.get()
    assert (event.actor, event.subject, event.action) == (admin, student, "export")


def test_someone_else_cannot_export_a_user():
    from lms.errors import NotPermitted

    with pytest.raises(NotPermitted):
        services.data_export_request(actor=StudentFactory(), user=StudentFactory())


def test_a_lost_build_is_queued_again(django_capture_on_commit_callbacks):
    export = DataExport.objects.create(user=StudentFactory(), key="private/exports/x/lost.zip")
    DataExport.objects.filter(pk=export.pk).update(queued_at=timezone.now() - timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        done = services.data_exports_sweep()
    assert done["requeued"] == 1
    export.refresh_from_db()
    assert export.status == ExportStatus.READY


def test_a_large_file_is_copied_in_chunks(monkeypatch, tmp_path):
    """A 40 MB file goes into the zip without ever being held whole in memory."""
    big = tmp_path / "big.bin"
    with open(big, "wb") as f:
        for _ in range(40):
            f.write(bytes(range(256)) * 4096)
    storage.put_file("private/test/big.bin", str(big))
    exporter = registry.Exporter(
        name="bigfiles",
        models=(),
        export=lambda user: {"files": 1},
        describe={"files": "a file"},
        files=lambda user: [("big/big.bin", "private/test/big.bin")],
    )
    monkeypatch.setitem(registry._exporters, "bigfiles", exporter)
    export = DataExport.objects.create(user=StudentFactory(), key="private/exports/1/x.zip")

    tracemalloc.start()
    services.data_export_build(export_id=export.pk)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    assert peak < 10 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB"
    with zip_of(DataExport.objects.get(pk=export.pk)) as archive:
        assert archive.getinfo("files/big/big.bin").file_size == 40 * 256 * 4096
