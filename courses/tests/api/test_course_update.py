"""PUT and PATCH /courses/<id>/: the owner or an admin changes a course's details."""

from decimal import Decimal

import pytest

from conftest import ROLES
from courses.models import Course, CourseStatus
from courses.tests.api.helpers import course_of_kind, course_url, create_body, table

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("kind", ["published", "draft"])
@pytest.mark.parametrize("role", ROLES)
def test_course_patch_for_every_role(clients, published, draft, kind, role):
    course = course_of_kind(kind, published, draft)
    expected = table(kind)[role]

    response = clients[role].patch(course_url(course.pk), {"subtitle": "Changed", "price": "5.00"})

    assert response.status_code == expected
    course.refresh_from_db()
    if expected == 200:
        assert response.data["subtitle"] == "Changed"
        assert course.subtitle == "Changed"
        assert course.price == Decimal("5.00")
    else:
        assert course.subtitle != "Changed"


@pytest.mark.parametrize("kind", ["published", "draft"])
@pytest.mark.parametrize("role", ROLES)
def test_course_put_for_every_role(clients, published, draft, category, kind, role):
    course = course_of_kind(kind, published, draft)
    expected = table(kind)[role]

    response = clients[role].put(course_url(course.pk), create_body(category, title="Replaced"))

    assert response.status_code == expected
    course.refresh_from_db()
    assert (course.title == "Replaced") == (expected == 200)
    if expected == 200:
        assert course.currency == "EUR"
        assert course.category == category
        assert course.status == (CourseStatus.PUBLISHED if kind == "published" else CourseStatus.DRAFT)


def test_put_without_title_is_400(clients, published):
    response = clients["instructor"].put(course_url(published.pk), {"subtitle": "x"})
    assert response.status_code == 400
    assert "title" in response.data


@pytest.mark.parametrize(
    "body",
    [
        {"price": "-5"},
        {"price": "abc"},
        {"title": ""},
        {"category": 999999},
        {"currency": "ABC"},
        {"title": "x" * 201},
        {"level": "nope"},
    ],
    ids=str,
)
def test_course_patch_bad_input_is_400_and_changes_nothing(clients, published, body):
    before = Course.objects.values().get(pk=published.pk)

    response = clients["instructor"].patch(course_url(published.pk), body)

    assert response.status_code == 400
    assert Course.objects.values().get(pk=published.pk) == before


def test_patch_cannot_change_status_or_owner(clients, draft, other_instructor):
    response = clients["instructor"].patch(
        course_url(draft.pk), {"status": "published", "instructor": other_instructor.pk, "slug": "x"}
    )
    assert response.status_code == 200
    draft.refresh_from_db()
    assert draft.status == CourseStatus.DRAFT
    assert draft.instructor_id == clients["instructor"].user.pk
    assert draft.slug != "x"
