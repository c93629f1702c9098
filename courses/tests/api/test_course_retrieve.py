"""GET /courses/<id>/: the course detail with its curriculum, for every role and for odd ids."""

import pytest

from conftest import ROLES
from courses.models import Course, CourseStatus
from courses.tests.api.helpers import CONTENT_VISIBLE, COURSES, course_url, lessons_of, result_ids
from courses.tests.factories import (
    CourseFactory,
    LessonFactory,
    PublishedCourseFactory,
    SectionFactory,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ROLES)
def test_published_course_detail_for_every_role(clients, course, role):
    response = clients[role].get(course_url(course.pk))

    assert response.status_code == 200
    data = response.data
    assert data["id"] == course.pk
    assert data["slug"] == course.slug
    assert data["price"] == "19.99"
    assert data["currency"] == "USD"
    assert data["enrollment_count"] == 1
    assert data["average_rating"] == 0
    assert data["rating_count"] == 0
    assert data["category"]["id"] == course.category_id
    assert data["instructor"]["id"] == course.instructor_id
    assert data["is_enrolled"] is (role == "student")
    assert [s["title"] for s in data["sections"]] == ["Start here"]
    assert [lesson["title"] for lesson in data["sections"][0]["lessons"]] == ["Welcome", "Deep dive"]


@pytest.mark.parametrize("role", ROLES)
def test_lesson_content_only_for_preview_enrolled_owner_admin(clients, course, role):
    lessons = lessons_of(clients[role].get(course_url(course.pk)))
    visible = CONTENT_VISIBLE[role]

    preview, locked = lessons["Welcome"], lessons["Deep dive"]
    assert preview["content"] == "Preview text"
    assert preview["video_url"] == "https://videos.example.com/preview.mp4"
    assert preview["locked"] is False
    assert preview["is_preview"] is True
    assert locked["locked"] is (not visible)
    assert locked["content"] == ("Secret text" if visible else None)
    assert locked["video_url"] == ("https://videos.example.com/secret.mp4" if visible else None)
    assert locked["duration_seconds"] == 300  # the outline is public


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", 404),
        ("student", 404),
        ("other_student", 404),
        ("instructor", 200),
        ("other_instructor", 404),
        ("admin", 200),
    ],
)
def test_draft_course_detail_only_for_owner_and_admin(clients, instructor, role, expected):
    draft = CourseFactory(instructor=instructor)
    LessonFactory(section=SectionFactory(course=draft))

    response = clients[role].get(course_url(draft.pk))

    assert response.status_code == expected
    if expected == 200:
        assert response.data["status"] == "draft"
        assert lessons_of(response)  # the owner sees the curriculum with content
        assert all(not lesson["locked"] for lesson in lessons_of(response).values())


@pytest.mark.parametrize("role", ROLES)
def test_draft_lessons_and_sections_are_404_to_outsiders(clients, instructor, role):
    draft = CourseFactory(instructor=instructor)
    lesson = LessonFactory(section=SectionFactory(course=draft))
    expected = 200 if role in ("instructor", "admin") else 404

    assert clients[role].get(f"/api/v1/lessons/{lesson.pk}/").status_code == expected
    assert clients[role].get(f"/api/v1/sections/{lesson.section_id}/").status_code == expected
    assert clients[role].get(f"{course_url(draft.pk)}sections/").status_code == expected


@pytest.mark.parametrize("role", ROLES)
def test_unknown_course_is_404(clients, role):
    assert clients[role].get(course_url(999999)).status_code == 404


@pytest.mark.parametrize("pk", ["abc", "1e3"])
def test_non_numeric_course_id_is_404(anon_client, pk):
    PublishedCourseFactory()
    assert anon_client.get(course_url(pk)).status_code == 404


def test_huge_course_id_is_404(anon_client):
    assert anon_client.get(course_url("99999999999999999999999")).status_code == 404


@pytest.mark.parametrize("path", ["progress/", "sections/"])
def test_non_numeric_course_id_in_actions_is_404(clients, path):
    assert clients["student"].get(course_url("abc") + path).status_code == 404


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", 404),
        ("student", 200),
        ("other_student", 404),
        ("instructor", 200),
        ("other_instructor", 404),
        ("admin", 200),
    ],
)
def test_archived_course_hidden_from_catalog_but_open_to_enrolled(clients, course, role, expected):
    Course.objects.filter(pk=course.pk).update(status=CourseStatus.ARCHIVED)

    listed = clients[role].get(COURSES)
    detail = clients[role].get(course_url(course.pk))

    assert course.pk not in result_ids(listed)
    assert detail.status_code == expected
    if expected == 200:
        assert detail.data["status"] == "archived"
        assert lessons_of(detail)["Deep dive"]["content"] == "Secret text"
