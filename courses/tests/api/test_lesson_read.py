"""GET /sections/<id>/lessons/ and /lessons/<id>/: content only for those who may read it."""

import pytest

from conftest import ROLES
from courses.tests.api.helpers import CONTENT_VISIBLE, section_url
from courses.tests.factories import (
    EnrollmentFactory,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ROLES)
def test_section_lessons_list_for_every_role(clients, published, student, role):
    EnrollmentFactory(student=student, course=published)
    section = published.sections.get(title="S1")

    response = clients[role].get(section_url(section.pk, "lessons"))

    assert response.status_code == 200
    assert [lesson["title"] for lesson in response.data] == ["S1L1", "S1L2"]
    visible = role in ("student", "instructor", "admin")
    assert all(lesson["locked"] is (not visible) for lesson in response.data)
    assert all((lesson["content"] is not None) == visible for lesson in response.data)


@pytest.mark.parametrize("role", ROLES)
def test_lesson_detail_hides_content_the_same_way(clients, course, role):
    lesson = course.lessons.get(title="Deep dive")
    preview = course.lessons.get(title="Welcome")

    locked = clients[role].get(f"/api/v1/lessons/{lesson.pk}/")
    open_ = clients[role].get(f"/api/v1/lessons/{preview.pk}/")

    assert locked.status_code == 200
    assert locked.data["content"] == ("Secret text" if CONTENT_VISIBLE[role] else None)
    assert locked.data["locked"] is (not CONTENT_VISIBLE[role])
    assert open_.data["content"] == "Preview text"
