"""The reviews API tests' world: the instructor's published course, and `student`'s review of it
(`other_student` is not enrolled)."""

import pytest

from courses.tests.factories import PublishedCourseFactory
from reviews.tests.factories import ReviewFactory


@pytest.fixture
def course(instructor):
    return PublishedCourseFactory(instructor=instructor)


@pytest.fixture
def review(course, student):
    """The student's review of the instructor's published course; other_student is not enrolled."""
    return ReviewFactory(course=course, student=student, rating=4, comment="Solid")
