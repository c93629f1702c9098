"""PUT and PATCH /lessons/<id>/."""

import pytest

from conftest import ROLES
from courses.tests.api.helpers import LESSON_BODY, MANAGERS, course_of_kind, lesson_orders, lesson_url, table

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("kind", ["published", "draft"])
@pytest.mark.parametrize("role", ROLES)
def test_lesson_patch_for_every_role(clients, published, draft, kind, role):
    course = course_of_kind(kind, published, draft)
    lesson = course.lessons.first()
    expected = table(kind)[role]

    response = clients[role].patch(lesson_url(lesson.pk), {"title": "Renamed", "is_preview": True})

    assert response.status_code == expected
    lesson.refresh_from_db()
    assert (lesson.title == "Renamed") == (expected == 200)
    assert lesson.is_preview == (expected == 200)


@pytest.mark.parametrize("role", MANAGERS)
def test_lesson_put_replaces(clients, published, role):
    lesson = published.lessons.first()
    response = clients[role].put(lesson_url(lesson.pk), {**LESSON_BODY, "title": "Put"})
    assert response.status_code == 200
    lesson.refresh_from_db()
    assert (lesson.title, lesson.duration_seconds, lesson.is_preview) == ("Put", 120, True)


def test_lesson_patch_order_moves_it(clients, published):
    section = published.sections.get(title="S1")
    second = section.lessons.get(title="S1L2")
    assert clients["instructor"].patch(lesson_url(second.pk), {"order": 1}).status_code == 200
    assert lesson_orders(section) == [("S1L2", 1), ("S1L1", 2)]
