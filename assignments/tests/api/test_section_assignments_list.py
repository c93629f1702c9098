"""GET /sections/<id>/assignments/: a section's assignments in order, for enrolled students and the
course's staff."""

import pytest

from assignments.tests.api.conftest import READ, section_assignments_url
from assignments.tests.factories import AssignmentFactory, CriterionFactory
from conftest import ROLES
from courses.tests.factories import CourseFactory, SectionFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ROLES)
def test_list_for_every_role(clients, section, assignment, role):
    response = clients[role].get(section_assignments_url(section.pk))

    assert response.status_code == READ[role], response.content
    if READ[role] == 200:
        assert [a["id"] for a in response.data] == [assignment.pk]
        assert [c["title"] for c in response.data[0]["rubric"]] == ["Argument", "Style"]
    elif READ[role] == 403:
        assert response.data["code"] == "not_enrolled"


@pytest.mark.parametrize(
    ("role", "expected"),
    [("student", 404), ("other_student", 404), ("other_instructor", 404), ("instructor", 200), ("admin", 200)],
)
def test_a_draft_courses_sections_are_hidden_from_outsiders(clients, instructor, role, expected):
    section = SectionFactory(course=CourseFactory(instructor=instructor), order=1)
    AssignmentFactory(section=section, course=section.course)
    assert clients[role].get(section_assignments_url(section.pk)).status_code == expected


def test_listed_in_order_then_id(clients, section):
    third = AssignmentFactory(section=section, course=section.course, order=3, title="C")
    first = AssignmentFactory(section=section, course=section.course, order=1, title="A")
    second_a = AssignmentFactory(section=section, course=section.course, order=2, title="B1")
    second_b = AssignmentFactory(section=section, course=section.course, order=2, title="B2")
    AssignmentFactory(title="Elsewhere")  # another course's section

    response = clients["student"].get(section_assignments_url(section.pk))

    assert [a["id"] for a in response.data] == [first.pk, second_a.pk, second_b.pk, third.pk]


def test_an_unknown_section_is_404(clients):
    assert clients["admin"].get(section_assignments_url(999999)).status_code == 404


def _make(section, n):
    for i in range(n):
        assignment = AssignmentFactory(section=section, course=section.course, order=i + 1)
        CriterionFactory(assignment=assignment)
        CriterionFactory(assignment=assignment)


@pytest.mark.parametrize("role", ["student", "instructor"])
def test_the_query_count_does_not_grow_with_the_assignments(clients, section, role, django_assert_max_num_queries):
    _make(section, 2)
    with django_assert_max_num_queries(5) as few:
        assert clients[role].get(section_assignments_url(section.pk)).status_code == 200
    at_two = len(few)
    _make(section, 8)
    with django_assert_max_num_queries(at_two):
        response = clients[role].get(section_assignments_url(section.pk))
    assert len(response.data) == 10
