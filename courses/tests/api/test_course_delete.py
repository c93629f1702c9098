"""DELETE /courses/<id>/: deleted, or archived when students depend on it."""

import pytest

from conftest import ROLES
from courses.models import Course, CourseStatus, Enrollment, Lesson, Section
from courses.tests.api.helpers import COURSES, MANAGERS, course_of_kind, course_url, ok, table
from courses.tests.factories import (
    EnrollmentFactory,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("kind", ["published", "draft"])
@pytest.mark.parametrize("role", ROLES)
def test_delete_for_every_role(clients, published, draft, kind, role):
    course = course_of_kind(kind, published, draft)
    expected = ok(table(kind)[role], 204)

    response = clients[role].delete(course_url(course.pk))

    assert response.status_code == expected
    assert Course.objects.filter(pk=course.pk).exists() == (expected != 204)


def test_delete_without_enrollments_really_deletes(clients, published):
    section_ids = list(published.sections.values_list("pk", flat=True))

    assert clients["instructor"].delete(course_url(published.pk)).status_code == 204

    assert not Course.objects.filter(pk=published.pk).exists()
    assert not Section.objects.filter(pk__in=section_ids).exists()
    assert not Lesson.objects.filter(course_id=published.pk).exists()


@pytest.mark.parametrize("role", MANAGERS)
def test_delete_with_enrollments_archives(clients, published, student, role):
    enrollment = EnrollmentFactory(student=student, course=published)
    lesson = published.lessons.first()
    assert clients["student"].post(f"/api/v1/lessons/{lesson.pk}/complete/").status_code == 200

    response = clients[role].delete(course_url(published.pk))

    assert response.status_code == 204
    published.refresh_from_db()
    assert published.status == CourseStatus.ARCHIVED
    assert Enrollment.objects.filter(pk=enrollment.pk, status="active").exists()
    assert enrollment.lesson_completions.count() == 1
    assert published.lessons.count() == 4
    # Hidden from the catalog and from outsiders...
    assert clients["anonymous"].get(COURSES).data["count"] == 0
    assert clients["other_student"].get(course_url(published.pk)).status_code == 404
    # ...but the enrolled student keeps the content, the progress and the enrollment listing.
    detail = clients["student"].get(course_url(published.pk))
    assert detail.status_code == 200
    assert all(not lesson["locked"] for s in detail.data["sections"] for lesson in s["lessons"])
    assert clients["student"].get(course_url(published.pk, "progress")).data["completed_lessons"] == [lesson.pk]
    mine = clients["student"].get("/api/v1/me/enrollments/")
    assert [e["course"]["id"] for e in mine.data["results"]] == [published.pk]
    # Closed to new students.
    assert clients["other_student"].post(course_url(published.pk, "enroll")).status_code == 404


def test_delete_archived_course_again_is_204_and_still_archived(clients, published, student):
    EnrollmentFactory(student=student, course=published)
    clients["instructor"].delete(course_url(published.pk))

    assert clients["instructor"].delete(course_url(published.pk)).status_code == 204
    published.refresh_from_db()
    assert published.status == CourseStatus.ARCHIVED
