"""POST /courses/<id>/sections/reorder/."""

import pytest

from conftest import ROLES
from courses.models import Section
from courses.tests.api.helpers import ON_PUBLISHED, course_url, section_orders
from courses.tests.factories import (
    SectionFactory,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ROLES)
def test_sections_reorder_for_every_role(clients, published, role):
    s1, s2 = published.sections.order_by("order")
    expected = ON_PUBLISHED[role]

    response = clients[role].post(course_url(published.pk, "sections/reorder"), {"order": [s2.pk, s1.pk]})

    assert response.status_code == expected
    if expected == 200:
        assert [s["id"] for s in response.data] == [s2.pk, s1.pk]
        assert section_orders(published) == [("S2", 1), ("S1", 2)]
    else:
        assert section_orders(published) == [("S1", 1), ("S2", 2)]


@pytest.mark.parametrize("bad", ["missing", "duplicate", "foreign", "unknown", "empty", "not-a-list", "strings"])
def test_sections_reorder_bad_ids_are_400_and_change_nothing(clients, published, bad):
    s1, s2 = published.sections.order_by("order")
    foreign = SectionFactory()
    order = {
        "missing": [s2.pk],
        "duplicate": [s2.pk, s1.pk, s1.pk],
        "foreign": [s2.pk, s1.pk, foreign.pk],
        "unknown": [s2.pk, 999999],
        "empty": [],
        "not-a-list": s1.pk,
        "strings": ["a", "b"],
    }[bad]

    response = clients["instructor"].post(course_url(published.pk, "sections/reorder"), {"order": order})

    assert response.status_code == 400
    assert section_orders(published) == [("S1", 1), ("S2", 2)]
    assert foreign.order == Section.objects.get(pk=foreign.pk).order
