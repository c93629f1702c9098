"""GET /assignments/<id>/next-ungraded/: the course's staff get the oldest submission still to
grade, or 204 when none is left."""

from datetime import timedelta

import pytest
from django.utils import timezone

from assignments.models import Submission
from assignments.tests.api.conftest import MANAGE, MANAGERS, assignment_url, enrolled_student, grade, submit
from conftest import ROLES

pytestmark = pytest.mark.django_db


def url(assignment):
    return assignment_url(assignment.pk, "next-ungraded")


@pytest.mark.parametrize("role", ROLES)
def test_next_ungraded_for_every_role(clients, submission, assignment, role):
    response = clients[role].get(url(assignment))

    assert response.status_code == MANAGE[role], response.content
    if MANAGE[role] == 200:
        assert response.data["id"] == submission.pk and response.data["status"] == "submitted"
    elif MANAGE[role] == 403:
        assert response.data["code"] == "not_course_staff"


@pytest.mark.parametrize("role", MANAGERS)
def test_oldest_first_then_204(clients, instructor, assignment, role):
    now = timezone.now()
    made = [submit(enrolled_student(assignment.course), assignment) for _ in range(3)]
    for submission, hours in zip(made, [2, 3, 1], strict=True):
        Submission.objects.filter(pk=submission.pk).update(submitted_at=now - timedelta(hours=hours))
    order = [made[1], made[0], made[2]]

    for expected in order:
        response = clients[role].get(url(assignment))
        assert response.status_code == 200 and response.data["id"] == expected.pk
        grade(instructor, expected)

    response = clients[role].get(url(assignment))
    assert response.status_code == 204 and not response.content


def test_204_without_submissions(clients, assignment):
    assert clients["instructor"].get(url(assignment)).status_code == 204


def test_only_this_assignments_submissions(clients, student, assignment, section):
    from assignments.tests.factories import AssignmentFactory

    elsewhere = AssignmentFactory(section=section, course=section.course)
    submit(student, elsewhere)
    assert clients["instructor"].get(url(assignment)).status_code == 204
