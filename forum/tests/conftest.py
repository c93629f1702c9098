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
