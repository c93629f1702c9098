"""DELETE /categories/<id>/ (admins): only an empty category."""

import pytest

from courses.models import Category
from courses.tests.api.helpers import NOT_ADMIN, category_url
from courses.tests.factories import (
    CategoryFactory,
    CourseFactory,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("role", "expected"), [*NOT_ADMIN.items(), ("admin", 204)])
def test_category_delete_is_admin_only(clients, role, expected):
    category = CategoryFactory()

    response = clients[role].delete(category_url(category.pk))

    assert response.status_code == expected
    assert Category.objects.filter(pk=category.pk).exists() == (expected != 204)


def test_delete_category_with_courses_is_409(clients):
    category = CategoryFactory()
    CourseFactory(category=category)

    response = clients["admin"].delete(category_url(category.pk))

    assert response.status_code == 409
    assert Category.objects.filter(pk=category.pk).exists()
