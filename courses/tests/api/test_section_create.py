"""POST /courses/<id>/sections/."""

import pytest

from conftest import ROLES
from courses.tests.api.helpers import course_of_kind, course_url, ok, section_orders, table

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("kind", ["published", "draft"])
@pytest.mark.parametrize("role", ROLES)
def test_section_create_for_every_role(clients, published, draft, kind, role):
    course = course_of_kind(kind, published, draft)
    expected = ok(table(kind)[role], 201)
    before = course.sections.count()

    response = clients[role].post(course_url(course.pk, "sections"), {"title": "New section"})

    assert response.status_code == expected
    assert course.sections.count() == before + (expected == 201)
    if expected == 201:
        assert response.data["title"] == "New section"
        assert response.data["order"] == before + 1
        assert response.data["lessons"] == []


def test_section_create_at_a_position_moves_the_others(clients, published):
    response = clients["instructor"].post(course_url(published.pk, "sections"), {"title": "Intro", "order": 1})

    assert response.status_code == 201
    assert response.data["order"] == 1
    assert section_orders(published) == [("Intro", 1), ("S1", 2), ("S2", 3)]


@pytest.mark.parametrize(
    "body",
    [{}, {"title": ""}, {"title": "x" * 201}, {"title": "ok", "order": 0}, {"title": "ok", "order": "abc"}],
    ids=str,
)
def test_section_create_bad_input_is_400(clients, published, body):
    assert clients["instructor"].post(course_url(published.pk, "sections"), body).status_code == 400
    assert published.sections.count() == 2
