"""PATCH /reviews/{id}/: only the author edits, bad input changes nothing."""

import pytest

from reviews.tests.factories import assert_figures_exact

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", 401),
        ("student", 200),
        ("other_student", 403),
        ("instructor", 403),
        ("other_instructor", 403),
        ("admin", 403),
    ],
)
def test_only_the_author_edits(clients, role, expected, review, course):
    response = clients[role].patch(f"/api/v1/reviews/{review.pk}/", {"rating": 2, "comment": "Meh"})
    assert response.status_code == expected, response.content
    review.refresh_from_db()
    assert (review.rating, review.comment) == ((2, "Meh") if expected == 200 else (4, "Solid"))
    if expected == 200:
        assert response.json()["rating"] == 2
    assert_figures_exact(course.pk)


def test_get_put_on_a_single_review_are_not_offered(clients, review):
    assert clients["student"].put(f"/api/v1/reviews/{review.pk}/", {"rating": 1}).status_code == 405


@pytest.mark.parametrize(
    "payload",
    [{"rating": 0}, {"rating": 6}, {"rating": 4.5}, {"rating": "five"}, {"rating": None}, {"comment": "x" * 50_000}],
)
def test_bad_edit_is_400_and_changes_nothing(clients, review, course, payload):
    response = clients["student"].patch(f"/api/v1/reviews/{review.pk}/", payload)
    assert response.status_code == 400, response.content
    review.refresh_from_db()
    assert (review.rating, review.comment) == (4, "Solid")
    assert_figures_exact(course.pk)


def test_malformed_json_edit_is_400(clients, review):
    response = clients["student"].generic(
        "PATCH", f"/api/v1/reviews/{review.pk}/", b'{"rating":', content_type="application/json"
    )
    assert response.status_code == 400
