"""Reviewing a course end to end: the figures on the course stay exact."""

import pytest

from courses.models import Course
from courses.tests.factories import EnrollmentFactory, PublishedCourseFactory

pytestmark = pytest.mark.django_db


def test_reviews_keep_the_course_figures_exact(clients, student, other_student, instructor):
    course = PublishedCourseFactory(instructor=instructor)
    EnrollmentFactory(student=student, course=course)
    EnrollmentFactory(student=other_student, course=course)
    url = f"/api/v1/courses/{course.pk}/reviews/"

    first = clients["student"].post(url, {"rating": 5, "comment": "Great"})
    assert first.status_code == 201, first.content
    assert clients["student"].post(url, {"rating": 4}).status_code == 409
    assert clients["other_student"].post(url, {"rating": 2}).status_code == 201
    for bad in (0, 6, 4.5, "five"):
        assert clients["other_student"].post(url, {"rating": bad}).status_code in (400, 409)
    assert clients["instructor"].post(url, {"rating": 5}).status_code == 403

    course.refresh_from_db()
    assert (course.rating_count, str(course.average_rating)) == (2, "3.50")
    assert course.rating_distribution == {"1": 0, "2": 1, "3": 0, "4": 0, "5": 1}

    review_id = first.json()["id"]
    assert clients["student"].patch(f"/api/v1/reviews/{review_id}/", {"rating": 3}).status_code == 200
    assert Course.objects.get(pk=course.pk).rating_distribution["3"] == 1

    r = clients["instructor"].post(f"/api/v1/reviews/{review_id}/reply/", {"body": "Thanks!"})
    assert r.status_code == 201, r.content
    assert clients["instructor"].post(f"/api/v1/reviews/{review_id}/reply/", {"body": "Again"}).status_code == 409
    listed = clients["anonymous"].get(url + "?ordering=-rating").json()["results"]
    assert [r["rating"] for r in listed] == [3, 2]
    assert listed[0]["reply"]["body"] == "Thanks!"
    unanswered = clients["instructor"].get("/api/v1/instructor/reviews/?unanswered=true").json()["results"]
    assert [r["rating"] for r in unanswered] == [2]

    assert clients["admin"].delete(f"/api/v1/reviews/{review_id}/").status_code == 204
    course.refresh_from_db()
    assert (course.rating_count, str(course.average_rating)) == (1, "2.00")
