import pytest

from courses.tests.factories import EnrollmentFactory, PublishedCourseFactory
from quizzes.tests.factories import QuizFactory
from quizzes.tests.helpers import build_mixed_questions


@pytest.fixture
def course(instructor):
    """A published course of `instructor` with one lesson."""
    return PublishedCourseFactory(instructor=instructor, lessons=1)


@pytest.fixture
def enrollment(student, course):
    return EnrollmentFactory(student=student, course=course)


@pytest.fixture
def quiz(course):
    return QuizFactory(course=course, passing_score=60, show_correct_answers="after_submit")


@pytest.fixture
def questions(quiz):
    """One question of every type in `quiz`, keyed single/multiple/true_false/short/numeric."""
    return build_mixed_questions(quiz)


@pytest.fixture
def grace(settings):
    settings.QUIZ_DEADLINE_GRACE_SECONDS = 30
    return 30
