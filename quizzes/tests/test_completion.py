"""Course completion through quizzes: lessons done and every required quiz passed, via the API."""

import pytest

from activity.models import ActivityEvent
from courses.models import Enrollment
from courses.tests.factories import EnrollmentFactory, PublishedCourseFactory
from quizzes.tests.factories import QuizFactory
from quizzes.tests.helpers import all_right, build_mixed_questions, start, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_lesson_course(instructor, student):
    course = PublishedCourseFactory(instructor=instructor, lessons=2)
    EnrollmentFactory(student=student, course=course)
    return course


def _complete_lessons(client, course):
    for lesson in course.lessons.all():
        assert client.post(f"/api/v1/lessons/{lesson.pk}/complete/").status_code == 200


def _progress(client, course) -> dict:
    response = client.get(f"/api/v1/courses/{course.pk}/progress/")
    assert response.status_code == 200
    return response.json()


def _quiz(course, **kwargs):
    quiz = QuizFactory(course=course, passing_score=60, **kwargs)
    return quiz, build_mixed_questions(quiz)


def _pass(client, quiz, questions):
    assert submit(client, start(client, quiz)["id"], all_right(questions)).json()["passed"] is True


def _fail(client, quiz):
    assert submit(client, start(client, quiz)["id"], []).json()["passed"] is False


def test_lessons_then_the_required_quiz_complete_the_course(clients, student, two_lesson_course):
    client = clients["student"]
    quiz, questions = _quiz(two_lesson_course)
    _complete_lessons(client, two_lesson_course)
    progress = _progress(client, two_lesson_course)
    assert (progress["completed_at"], progress["passed_quizzes"]) == (None, [])
    assert progress["progress_percent"] < 100

    _fail(client, quiz)
    assert _progress(client, two_lesson_course)["completed_at"] is None

    _pass(client, quiz, questions)
    progress = _progress(client, two_lesson_course)
    assert progress["passed_quizzes"] == [quiz.pk]
    assert progress["progress_percent"] == 100
    assert progress["completed_at"] is not None
    assert Enrollment.objects.get(student=student, course=two_lesson_course).completed_at is not None
    assert ActivityEvent.objects.filter(verb="course_completed", actor=student).count() == 1


def test_the_quiz_first_then_the_last_lesson_completes_the_course(clients, two_lesson_course):
    client = clients["student"]
    quiz, questions = _quiz(two_lesson_course)
    _pass(client, quiz, questions)
    assert _progress(client, two_lesson_course)["completed_at"] is None
    _complete_lessons(client, two_lesson_course)
    assert _progress(client, two_lesson_course)["completed_at"] is not None


def test_every_required_quiz_must_be_passed(clients, two_lesson_course):
    client = clients["student"]
    first, first_questions = _quiz(two_lesson_course)
    second, second_questions = _quiz(two_lesson_course)
    _complete_lessons(client, two_lesson_course)
    _pass(client, first, first_questions)
    progress = _progress(client, two_lesson_course)
    assert (progress["passed_quizzes"], progress["completed_at"]) == ([first.pk], None)
    _pass(client, second, second_questions)
    progress = _progress(client, two_lesson_course)
    assert progress["passed_quizzes"] == sorted([first.pk, second.pk])
    assert progress["completed_at"] is not None


def test_an_optional_quiz_does_not_block(clients, two_lesson_course):
    client = clients["student"]
    _quiz(two_lesson_course, is_required=False)
    _complete_lessons(client, two_lesson_course)
    progress = _progress(client, two_lesson_course)
    assert progress["completed_at"] is not None
    assert progress["progress_percent"] == 100


def test_a_required_quiz_without_questions_does_not_block(clients, two_lesson_course):
    QuizFactory(course=two_lesson_course, is_required=True)
    _complete_lessons(clients["student"], two_lesson_course)
    assert _progress(clients["student"], two_lesson_course)["completed_at"] is not None


def test_a_required_quiz_not_yet_passed_blocks(clients, two_lesson_course):
    client = clients["student"]
    quiz, _ = _quiz(two_lesson_course)
    _quiz(two_lesson_course, is_required=False)
    _complete_lessons(client, two_lesson_course)
    start(client, quiz)  # open, not submitted
    progress = _progress(client, two_lesson_course)
    assert (progress["completed_at"], progress["passed_quizzes"]) == (None, [])


def test_passing_a_quiz_of_another_course_does_not_count(clients, student, two_lesson_course, instructor):
    client = clients["student"]
    _quiz(two_lesson_course)
    elsewhere = PublishedCourseFactory(instructor=instructor, lessons=1)
    EnrollmentFactory(student=student, course=elsewhere)
    other_quiz, other_questions = _quiz(elsewhere)
    _complete_lessons(client, two_lesson_course)
    _pass(client, other_quiz, other_questions)
    assert _progress(client, two_lesson_course)["completed_at"] is None


def test_a_second_pass_does_not_complete_twice(clients, student, two_lesson_course):
    client = clients["student"]
    quiz, questions = _quiz(two_lesson_course)
    _complete_lessons(client, two_lesson_course)
    _pass(client, quiz, questions)
    completed_at = _progress(client, two_lesson_course)["completed_at"]
    _pass(client, quiz, questions)
    assert _progress(client, two_lesson_course)["completed_at"] == completed_at
    assert ActivityEvent.objects.filter(verb="course_completed", actor=student).count() == 1
