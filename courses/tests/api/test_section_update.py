"""PATCH /sections/<id>/: rename or move a section."""

import pytest

from conftest import ROLES
from courses.tests.api.helpers import course_of_kind, section_orders, section_url, table

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("kind", ["published", "draft"])
@pytest.mark.parametrize("role", ROLES)
def test_section_patch_for_every_role(clients, published, draft, kind, role):
    course = course_of_kind(kind, published, draft)
    section = course.sections.first()
    expected = table(kind)[role]

    response = clients[role].patch(section_url(section.pk), {"title": "Renamed"})

    assert response.status_code == expected
    section.refresh_from_db()
    assert (section.title == "Renamed") == (expected == 200)


def test_section_patch_order_moves_it(clients, published):
    s2 = published.sections.get(title="S2")
    response = clients["instructor"].patch(section_url(s2.pk), {"order": 1})
    assert response.status_code == 200
    assert response.data["order"] == 1
    assert section_orders(published) == [("S2", 1), ("S1", 2)]
