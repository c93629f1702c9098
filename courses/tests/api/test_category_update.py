"""PATCH /categories/<id>/ (admins)."""

import pytest

from courses.tests.api.helpers import NOT_ADMIN, category_url
from courses.tests.factories import (
    CategoryFactory,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("role", "expected"), [*NOT_ADMIN.items(), ("admin", 200)])
def test_category_patch_is_admin_only(clients, role, expected):
    category = CategoryFactory(name="Old", slug="old")

    response = clients[role].patch(category_url(category.pk), {"name": "New"})

    assert response.status_code == expected
    category.refresh_from_db()
    assert category.name == ("New" if expected == 200 else "Old")


def test_category_put_is_not_allowed(clients):
    category = CategoryFactory()
    assert clients["admin"].put(category_url(category.pk), {"name": "X"}).status_code == 405


def test_category_rename_to_taken_name_is_400(clients):
    CategoryFactory(name="Python", slug="python")
    other = CategoryFactory(name="Go", slug="go")

    response = clients["admin"].patch(category_url(other.pk), {"name": "python"})

    assert response.status_code == 400
    other.refresh_from_db()
    assert other.name == "Go"
