"""Forum fixtures: a published course taught by `instructor` with `student` and `other_student`
enrolled, and a thread by `student` in it."""

import pytest

from courses.tests.factories import EnrollmentFactory, PublishedCourseFactory
from forum import services


@pytest.fixture
def course(instructor, student, other_student):
    course = PublishedCourseFactory(instructor=instructor)
    EnrollmentFactory(student=student, course=course)
    EnrollmentFactory(student=other_student, course=course)
    return course


@pytest.fixture
def post(course, student):
    return services.post_create(course=course, author=student, title="Week 1", body="How do I start?")


@pytest.fixture
def comment(post, other_student):
    return services.comment_create(post=post, author=other_student, body="Read the intro.")


@pytest.fixture
def any_reporter_counts(settings):
    """Every reader's report counts towards auto-hide at once, however new the account: for tests of
    what hiding does rather than of whose reports count (those are in test_report_trust.py)."""
    settings.FORUM_REPORT_MIN_ACCOUNT_AGE_DAYS = 0
    settings.FORUM_REPORT_MIN_ENROLLMENT_AGE_DAYS = 0
