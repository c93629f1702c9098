"""GET /submissions/<id>/: the student who made it and the course's staff; anybody else 404. Its
files come as signed links anybody holding them can fetch."""

import pytest

from assignments.tests.api.conftest import (
    SUBMISSION_READ,
    SUBMISSION_TEXT,
    fetch,
    grade,
    ready_upload,
    submission_url,
    submit,
)
from conftest import ROLES, client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def with_file(student, assignment):
    upload_id = ready_upload(student)
    return submit(student, assignment, text="See the file.", files=[upload_id]), upload_id


@pytest.mark.parametrize("role", ROLES)
def test_retrieve_for_every_role(clients, student, with_file, role):
    submission, upload_id = with_file

    response = clients[role].get(submission_url(submission.pk))

    assert response.status_code == SUBMISSION_READ[role], response.content
    if SUBMISSION_READ[role] == 200:
        data = response.data
        assert (data["id"], data["student"]["id"], data["text"]) == (submission.pk, student.pk, "See the file.")
        assert [f["id"] for f in data["files"]] == [upload_id]
        assert data["files"][0]["url"].startswith("http://testserver/files/signed/")
        assert fetch(data["files"][0]["url"]) == SUBMISSION_TEXT


def test_a_classmates_submission_is_404(classmate, assignment, submission):
    theirs = submit(classmate, assignment)
    assert client_for(classmate).get(submission_url(submission.pk)).status_code == 404
    assert client_for(classmate).get(submission_url(theirs.pk)).status_code == 200


def test_with_its_grade(clients, instructor, submission):
    grade(instructor, submission, score=70, feedback="Fine.")

    data = clients["student"].get(submission_url(submission.pk)).data

    assert data["status"] == "graded"
    assert (data["grade"]["score"], data["grade"]["points"], data["grade"]["feedback"]) == ("70.00", "70.00", "Fine.")
    assert data["grade"]["graded_by"]["id"] == instructor.pk


def test_a_tampered_file_link_is_refused(clients, with_file):
    submission, _ = with_file
    link = clients["student"].get(submission_url(submission.pk)).data["files"][0]["url"]
    response = client_for(None).get(link.removeprefix("http://testserver")[:-3] + "xyz/")
    assert response.status_code in (403, 404)


@pytest.mark.parametrize("bad", ["999999", "abc"])
def test_an_unknown_id_is_404(clients, bad):
    assert clients["admin"].get(f"/api/v1/submissions/{bad}/").status_code == 404


def test_there_is_no_list_or_write(clients, submission):
    assert clients["admin"].get("/api/v1/submissions/").status_code in (404, 405)
    assert clients["student"].patch(submission_url(submission.pk), {"text": "changed"}).status_code == 405
    assert clients["student"].delete(submission_url(submission.pk)).status_code == 405
