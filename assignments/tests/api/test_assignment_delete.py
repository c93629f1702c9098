"""DELETE /assignments/<id>/: the course's instructor or an admin, only while nobody has submitted
to it (409 `has_submissions`: no student's work is lost)."""

import pytest

from assignments.models import Assignment, RubricCriterion, Submission
from assignments.tests.api.conftest import MANAGE, MANAGERS, assignment_url, conflict, ok, submit
from conftest import ROLES

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ROLES)
def test_delete_for_every_role(clients, assignment, role):
    response = clients[role].delete(assignment_url(assignment.pk))

    assert response.status_code == ok(MANAGE[role], 204), response.content
    assert Assignment.objects.filter(pk=assignment.pk).exists() == (MANAGE[role] != 200)


def test_deleting_takes_the_rubric(clients, assignment):
    assert clients["instructor"].delete(assignment_url(assignment.pk)).status_code == 204
    assert not RubricCriterion.objects.filter(assignment_id=assignment.pk).exists()
    assert clients["instructor"].get(assignment_url(assignment.pk)).status_code == 404


@pytest.mark.parametrize("role", MANAGERS)
def test_with_submissions_it_is_a_409(clients, student, assignment, role):
    submission = submit(student, assignment)

    conflict(clients[role].delete(assignment_url(assignment.pk)), "has_submissions")

    assert Assignment.objects.filter(pk=assignment.pk).exists()
    assert Submission.objects.filter(pk=submission.pk).exists()
