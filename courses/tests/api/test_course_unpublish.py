"""POST /courses/<id>/unpublish/."""

import pytest

from conftest import ROLES
from courses.models import CourseStatus
from courses.tests.api.helpers import COURSES, ON_PUBLISHED, course_url
from courses.tests.factories import (
    EnrollmentFactory,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ROLES)
def test_unpublish_for_every_role(clients, published, role):
    expected = ON_PUBLISHED[role]

    response = clients[role].post(course_url(published.pk, "unpublish"))

    assert response.status_code == expected
    published.refresh_from_db()
    assert (published.status == CourseStatus.DRAFT) == (expected == 200)


def test_unpublished_course_leaves_catalog_but_enrolled_student_keeps_access(clients, published, student):
    EnrollmentFactory(student=student, course=published)

    assert clients["instructor"].post(course_url(published.pk, "unpublish")).status_code == 200

    assert clients["anonymous"].get(COURSES).data["count"] == 0
    assert clients["other_student"].get(course_url(published.pk)).status_code == 404
    detail = clients["student"].get(course_url(published.pk))
    assert detail.status_code == 200
    assert detail.data["is_enrolled"] is True
    assert detail.data["sections"][0]["lessons"][0]["locked"] is False
