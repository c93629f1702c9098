"""POST and GET /assignments/<id>/archive/: the course's staff ask for a zip of every submission
(202, built in the background) and read the latest one (its signed link once ready); everybody else
is refused as for managing the assignment (students 403 `not_course_staff`)."""

import csv
import io
import zipfile

import pytest

from assignments.models import ArchiveStatus, SubmissionArchive
from assignments.services import ARCHIVE_CSV_HEADER
from assignments.tests.api.conftest import (
    MANAGE,
    MANAGERS,
    SUBMISSION_TEXT,
    assignment_url,
    fetch,
    ready_upload,
    submit,
)
from conftest import ROLES

pytestmark = pytest.mark.django_db

NO_ARCHIVE = {"detail": "No archive has been requested for this assignment.", "code": "no_archive"}
# GET before anything was requested: managers learn there is none (404); others are refused first.
LATEST_NONE = {**MANAGE, "instructor": 404, "admin": 404}
REQUEST = {role: 202 if status == 200 else status for role, status in MANAGE.items()}
FIELDS = {"id", "status", "requested_at", "finished_at", "submission_count", "size", "url", "error"}


def url(assignment):
    return assignment_url(assignment.pk, "archive")


@pytest.fixture
def with_file(student, assignment):
    """`student`'s attempt with a text and a file (its bytes SUBMISSION_TEXT)."""
    return submit(student, assignment, text="See the file.", files=[ready_upload(student, filename="essay.txt")])


@pytest.mark.parametrize("role", ROLES)
def test_request_for_every_role(clients, assignment, with_file, role):
    response = clients[role].post(url(assignment))

    assert response.status_code == REQUEST[role], response.content
    if REQUEST[role] == 202:
        archive = SubmissionArchive.objects.get()
        assert response.data == {
            "id": archive.pk,
            "status": "pending",  # its job is queued when the request's transaction commits
            "requested_at": archive.requested_at.isoformat().replace("+00:00", "Z"),
            "finished_at": None,
            "submission_count": 0,
            "size": 0,
            "url": None,
            "error": "",
        }
        assert archive.requested_by == clients[role].user
    else:
        assert not SubmissionArchive.objects.exists()
        if REQUEST[role] == 403:
            assert response.data["code"] == "not_course_staff"


@pytest.mark.parametrize("role", ROLES)
def test_latest_for_every_role_before_any_request(clients, assignment, role):
    response = clients[role].get(url(assignment))

    assert response.status_code == LATEST_NONE[role], response.content
    if role in MANAGERS:
        assert response.json() == NO_ARCHIVE
    elif LATEST_NONE[role] == 403:
        assert response.data["code"] == "not_course_staff"


@pytest.mark.parametrize("role", ROLES)
def test_latest_for_every_role_once_built(
    clients, instructor, assignment, with_file, role, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert clients["instructor"].post(url(assignment)).status_code == 202

    response = clients[role].get(url(assignment))

    assert response.status_code == MANAGE[role], response.content
    if MANAGE[role] == 200:
        assert set(response.data) == FIELDS
        assert (response.data["status"], response.data["submission_count"]) == ("ready", 1)
        assert response.data["url"].startswith("http://testserver/files/signed/")
    else:
        assert "url" not in response.data


@pytest.mark.parametrize("role", MANAGERS)
def test_request_build_and_download(clients, student, assignment, with_file, role, django_capture_on_commit_callbacks):
    student.first_name, student.last_name = "Ada", "Lovelace"
    student.save()
    with django_capture_on_commit_callbacks(execute=True):
        requested = clients[role].post(url(assignment))
    assert requested.status_code == 202

    response = clients[role].get(url(assignment))

    assert response.status_code == 200
    data = response.data
    archive = SubmissionArchive.objects.get()
    assert data["id"] == requested.data["id"] == archive.pk
    assert (data["status"], data["submission_count"], data["size"], data["error"]) == ("ready", 1, archive.size, "")
    assert data["finished_at"] is not None
    zipped = zipfile.ZipFile(io.BytesIO(fetch(data["url"])))
    folder = f"Lovelace-Ada-{student.pk}/attempt-1"
    assert sorted(zipped.namelist()) == sorted([f"{folder}/text.txt", f"{folder}/essay.txt", "submissions.csv"])
    assert zipped.read(f"{folder}/essay.txt") == SUBMISSION_TEXT  # the student's bytes, exactly
    assert zipped.read(f"{folder}/text.txt") == b"See the file."
    rows = list(csv.reader(io.StringIO(zipped.read("submissions.csv").decode())))
    assert rows[0] == list(ARCHIVE_CSV_HEADER) and len(rows) == 2
    assert rows[1][:4] == [str(student.pk), "Lovelace", "Ada", "1"]


def test_the_download_is_named_for_the_assignment(clients, assignment, django_capture_on_commit_callbacks):
    assignment.title = "Final project: part 2"
    assignment.save()
    with django_capture_on_commit_callbacks(execute=True):
        clients["instructor"].post(url(assignment))

    link = clients["instructor"].get(url(assignment)).data["url"]
    response = clients["anonymous"].get(link.removeprefix("http://testserver"))

    assert response.status_code == 200
    name = f"final-project-part-2-{assignment.pk}-submissions.zip"
    assert response["Content-Disposition"] == f'inline; filename="{name}"'
    assert response["Content-Type"] == "application/zip"


def test_a_double_post_returns_the_pending_archive(clients, assignment, with_file):
    first = clients["instructor"].post(url(assignment))
    second = clients["admin"].post(url(assignment))

    assert (first.status_code, second.status_code) == (202, 202)
    assert first.data["id"] == second.data["id"] and second.data["status"] == "pending"
    assert SubmissionArchive.objects.count() == 1
    latest = clients["instructor"].get(url(assignment))
    assert latest.status_code == 200 and latest.data["id"] == first.data["id"] and latest.data["url"] is None


def test_latest_is_the_newest_request(clients, student, assignment, with_file, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = clients["instructor"].post(url(assignment)).data
    second = clients["instructor"].post(url(assignment)).data  # the first is ready: a new one (not built yet)

    latest = clients["instructor"].get(url(assignment)).data

    assert second["id"] != first["id"] and latest["id"] == second["id"] and latest["status"] == "pending"


def test_a_failed_archive_says_why(clients, assignment, with_file, django_capture_on_commit_callbacks):
    from media import storage

    storage.delete([with_file.submission_files.get().upload.key])
    with django_capture_on_commit_callbacks(execute=True):
        clients["instructor"].post(url(assignment))

    data = clients["instructor"].get(url(assignment)).data

    assert data["status"] == ArchiveStatus.FAILED and data["url"] is None and data["size"] == 0
    assert "essay.txt is missing from storage" in data["error"]


def test_another_assignments_archive_is_not_shown(clients, assignment, section, django_capture_on_commit_callbacks):
    from assignments.tests.factories import AssignmentFactory

    elsewhere = AssignmentFactory(section=section, course=section.course)
    clients["instructor"].post(url(elsewhere))

    assert clients["instructor"].get(url(assignment)).json() == NO_ARCHIVE


@pytest.mark.parametrize("pk", ["999999", "abc", "-1", "1.5"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_unknown_or_malformed_assignment_ids_are_404(clients, pk, method):
    response = getattr(clients["instructor"], method)(f"/api/v1/assignments/{pk}/archive/")
    assert response.status_code == 404


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_other_methods_are_not_allowed(clients, assignment, method):
    response = getattr(clients["instructor"], method)(url(assignment))
    assert response.status_code == 405
    assert not SubmissionArchive.objects.exists()


def test_a_body_is_ignored(clients, assignment):
    response = clients["instructor"].post(url(assignment), {"status": "ready", "key": "private/x"}, format="json")
    assert response.status_code == 202 and response.data["status"] == "pending"
    assert SubmissionArchive.objects.get().status == "pending"
