import pytest

from .helpers import FixtureCourse, fixture_course


@pytest.fixture
def graded(instructor) -> FixtureCourse:
    """The hand-computed fixture course (helpers.fixture_course) of `instructor`."""
    return fixture_course(instructor)
