"""Races that only a real database with row locks can show (PostgreSQL)."""

import threading

import pytest
from django.db import connection

from activity.models import ActivityEvent
from conftest import client_for
from courses.tests.factories import EnrollmentFactory, PublishedCourseFactory
from quizzes.models import Attempt, AttemptAnswer
from quizzes.tests.factories import QuizFactory
from quizzes.tests.helpers import all_right, build_mixed_questions

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _race(*calls):
    """Runs the calls at the same moment, each in its own thread and database connection."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            results[index] = call()
        except Exception as exc:  # surfaces in the assertion below
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


@pytest.fixture
def setup(postgres, student, instructor):
    course = PublishedCourseFactory(instructor=instructor, lessons=1)
    EnrollmentFactory(student=student, course=course)
    quiz = QuizFactory(course=course, passing_score=60)
    return quiz, build_mixed_questions(quiz)


def test_two_concurrent_submits_grade_once(setup, student):
    quiz, questions = setup
    first, second = client_for(student), client_for(student)
    attempt = first.post(f"/api/v1/quizzes/{quiz.pk}/attempts/").json()
    url = f"/api/v1/attempts/{attempt['id']}/submit/"
    responses = _race(
        lambda: first.post(url, {"answers": all_right(questions)}),
        lambda: second.post(url, {"answers": []}),
    )
    codes = sorted(getattr(r, "status_code", r) for r in responses)
    assert codes == [200, 409], responses
    winner = next(r for r in responses if r.status_code == 200).json()
    stored = Attempt.objects.get(pk=attempt["id"])
    assert AttemptAnswer.objects.filter(attempt=stored).count() == 5
    assert str(stored.score) == winner["score"]
    assert ActivityEvent.objects.filter(verb="quiz_attempt_submitted", target_id=str(stored.pk)).count() == 1


def test_two_concurrent_starts_open_one_attempt(setup, student):
    quiz, _ = setup
    first, second = client_for(student), client_for(student)
    url = f"/api/v1/quizzes/{quiz.pk}/attempts/"
    responses = _race(lambda: first.post(url), lambda: second.post(url))
    codes = sorted(getattr(r, "status_code", r) for r in responses)
    assert codes == [200, 201], responses
    assert len({r.json()["id"] for r in responses}) == 1
    assert Attempt.objects.filter(quiz=quiz, student=student).count() == 1
    assert ActivityEvent.objects.filter(verb="quiz_attempt_started").count() == 1


def test_a_save_racing_a_submit_never_changes_the_grade(setup, student):
    quiz, questions = setup
    first, second = client_for(student), client_for(student)
    attempt = first.post(f"/api/v1/quizzes/{quiz.pk}/attempts/").json()
    responses = _race(
        lambda: first.post(f"/api/v1/attempts/{attempt['id']}/submit/", {"answers": []}),
        lambda: second.patch(f"/api/v1/attempts/{attempt['id']}/", {"answers": all_right(questions)}),
    )
    submit_response, save_response = responses
    assert submit_response.status_code == 200, submit_response
    assert save_response.status_code in (200, 409), save_response
    stored = Attempt.objects.get(pk=attempt["id"])
    # Whichever came first, the grade matches the stored answers and rows.
    assert stored.score == sum(r.points_awarded for r in AttemptAnswer.objects.filter(attempt=stored))
    assert (save_response.status_code == 200) is (stored.score == 6)
