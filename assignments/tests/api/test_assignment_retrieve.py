"""GET /assignments/<id>/: enrolled students and the course's staff."""

import pytest

from assignments.tests.api.conftest import READ, assignment_url
from assignments.tests.factories import AssignmentFactory
from conftest import ROLES
from courses.tests.factories import CourseFactory, SectionFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ROLES)
def test_retrieve_for_every_role(clients, assignment, role):
    response = clients[role].get(assignment_url(assignment.pk))

    assert response.status_code == READ[role], response.content
    if READ[role] == 200:
        data = response.data
        assert data["id"] == assignment.pk and data["title"] == assignment.title
        assert data["submission_types"] == ["text", "file", "url"]
        assert [(c["title"], c["points"]) for c in data["rubric"]] == [("Argument", 60), ("Style", 40)]
        assert set(data["late_policy"]) == {"accept_late", "penalty_percent_per_day", "cutoff_at"}
    elif READ[role] == 403:
        assert response.data["code"] == "not_enrolled"


@pytest.mark.parametrize(
    ("role", "expected"),
    [("student", 404), ("other_student", 404), ("other_instructor", 404), ("instructor", 200), ("admin", 200)],
)
def test_in_a_draft_course(clients, instructor, role, expected):
    section = SectionFactory(course=CourseFactory(instructor=instructor), order=1)
    assignment = AssignmentFactory(section=section, course=section.course)
    assert clients[role].get(assignment_url(assignment.pk)).status_code == expected


@pytest.mark.parametrize("bad", ["999999", "abc", "0"])
def test_an_unknown_id_is_404(clients, bad):
    assert clients["admin"].get(f"/api/v1/assignments/{bad}/").status_code == 404
