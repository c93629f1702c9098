"""POST /categories/ (admins)."""

import pytest

from courses.models import Category
from courses.tests.api.helpers import CATEGORIES, NOT_ADMIN
from courses.tests.factories import (
    CategoryFactory,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("role", "expected"), [*NOT_ADMIN.items(), ("admin", 201)])
def test_category_create_is_admin_only(clients, role, expected):
    response = clients[role].post(CATEGORIES, {"name": "Machine Learning"})

    assert response.status_code == expected
    assert Category.objects.filter(name="Machine Learning").exists() == (expected == 201)
    if expected == 201:
        assert response.data["slug"] == "machine-learning"
        assert set(response.data) == {"id", "name", "slug"}


@pytest.mark.parametrize("name", ["Python", "python", "PYTHON"])
def test_category_duplicate_name_is_400(clients, name):
    CategoryFactory(name="Python", slug="python")

    response = clients["admin"].post(CATEGORIES, {"name": name})

    assert response.status_code == 400
    assert Category.objects.count() == 1


@pytest.mark.parametrize(
    "body",
    [{}, {"name": ""}, {"name": "x" * 101}, {"name": "Ok", "slug": "not a slug!"}, {"name": None}],
    ids=["missing", "empty", "too-long", "bad-slug", "null"],
)
def test_category_bad_input_is_400(clients, body):
    assert clients["admin"].post(CATEGORIES, body).status_code == 400
    assert Category.objects.count() == 0
