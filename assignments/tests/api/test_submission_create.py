"""POST /assignments/<id>/submissions/: an enrolled student submits text, a url or files (ready
`submission_file` uploads of their own); refusals: 403 `not_enrolled` (staff included), 409
`cutoff_passed` / `past_due` / `attempts_used` / `already_graded`, 400 naming the field."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from assignments.models import Submission
from assignments.tests.api.conftest import (
    SUBMISSION_TEXT,
    SUBMIT,
    assignment_url,
    conflict,
    fetch,
    grade,
    ready_upload,
    refused_on,
    submit,
)
from conftest import ROLES, client_for
from media.models import Upload

pytestmark = pytest.mark.django_db


def post(client, assignment, body):
    return client.post(assignment_url(assignment.pk, "submissions"), body, format="json")


@pytest.mark.parametrize("role", ROLES)
def test_submit_for_every_role(clients, assignment, role):
    response = post(clients[role], assignment, {"text": "My answer."})

    expected = 201 if SUBMIT[role] == 200 else SUBMIT[role]
    assert response.status_code == expected, response.content
    assert Submission.objects.filter(assignment=assignment).count() == (1 if expected == 201 else 0)
    if expected == 403:
        assert response.data["code"] == "not_enrolled"


def test_text(clients, student, assignment):
    response = post(clients["student"], assignment, {"text": "My answer."})

    assert response.status_code == 201, response.content
    data = response.data
    assert set(data) >= {
        "id", "assignment", "student", "attempt", "status", "submitted_at", "is_late", "text", "url", "files", "grade",
    }  # fmt: skip
    assert (data["assignment"], data["student"]["id"], data["attempt"], data["status"]) == (
        assignment.pk,
        student.pk,
        1,
        "submitted",
    )
    assert (data["text"], data["url"], data["files"], data["grade"], data["is_late"]) == (
        "My answer.",
        "",
        [],
        None,
        False,
    )


def test_url(clients, assignment):
    response = post(clients["student"], assignment, {"url": "https://github.com/me/project"})
    assert response.status_code == 201, response.content
    assert response.data["url"] == "https://github.com/me/project"


def test_files_uploaded_through_the_api(clients, student, assignment):
    first = ready_upload(student)
    second = ready_upload(student, data=b"Appendix\n" * 5, filename="appendix.txt")

    response = post(clients["student"], assignment, {"files": [second, first], "text": "See the files."})

    assert response.status_code == 201, response.content
    files = response.data["files"]
    assert [f["id"] for f in files] == [second, first]
    assert (files[1]["filename"], files[1]["content_type"], files[1]["size"]) == (
        "essay.txt",
        "text/plain",
        len(SUBMISSION_TEXT),
    )
    assert files[1]["url"].startswith("http://testserver/files/signed/")
    assert fetch(files[1]["url"]) == SUBMISSION_TEXT
    assert fetch(files[0]["url"]) == b"Appendix\n" * 5
    assert Upload.objects.get(pk=first).attached_at is not None


def test_resubmitting_makes_the_next_attempt(clients, student, assignment):
    submit(student, assignment)
    response = post(clients["student"], assignment, {"text": "Second try."})
    assert response.status_code == 201 and response.data["attempt"] == 2
    assert Submission.objects.filter(student=student, assignment=assignment).count() == 2


# --- 409s: time, attempts, grading ----------------------------------------------------------------
def test_after_the_cutoff_is_a_409(student, assignment):
    now = timezone.now()
    assignment.due_at, assignment.cutoff_at = now + timedelta(days=1), now + timedelta(days=2)
    assignment.save()

    with time_machine.travel(now + timedelta(days=2, minutes=1)):
        conflict(post(client_for(student), assignment, {"text": "Too late."}), "cutoff_passed")
    assert not Submission.objects.exists()


def test_before_the_cutoff_late_work_is_taken_and_marked_late(student, assignment):
    now = timezone.now()
    assignment.due_at, assignment.cutoff_at = now + timedelta(days=1), now + timedelta(days=3)
    assignment.save()

    with time_machine.travel(now + timedelta(days=2, hours=1)):
        response = post(client_for(student), assignment, {"text": "Late."})

    assert response.status_code == 201, response.content
    assert response.data["is_late"] is True and response.data["days_late"] == 2


def test_late_work_refused_is_a_409(student, assignment):
    now = timezone.now()
    assignment.due_at, assignment.accept_late = now + timedelta(hours=1), False
    assignment.save()

    with time_machine.travel(now + timedelta(minutes=59)):
        assert post(client_for(student), assignment, {"text": "Just in time."}).status_code == 201
    with time_machine.travel(now + timedelta(hours=1, minutes=1)):
        conflict(post(client_for(student), assignment, {"text": "Late."}), "past_due")
    assert Submission.objects.count() == 1


def test_every_attempt_used_is_a_409(clients, student, assignment):
    assignment.max_attempts = 2
    assignment.save()
    for _ in range(2):
        assert post(clients["student"], assignment, {"text": "Try."}).status_code == 201

    conflict(post(clients["student"], assignment, {"text": "Third."}), "attempts_used")
    assert Submission.objects.count() == 2


def test_with_attempts_left_a_graded_submission_does_not_stop_a_resubmission(clients, instructor, student, assignment):
    assignment.max_attempts = 2
    assignment.save()
    grade(instructor, submit(student, assignment), score=40)
    assert post(clients["student"], assignment, {"text": "Better."}).status_code == 201


def test_without_an_attempt_limit_grading_closes_it(clients, instructor, student, assignment):
    grade(instructor, submit(student, assignment))
    conflict(post(clients["student"], assignment, {"text": "Again."}), "already_graded")


# --- 400s ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("types", "body", "field"),
    [
        pytest.param(["text"], {"url": "https://example.com/x"}, "url", id="url-to-text-only"),
        pytest.param(["url"], {"text": "words"}, "text", id="text-to-url-only"),
        pytest.param(["text", "url"], {}, "text", id="nothing"),
        pytest.param(["text"], {"text": "   "}, "text", id="blank-text"),
        pytest.param(["url"], {"url": "not a url"}, "url", id="bad-url"),
        pytest.param(["url"], {"url": "javascript:alert(1)"}, "url", id="javascript-url"),
        pytest.param(["file"], {"files": ["not-a-uuid"]}, "files", id="files-not-ids"),
        pytest.param(["file"], {"files": "x"}, "files", id="files-not-a-list"),
        pytest.param(["file"], {"files": ["6f1c1c8e-9a0e-4f0e-8a55-6a4c2f7f0d11"]}, "files", id="unknown-upload"),
        pytest.param(["text"], {"text": ["a", "list"]}, "text", id="text-not-a-string"),
    ],
)
def test_bad_work_is_a_400_naming_the_field(clients, assignment, types, body, field):
    assignment.submission_types = types
    assignment.save()

    refused_on(post(clients["student"], assignment, body), field)
    assert not Submission.objects.exists()


def test_files_to_a_text_only_assignment(clients, student, assignment):
    assignment.submission_types = ["text"]
    assignment.save()
    upload_id = ready_upload(student)

    refused_on(post(clients["student"], assignment, {"files": [upload_id]}), "files")
    assert Upload.objects.get(pk=upload_id).attached_at is None


def test_someone_elses_upload_is_refused(clients, classmate, assignment):
    theirs = ready_upload(classmate)

    refused_on(post(clients["student"], assignment, {"files": [theirs]}), "files")
    assert not Submission.objects.exists()
    assert Upload.objects.get(pk=theirs).attached_at is None


def test_an_upload_used_twice_is_refused(clients, student, assignment):
    upload_id = ready_upload(student)
    refused_on(post(clients["student"], assignment, {"files": [upload_id, upload_id]}), "files")

    assert post(clients["student"], assignment, {"files": [upload_id]}).status_code == 201
    refused_on(post(clients["student"], assignment, {"files": [upload_id]}), "files")  # attached already
    assert Submission.objects.count() == 1


def test_a_file_of_a_type_the_assignment_does_not_take(clients, student, assignment):
    assignment.allowed_file_types = ["application/pdf"]
    assignment.save()
    upload_id = ready_upload(student)

    body = refused_on(post(clients["student"], assignment, {"files": [upload_id]}), "files")

    assert body["code"] == "file_type"
    assert not Submission.objects.exists()
    assert Upload.objects.get(pk=upload_id).attached_at is None


def test_more_files_than_allowed(clients, student, assignment):
    assignment.max_files = 1
    assignment.save()
    ids = [ready_upload(student), ready_upload(student)]
    refused_on(post(clients["student"], assignment, {"files": ids}), "files")


def test_unknown_fields_are_ignored(clients, student, classmate, assignment):
    response = post(
        clients["student"],
        assignment,
        {"text": "Mine.", "student": classmate.pk, "attempt": 9, "status": "graded", "grade": {"score": 100}},
    )
    assert response.status_code == 201, response.content
    assert (response.data["student"]["id"], response.data["attempt"], response.data["status"]) == (
        student.pk,
        1,
        "submitted",
    )
    assert response.data["grade"] is None


def test_an_unknown_assignment_is_404(clients):
    assert clients["student"].post(assignment_url(999999, "submissions"), {"text": "x"}).status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param({"text": "nul \x00 inside"}, "text", id="nul-in-text"),
        pytest.param({"url": "https://example.com/\x00"}, "url", id="nul-in-url"),
        pytest.param({"text": "x" * 100001}, "text", id="text-too-long"),
        pytest.param({"url": "https://example.com/" + "a" * 1000}, "url", id="url-too-long"),
    ],
)
def test_hostile_work_is_a_400(clients, assignment, body, field):
    refused_on(post(clients["student"], assignment, body), field)
    assert not Submission.objects.exists()


@pytest.mark.parametrize("huge", ["99999999999999999999", "2147483648"])
def test_an_id_out_of_range_is_404(clients, huge):
    assert clients["student"].post(f"/api/v1/assignments/{huge}/submissions/", {"text": "x"}).status_code == 404
    assert clients["student"].get(f"/api/v1/assignments/{huge}/submissions/").status_code == 404
    assert clients["admin"].get(f"/api/v1/submissions/{huge}/").status_code == 404
    assert clients["admin"].post(f"/api/v1/submissions/{huge}/grade/", {"score": 1}).status_code == 404
    assert clients["admin"].get(f"/api/v1/sections/{huge}/assignments/").status_code == 404
