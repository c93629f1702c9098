"""reviews.selectors: which reviews each reader is given, and the ones that no longer count."""

import pytest
from django.contrib.auth.models import AnonymousUser

from courses.services import enrollment_revoke
from courses.tests.factories import CourseFactory, PublishedCourseFactory
from reviews import selectors

from .factories import ReviewFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(instructor, student, other_student):
    """A published course of `instructor` with a review by `student` (counts) and one by
    `other_student` whose enrollment was revoked (kept, no longer counts), and a review of a draft
    course of `instructor`."""
    course = PublishedCourseFactory(instructor=instructor)
    counts = ReviewFactory(course=course, student=student)
    revoked = ReviewFactory(course=course, student=other_student)
    enrollment_revoke(actor=None, enrollment=other_student.enrollments.get(course=course))
    draft_review = ReviewFactory(course=CourseFactory(instructor=instructor))
    return {"course": course, "counts": counts, "revoked": revoked, "draft": draft_review}


def pks(queryset) -> set[int]:
    return set(queryset.values_list("pk", flat=True))


def test_a_course_lists_the_reviews_that_count(world):
    assert pks(selectors.review_list_for_course(world["course"])) == {world["counts"].pk}


def test_the_reviews_a_user_may_act_on(world, student, other_student, instructor, other_instructor, admin_user):
    counts, revoked, draft = world["counts"].pk, world["revoked"].pk, world["draft"].pk
    assert pks(selectors.review_list_for_user(AnonymousUser())) == {counts}
    assert pks(selectors.review_list_for_user(student)) == {counts}
    assert pks(selectors.review_list_for_user(other_student)) == {counts, revoked}  # their own, to delete
    assert pks(selectors.review_list_for_user(instructor)) == {counts, draft}
    assert pks(selectors.review_list_for_user(other_instructor)) == {counts}
    assert pks(selectors.review_list_for_user(admin_user)) == {counts, revoked, draft}


def test_an_instructor_lists_the_reviews_of_their_courses_that_count(world, instructor, other_instructor):
    assert pks(selectors.review_list_for_instructor(instructor)) == {world["counts"].pk, world["draft"].pk}
    assert pks(selectors.review_list_for_instructor(other_instructor)) == set()
