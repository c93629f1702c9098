"""GET /categories/ and /categories/<id>/, for every role."""

import pytest

from conftest import ROLES
from courses.tests.api.helpers import CATEGORIES, category_url
from courses.tests.factories import (
    CategoryFactory,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ROLES)
def test_categories_list_and_retrieve_for_every_role(clients, role):
    web = CategoryFactory(name="Web", slug="web")
    CategoryFactory(name="Data", slug="data")

    listed = clients[role].get(CATEGORIES)
    one = clients[role].get(category_url(web.pk))

    assert listed.status_code == 200
    assert [c["name"] for c in listed.data["results"]] == ["Data", "Web"]
    assert one.status_code == 200
    assert one.data == {"id": web.pk, "name": "Web", "slug": "web"}


def test_unknown_category_is_404(clients):
    assert clients["anonymous"].get(category_url(999999)).status_code == 404
