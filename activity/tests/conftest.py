"""Fixtures shared by the activity tests."""

import pytest

from courses.tests.factories import PublishedCourseFactory


@pytest.fixture
def course(instructor):
    """A published course with two lessons."""
    return PublishedCourseFactory(instructor=instructor, lessons=2)
