"""GET /assignments/<id>/submissions/: a student reads their own attempts, the course's staff every
student's (`?status=submitted|graded`); paginated; the query count does not grow with the page."""

from datetime import timedelta

import pytest
from django.utils import timezone

from assignments.models import Submission
from assignments.tests.api.conftest import (
    READ,
    assignment_url,
    enrolled_student,
    grade,
    ready_upload,
    refused_on,
    submit,
)
from conftest import ROLES, client_for

pytestmark = pytest.mark.django_db


def url(assignment, query=""):
    return assignment_url(assignment.pk, "submissions") + query


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.data["results"]]


@pytest.fixture
def work(instructor, student, classmate, assignment):
    """Two attempts of `student` (not graded), then one of `classmate`, graded."""
    mine = [submit(student, assignment, text="one"), submit(student, assignment, text="two")]
    theirs = submit(classmate, assignment, text="theirs")
    grade(instructor, theirs, score=90)
    return {"mine": [s.pk for s in mine], "theirs": theirs.pk}


@pytest.mark.parametrize("role", ROLES)
def test_list_for_every_role(clients, assignment, work, role):
    response = clients[role].get(url(assignment))

    assert response.status_code == READ[role], response.content
    if role == "student":
        assert ids(response) == work["mine"]
    elif READ[role] == 200:
        assert ids(response) == [*work["mine"], work["theirs"]]
    elif READ[role] == 403:
        assert response.data["code"] == "not_enrolled"


def test_a_student_without_submissions_sees_none(assignment, work):
    assert ids(client_for(enrolled_student(assignment.course)).get(url(assignment))) == []


@pytest.mark.parametrize(("status", "which"), [("submitted", "mine"), ("graded", "theirs"), ("", "all")])
@pytest.mark.parametrize("role", ["instructor", "admin"])
def test_staff_filter_by_status(clients, assignment, work, role, status, which):
    expected = {"mine": work["mine"], "theirs": [work["theirs"]], "all": [*work["mine"], work["theirs"]]}[which]
    assert ids(clients[role].get(url(assignment, f"?status={status}"))) == expected


def test_a_students_filter_stays_on_their_own(clients, instructor, student, assignment, work):
    assert ids(clients["student"].get(url(assignment, "?status=graded"))) == []
    assert ids(clients["student"].get(url(assignment, "?status=submitted"))) == work["mine"]


@pytest.mark.parametrize("bad", ["late", "GRADED", "submitted,graded", "%00"])
def test_a_bad_status_is_a_400(clients, assignment, work, bad):
    refused_on(clients["instructor"].get(url(assignment, f"?status={bad}")), "status")


def test_oldest_first(clients, instructor, assignment):
    now = timezone.now()
    students = [enrolled_student(assignment.course) for _ in range(3)]
    made = [submit(s, assignment) for s in students]
    for submission, hours in zip(made, [1, 3, 2], strict=True):
        Submission.objects.filter(pk=submission.pk).update(submitted_at=now - timedelta(hours=hours))
    assert ids(clients["instructor"].get(url(assignment))) == [made[1].pk, made[2].pk, made[0].pk]


def test_the_pagination_envelope(clients, assignment, work):
    response = clients["instructor"].get(url(assignment, "?page_size=2"))

    assert response.status_code == 200
    assert set(response.data) == {"count", "next", "previous", "results"}
    assert response.data["count"] == 3 and len(response.data["results"]) == 2
    assert response.data["previous"] is None and "page=2" in response.data["next"]
    second = clients["instructor"].get(response.data["next"].removeprefix("http://testserver"))
    assert ids(second) == [work["theirs"]] and second.data["next"] is None


@pytest.mark.parametrize("query", ["?page=0", "?page=x", "?page_size=-1", "?page=99"])
def test_bad_pages(clients, assignment, work, query):
    response = clients["instructor"].get(url(assignment, query))
    assert response.status_code in (400, 404), response.content
    if response.status_code == 400:
        refused_on(response, query[1:].split("=")[0])


def test_a_row_has_its_grade_and_files(clients, instructor, student, assignment):
    upload_id = ready_upload(student)
    submission = submit(student, assignment, files=[upload_id])
    grade(instructor, submission, score=75, feedback="Good.")

    row = clients["student"].get(url(assignment)).data["results"][0]

    assert [f["id"] for f in row["files"]] == [upload_id]
    assert row["files"][0]["url"].startswith("http://testserver/files/signed/")
    assert (row["status"], row["grade"]["score"], row["grade"]["feedback"]) == ("graded", "75.00", "Good.")


def _graded_with_a_file(instructor, assignment, n):
    for _ in range(n):
        student = enrolled_student(assignment.course)
        grade(instructor, submit(student, assignment, text="with a file", files=[ready_upload(student)]), score=50)


@pytest.mark.parametrize("role", ["instructor", "admin"])
def test_the_query_count_does_not_grow_with_the_submissions(
    clients, instructor, assignment, role, django_assert_max_num_queries
):
    _graded_with_a_file(instructor, assignment, 2)
    with django_assert_max_num_queries(7) as two:
        response = clients[role].get(url(assignment))
    assert len(response.data["results"]) == 2
    at_two = len(two)  # now: a later request resets the connection's query log

    _graded_with_a_file(instructor, assignment, 8)
    with django_assert_max_num_queries(at_two):
        response = clients[role].get(url(assignment))
    assert len(response.data["results"]) == 10
    assert all(row["files"] and row["grade"] for row in response.data["results"])


def test_a_students_query_count_is_fixed(clients, student, instructor, assignment, django_assert_max_num_queries):
    assignment.max_attempts = 10
    assignment.save()
    for _ in range(6):
        grade(instructor, submit(student, assignment, files=[ready_upload(student)]), score=10)
    with django_assert_max_num_queries(8):
        response = clients["student"].get(url(assignment))
    assert len(response.data["results"]) == 6
