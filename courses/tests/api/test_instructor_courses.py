"""GET /instructor/courses/: an instructor's own courses, every status."""

import pytest

from courses.models import CourseStatus
from courses.tests.api.helpers import MINE
from courses.tests.factories import (
    CourseFactory,
    EnrollmentFactory,
    PublishedCourseFactory,
)

pytestmark = pytest.mark.django_db


def test_instructor_courses_lists_own_courses_in_every_status(clients, instructor, other_instructor, student):
    draft = CourseFactory(instructor=instructor)
    published = PublishedCourseFactory(instructor=instructor)
    archived = PublishedCourseFactory(instructor=instructor, status=CourseStatus.ARCHIVED)
    PublishedCourseFactory(instructor=other_instructor)
    CourseFactory(instructor=other_instructor)
    EnrollmentFactory(student=student, course=published)

    response = clients["instructor"].get(MINE)

    assert response.status_code == 200
    rows = {row["id"]: row for row in response.data["results"]}
    assert set(rows) == {draft.pk, published.pk, archived.pk}
    assert response.data["count"] == 3
    assert {row["status"] for row in rows.values()} == {"draft", "published", "archived"}
    assert rows[published.pk]["enrollment_count"] == 1
    assert rows[draft.pk]["enrollment_count"] == 0
    for row in rows.values():
        assert "average_rating" in row
        assert "rating_count" in row


def test_other_instructor_sees_only_their_own(clients, instructor):
    CourseFactory(instructor=instructor)
    response = clients["other_instructor"].get(MINE)
    assert response.status_code == 200
    assert response.data["count"] == 0


@pytest.mark.parametrize(
    ("role", "expected"), [("anonymous", 401), ("student", 403), ("other_student", 403), ("admin", 403)]
)
def test_instructor_courses_is_instructor_only(clients, instructor, role, expected):
    CourseFactory(instructor=instructor)
    assert clients[role].get(MINE).status_code == expected
