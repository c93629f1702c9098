"""POST /sections/<id>/lessons/."""

import pytest

from conftest import ROLES
from courses.tests.api.helpers import LESSON_BODY, course_of_kind, ok, section_url, table

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("kind", ["published", "draft"])
@pytest.mark.parametrize("role", ROLES)
def test_lesson_create_for_every_role(clients, published, draft, kind, role):
    course = course_of_kind(kind, published, draft)
    section = course.sections.order_by("order").first()
    expected = ok(table(kind)[role], 201)
    before = course.lesson_count

    response = clients[role].post(section_url(section.pk, "lessons"), LESSON_BODY)

    assert response.status_code == expected
    course.refresh_from_db()
    if expected == 201:
        for key, value in LESSON_BODY.items():
            assert response.data[key] == value
        assert response.data["order"] == section.lessons.count()
        assert course.lesson_count == before + 1 == course.lessons.count()
    else:
        assert course.lesson_count == before


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"title": ""},
        {"title": "t", "video_url": "not a url"},
        {"title": "t", "duration_seconds": -1},
        {"title": "t", "duration_seconds": 10**9},
        {"title": "t", "is_preview": "maybe"},
        {"title": "x" * 201},
        {"title": "t", "order": 0},
    ],
    ids=str,
)
def test_lesson_create_bad_input_is_400(clients, published, body):
    section = published.sections.first()
    assert clients["instructor"].post(section_url(section.pk, "lessons"), body).status_code == 400
    published.refresh_from_db()
    assert published.lesson_count == 4
