"""DELETE /lessons/<id>/, and the course's lesson_count through curriculum changes."""

import pytest

from conftest import ROLES
from courses.models import Lesson
from courses.tests.api.helpers import course_of_kind, course_url, lesson_url, ok, section_url, table

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("kind", ["published", "draft"])
@pytest.mark.parametrize("role", ROLES)
def test_lesson_delete_for_every_role(clients, published, draft, kind, role):
    course = course_of_kind(kind, published, draft)
    lesson = course.lessons.first()
    before = course.lesson_count
    expected = ok(table(kind)[role], 204)

    response = clients[role].delete(lesson_url(lesson.pk))

    assert response.status_code == expected
    course.refresh_from_db()
    assert Lesson.objects.filter(pk=lesson.pk).exists() == (expected != 204)
    assert course.lesson_count == course.lessons.count() == before - (expected == 204)


def test_lesson_count_stays_right_through_curriculum_changes(clients, draft):
    client = clients["instructor"]
    section = client.post(course_url(draft.pk, "sections"), {"title": "Extra"}).data
    made = [client.post(section_url(section["id"], "lessons"), {"title": f"L{i}"}).data["id"] for i in range(3)]
    draft.refresh_from_db()
    assert draft.lesson_count == 4

    client.delete(lesson_url(made[0]))
    draft.refresh_from_db()
    assert draft.lesson_count == 3

    client.delete(section_url(section["id"]))
    draft.refresh_from_db()
    assert draft.lesson_count == 1 == draft.lessons.count()
    assert client.get(course_url(draft.pk)).data["lesson_count"] == 1
