"""POST /courses/<id>/publish/."""

import pytest

from conftest import ROLES
from courses.models import CourseStatus
from courses.tests.api.helpers import COURSES, MANAGERS, ON_DRAFT, course_url
from courses.tests.factories import (
    CourseFactory,
    SectionFactory,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ROLES)
def test_publish_for_every_role(clients, draft, role):
    expected = ON_DRAFT[role]

    response = clients[role].post(course_url(draft.pk, "publish"))

    assert response.status_code == expected
    draft.refresh_from_db()
    assert (draft.status == CourseStatus.PUBLISHED) == (expected == 200)
    if expected == 200:
        assert response.data["status"] == "published"
        assert response.data["published_at"] is not None


@pytest.mark.parametrize("role", MANAGERS)
def test_publish_without_a_lesson_is_400(clients, instructor, role):
    course = CourseFactory(instructor=instructor)
    SectionFactory(course=course)  # a section alone is not enough

    response = clients[role].post(course_url(course.pk, "publish"))

    assert response.status_code == 400
    course.refresh_from_db()
    assert course.status == CourseStatus.DRAFT


def test_published_course_appears_in_catalog(clients, draft):
    assert clients["anonymous"].get(COURSES).data["count"] == 0
    clients["instructor"].post(course_url(draft.pk, "publish"))
    assert [c["id"] for c in clients["anonymous"].get(COURSES).data["results"]] == [draft.pk]


def test_publish_twice_keeps_published_at(clients, draft):
    first = clients["instructor"].post(course_url(draft.pk, "publish")).data["published_at"]
    second = clients["instructor"].post(course_url(draft.pk, "publish"))
    assert second.status_code == 200
    assert second.data["published_at"] == first
