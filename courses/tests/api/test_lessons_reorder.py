"""POST /sections/<id>/lessons/reorder/."""

import pytest

from conftest import ROLES
from courses.models import Lesson
from courses.tests.api.helpers import ON_PUBLISHED, lesson_orders, section_url
from courses.tests.factories import (
    LessonFactory,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ROLES)
def test_lessons_reorder_for_every_role(clients, published, role):
    section = published.sections.get(title="S1")
    first, second = section.lessons.order_by("order")
    expected = ON_PUBLISHED[role]

    response = clients[role].post(section_url(section.pk, "lessons/reorder"), {"order": [second.pk, first.pk]})

    assert response.status_code == expected
    if expected == 200:
        assert lesson_orders(section) == [("S1L2", 1), ("S1L1", 2)]
    else:
        assert lesson_orders(section) == [("S1L1", 1), ("S1L2", 2)]


def test_lessons_reorder_response_shows_the_new_order(clients, published):
    section = published.sections.get(title="S1")
    first, second = section.lessons.order_by("order")

    response = clients["instructor"].post(section_url(section.pk, "lessons/reorder"), {"order": [second.pk, first.pk]})

    assert response.status_code == 200
    assert [(lesson["id"], lesson["order"]) for lesson in response.data] == [(second.pk, 1), (first.pk, 2)]


@pytest.mark.parametrize("bad", ["missing", "duplicate", "other-section", "other-course", "unknown", "empty"])
def test_lessons_reorder_bad_ids_are_400_and_change_nothing(clients, published, bad):
    section = published.sections.get(title="S1")
    first, second = section.lessons.order_by("order")
    same_course_other_section = published.sections.get(title="S2").lessons.first()
    other_course = LessonFactory()
    order = {
        "missing": [second.pk],
        "duplicate": [second.pk, first.pk, second.pk],
        "other-section": [second.pk, first.pk, same_course_other_section.pk],
        "other-course": [second.pk, first.pk, other_course.pk],
        "unknown": [second.pk, 999999],
        "empty": [],
    }[bad]

    response = clients["instructor"].post(section_url(section.pk, "lessons/reorder"), {"order": order})

    assert response.status_code == 400
    assert lesson_orders(section) == [("S1L1", 1), ("S1L2", 2)]
    assert Lesson.objects.get(pk=other_course.pk).order == other_course.order
    assert Lesson.objects.get(pk=same_course_other_section.pk).order == same_course_other_section.order
