"""GET /courses/<id>/sections/ and /sections/<id>/."""

import pytest

from conftest import ROLES
from courses.tests.api.helpers import MANAGERS, course_of_kind, course_url, section_url

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("kind", ["published", "draft"])
@pytest.mark.parametrize("role", ROLES)
def test_section_list_for_every_role(clients, published, draft, kind, role):
    course = course_of_kind(kind, published, draft)
    expected = 200 if kind == "published" or role in MANAGERS else 404

    response = clients[role].get(course_url(course.pk, "sections"))

    assert response.status_code == expected
    if expected == 200:
        assert [s["title"] for s in response.data] == [s.title for s in course.sections.order_by("order")]


@pytest.mark.parametrize("role", ROLES)
def test_section_retrieve_for_every_role(clients, published, role):
    section = published.sections.get(title="S1")
    response = clients[role].get(section_url(section.pk))
    assert response.status_code == 200
    assert [lesson["title"] for lesson in response.data["lessons"]] == ["S1L1", "S1L2"]
