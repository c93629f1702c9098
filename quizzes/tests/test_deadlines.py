"""Server-side deadlines, under time control."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from activity.models import ActivityEvent
from courses.tests.factories import EnrollmentFactory
from lms.tests.openapi import schema_errors
from quizzes.models import Attempt, AttemptAnswer
from quizzes.services import attempts_close_expired
from quizzes.tasks import attempts_close_expired_task
from quizzes.tests.helpers import all_right, right_answer, save, start, submit

pytestmark = pytest.mark.django_db

LIMIT = 60


@pytest.fixture
def timed_quiz(quiz, questions, grace):
    quiz.time_limit_seconds = LIMIT
    quiz.save(update_fields=["time_limit_seconds"])
    return quiz


@pytest.fixture
def clock():
    # Near the real time: the clients' access tokens were issued a moment ago.
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        yield traveller


def test_the_deadline_is_set_by_the_server(clients, enrollment, timed_quiz, clock):
    attempt = start(clients["student"], timed_quiz)
    started, deadline = parse_datetime(attempt["started_at"]), parse_datetime(attempt["deadline"])
    assert deadline - started == timedelta(seconds=LIMIT)
    assert abs(started - timezone.now()) < timedelta(seconds=1)
    assert attempt["time_remaining_seconds"] == LIMIT
    clock.shift(45)
    assert clients["student"].get(f"/api/v1/attempts/{attempt['id']}/").json()["time_remaining_seconds"] == 15
    clock.shift(60)
    assert clients["student"].get(f"/api/v1/attempts/{attempt['id']}/").json()["time_remaining_seconds"] == 0


@pytest.mark.parametrize("late", [1, 29, 30])
def test_a_submit_within_the_grace_counts(clients, enrollment, timed_quiz, questions, clock, late):
    attempt = start(clients["student"], timed_quiz)
    clock.shift(LIMIT + late)
    body = submit(clients["student"], attempt["id"], all_right(questions)).json()
    assert (body["percent"], body["passed"], body["auto_submitted"]) == ("100.00", True, False)
    assert parse_datetime(body["submitted_at"]) == timezone.now()


def test_a_submit_after_the_grace_is_graded_as_of_the_deadline(clients, enrollment, timed_quiz, questions, clock):
    client = clients["student"]
    attempt = start(client, timed_quiz)
    clock.shift(20)
    save(client, attempt["id"], [right_answer(questions["single"]), right_answer(questions["multiple"])])
    clock.shift(LIMIT + 31 - 20)
    body = submit(client, attempt["id"], all_right(questions)).json()
    # Only the three points saved in time count; everything sent late is ignored.
    assert (body["score"], body["max_score"], body["percent"], body["passed"]) == ("3.00", "6.00", "50.00", False)
    assert body["auto_submitted"] is True
    assert body["submitted_at"] == attempt["deadline"]
    assert {a["question"] for a in body["answers"]} == {questions["single"].pk, questions["multiple"].pk}
    correct = {r.question_id for r in AttemptAnswer.objects.filter(attempt_id=attempt["id"], correct=True)}
    assert correct == {questions["single"].pk, questions["multiple"].pk}
    submit(client, attempt["id"], [], expected=409)


def test_late_answers_sent_after_the_grace_are_not_even_validated(clients, enrollment, timed_quiz, questions, clock):
    attempt = start(clients["student"], timed_quiz)
    clock.shift(LIMIT + 120)
    body = submit(clients["student"], attempt["id"], [{"question": 0, "garbage": True}]).json()
    assert (body["score"], body["auto_submitted"]) == ("0.00", True)


def test_a_save_after_the_grace_is_409_and_grades(clients, enrollment, timed_quiz, questions, clock):
    client = clients["student"]
    attempt = start(client, timed_quiz)
    save(client, attempt["id"], [right_answer(questions["short"])])
    clock.shift(LIMIT + 31)
    response = save(client, attempt["id"], all_right(questions), expected=409)
    body = response.json()
    assert body["code"] == "deadline_passed"
    graded = body["attempt"]
    assert (graded["status"], graded["score"], graded["auto_submitted"]) == ("graded", "1.00", True)
    assert graded["submitted_at"] == attempt["deadline"]
    assert len(graded["feedback"]) == 5  # after_submit: the review is open now
    stored = Attempt.objects.get(pk=attempt["id"])
    assert list(stored.answers) == [str(questions["short"].pk)]
    assert AttemptAnswer.objects.filter(attempt=stored).count() == 5
    assert schema_errors(body, "AttemptConflict") == []
    again = save(client, attempt["id"], [], expected=409).json()
    assert again["code"] == "already_submitted"
    assert schema_errors(again, "AttemptConflict") == []
    submit(client, attempt["id"], [], expected=409)


def test_a_save_within_the_grace_is_kept(clients, enrollment, timed_quiz, questions, clock):
    client = clients["student"]
    attempt = start(client, timed_quiz)
    clock.shift(LIMIT + 10)
    save(client, attempt["id"], [right_answer(questions["single"])])
    clock.shift(60)
    assert attempts_close_expired() == 1
    assert Attempt.objects.get(pk=attempt["id"]).score == 1


def test_starting_again_after_an_expired_attempt_grades_it_and_opens_a_new_one(
    clients, enrollment, timed_quiz, questions, clock
):
    client = clients["student"]
    first = start(client, timed_quiz)
    save(client, first["id"], all_right(questions))
    clock.shift(LIMIT + 10)
    assert start(client, timed_quiz, expected=200)["id"] == first["id"]  # still within the grace
    clock.shift(30)
    second = start(client, timed_quiz)
    assert second["number"] == 2
    expired = Attempt.objects.get(pk=first["id"])
    assert (expired.passed, expired.auto_submitted, expired.submitted_at) == (True, True, expired.deadline)


def test_an_expired_open_attempt_still_uses_up_the_last_attempt(clients, enrollment, timed_quiz, clock):
    timed_quiz.max_attempts = 1
    timed_quiz.save(update_fields=["max_attempts"])
    start(clients["student"], timed_quiz)
    clock.shift(LIMIT + 31)
    response = clients["student"].post(f"/api/v1/quizzes/{timed_quiz.pk}/attempts/")
    assert response.status_code == 403
    assert response.json()["code"] == "no_attempts_left"
    assert Attempt.objects.count() == 1


def test_a_refused_start_still_grades_the_expired_attempt(clients, enrollment, timed_quiz, questions, clock):
    timed_quiz.max_attempts = 1
    timed_quiz.save(update_fields=["max_attempts"])
    first = start(clients["student"], timed_quiz)
    save(clients["student"], first["id"], all_right(questions))
    clock.shift(LIMIT + 31)
    assert clients["student"].post(f"/api/v1/quizzes/{timed_quiz.pk}/attempts/").status_code == 403
    assert Attempt.objects.get(pk=first["id"]).submitted_at is not None


def test_the_periodic_job_closes_only_expired_open_attempts(
    clients, student, other_student, admin_user, enrollment, timed_quiz, questions, quiz, clock
):
    from quizzes.tests.factories import QuizFactory
    from quizzes.tests.helpers import build_mixed_questions

    EnrollmentFactory(student=other_student, course=timed_quiz.course)
    untimed = QuizFactory(course=timed_quiz.course)
    build_mixed_questions(untimed)

    expired = start(clients["student"], timed_quiz)
    save(clients["student"], expired["id"], all_right(questions))
    already = start(clients["other_student"], timed_quiz)
    submit(clients["other_student"], already["id"], [])
    no_deadline = start(clients["student"], untimed)
    clock.shift(LIMIT - 10)
    later = start(clients["other_student"], timed_quiz)  # deadline 50 s after the first one's
    submitted_before = Attempt.objects.get(pk=already["id"]).submitted_at

    clock.shift(10 + 29)  # the first is within its grace
    assert attempts_close_expired() == 0
    clock.shift(2)
    assert attempts_close_expired() == 1
    assert attempts_close_expired() == 0  # safe to run twice

    closed = Attempt.objects.get(pk=expired["id"])
    assert (closed.submitted_at, closed.auto_submitted, closed.percent, closed.passed) == (
        closed.deadline,
        True,
        100,
        True,
    )
    assert AttemptAnswer.objects.filter(attempt=closed).count() == 5
    assert Attempt.objects.get(pk=no_deadline["id"]).is_open
    assert Attempt.objects.get(pk=later["id"]).is_open
    assert Attempt.objects.get(pk=already["id"]).submitted_at == submitted_before
    event = ActivityEvent.objects.get(verb="quiz_attempt_submitted", target_id=str(closed.pk))
    assert (event.actor_id, event.metadata["auto"]) == (student.pk, True)

    clock.shift(LIMIT)
    assert attempts_close_expired_task.delay().get() == 1  # the Celery task runs the same service
    assert not Attempt.objects.get(pk=later["id"]).is_open
    assert Attempt.objects.get(pk=no_deadline["id"]).is_open

    # The student sees the closed attempt graded, with the review the policy allows.
    body = clients["student"].get(f"/api/v1/attempts/{expired['id']}/").json()
    assert (body["status"], body["percent"], len(body["feedback"])) == ("graded", "100.00", 5)


def test_one_unusual_saved_answer_does_not_stop_the_periodic_job(clients, enrollment, timed_quiz, questions, clock):
    attempt = start(clients["student"], timed_quiz)
    save(clients["student"], attempt["id"], [{"question": questions["numeric"].pk, "number": "1e9999999"}], None)
    clock.shift(LIMIT + 31)
    assert attempts_close_expired() == 1
