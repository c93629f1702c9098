"""DELETE /sections/<id>/: the section and its lessons."""

import pytest

from conftest import ROLES
from courses.models import Section
from courses.tests.api.helpers import course_of_kind, ok, section_url, table

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("kind", ["published", "draft"])
@pytest.mark.parametrize("role", ROLES)
def test_section_delete_for_every_role(clients, published, draft, kind, role):
    course = course_of_kind(kind, published, draft)
    section = course.sections.first()
    lessons_before = course.lesson_count
    removed = section.lessons.count()
    expected = ok(table(kind)[role], 204)

    response = clients[role].delete(section_url(section.pk))

    assert response.status_code == expected
    course.refresh_from_db()
    if expected == 204:
        assert not Section.objects.filter(pk=section.pk).exists()
        assert course.lesson_count == lessons_before - removed == course.lessons.count()
    else:
        assert Section.objects.filter(pk=section.pk).exists()
        assert course.lesson_count == lessons_before
