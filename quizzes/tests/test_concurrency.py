"""Races that only a real database with row locks can show (PostgreSQL)."""

import threading

import pytest
from django.db import connection

from activity.models import ActivityEvent
from conftest import client_for
from courses.tests.factories import EnrollmentFactory, PublishedCourseFactory
from lms.testing import held_open, run_together, wait_for_a_lock_waiter
from quizzes.models import Attempt, AttemptAnswer
from quizzes.tests.factories import QuizFactory
from quizzes.tests.helpers import all_right, build_mixed_questions

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


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
    responses = run_together(
        [
            lambda: first.post(url, {"answers": all_right(questions)}),
            lambda: second.post(url, {"answers": []}),
        ]
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
    responses = run_together([lambda: first.post(url), lambda: second.post(url)])
    codes = sorted(getattr(r, "status_code", r) for r in responses)
    assert codes == [200, 201], responses
    assert len({r.json()["id"] for r in responses}) == 1
    assert Attempt.objects.filter(quiz=quiz, student=student).count() == 1
    assert ActivityEvent.objects.filter(verb="quiz_attempt_started").count() == 1


def test_a_save_racing_a_submit_never_changes_the_grade(setup, student):
    quiz, questions = setup
    first, second = client_for(student), client_for(student)
    attempt = first.post(f"/api/v1/quizzes/{quiz.pk}/attempts/").json()
    responses = run_together(
        [
            lambda: first.post(f"/api/v1/attempts/{attempt['id']}/submit/", {"answers": []}),
            lambda: second.patch(f"/api/v1/attempts/{attempt['id']}/", {"answers": all_right(questions)}),
        ]
    )
    submit_response, save_response = responses
    assert submit_response.status_code == 200, submit_response
    assert save_response.status_code in (200, 409), save_response
    stored = Attempt.objects.get(pk=attempt["id"])
    # Whichever came first, the grade matches the stored answers and rows.
    assert stored.score == sum(r.points_awarded for r in AttemptAnswer.objects.filter(attempt=stored))
    assert (save_response.status_code == 200) is (stored.score == 6)


def test_eight_concurrent_submits_grade_once(setup, student):
    quiz, questions = setup
    clients = [client_for(student) for _ in range(8)]
    attempt = clients[0].post(f"/api/v1/quizzes/{quiz.pk}/attempts/").json()
    url = f"/api/v1/attempts/{attempt['id']}/submit/"

    responses = run_together([lambda c=c: c.post(url, {"answers": all_right(questions)}) for c in clients])

    codes = sorted(getattr(r, "status_code", r) for r in responses)
    assert codes == [200] + [409] * 7, responses
    stored = Attempt.objects.get(pk=attempt["id"])
    assert stored.score == 6 and stored.passed
    assert AttemptAnswer.objects.filter(attempt=stored).count() == 5
    assert ActivityEvent.objects.filter(verb="quiz_attempt_submitted", target_id=str(stored.pk)).count() == 1
    assert ActivityEvent.objects.filter(verb="quiz_passed", target_id=str(stored.pk)).count() == 1


def test_concurrent_starts_never_exceed_max_attempts(setup, student):
    quiz, _ = setup
    quiz.max_attempts = 2
    quiz.save(update_fields=["max_attempts"])
    first = client_for(student)
    done = first.post(f"/api/v1/quizzes/{quiz.pk}/attempts/").json()
    assert first.post(f"/api/v1/attempts/{done['id']}/submit/", {"answers": []}).status_code == 200
    clients = [client_for(student) for _ in range(6)]
    url = f"/api/v1/quizzes/{quiz.pk}/attempts/"

    responses = run_together([lambda c=c: c.post(url) for c in clients])

    codes = sorted(getattr(r, "status_code", r) for r in responses)
    assert codes == [200] * 5 + [201], responses  # one opened the last attempt, the rest resumed it
    assert len({r.json()["id"] for r in responses}) == 1
    last = Attempt.objects.get(pk=responses[0].json()["id"])
    assert last.number == 2
    assert first.post(f"/api/v1/attempts/{last.pk}/submit/", {"answers": []}).status_code == 200

    responses = run_together([lambda c=c: c.post(url) for c in clients])

    assert [getattr(r, "status_code", r) for r in responses] == [403] * 6, responses
    assert Attempt.objects.filter(quiz=quiz, student=student).count() == 2


def test_many_students_submitting_at_once_are_each_graded_once(postgres, instructor):
    from accounts.tests.factories import StudentFactory

    course = PublishedCourseFactory(instructor=instructor, lessons=1)
    quiz = QuizFactory(course=course, passing_score=60)
    questions = build_mixed_questions(quiz)
    students = StudentFactory.create_batch(8)
    submits = []
    for i, s in enumerate(students):
        EnrollmentFactory(student=s, course=course)
        client = client_for(s)
        attempt = client.post(f"/api/v1/quizzes/{quiz.pk}/attempts/").json()
        answers = all_right(questions) if i % 2 else []
        submits.append(
            lambda c=client, a=attempt, x=answers: c.post(f"/api/v1/attempts/{a['id']}/submit/", {"answers": x})
        )

    responses = run_together(submits)

    assert [getattr(r, "status_code", r) for r in responses] == [200] * 8, responses
    attempts = Attempt.objects.filter(quiz=quiz)
    assert attempts.count() == 8 and attempts.filter(submitted_at__isnull=True).count() == 0
    assert attempts.filter(passed=True).count() == 4
    assert AttemptAnswer.objects.filter(attempt__quiz=quiz).count() == 8 * 5
    results = client_for(instructor).get(f"/api/v1/quizzes/{quiz.pk}/results/")
    assert results.status_code == 200


def test_the_last_lesson_and_the_passing_submit_racing_complete_the_course_once(setup, student):
    from courses.models import Enrollment

    quiz, questions = setup
    lesson = quiz.course.lessons.get()
    lesson_client, quiz_client = client_for(student), client_for(student)
    attempt = quiz_client.post(f"/api/v1/quizzes/{quiz.pk}/attempts/").json()

    responses = run_together(
        [
            lambda: lesson_client.post(f"/api/v1/lessons/{lesson.pk}/complete/"),
            lambda: quiz_client.post(f"/api/v1/attempts/{attempt['id']}/submit/", {"answers": all_right(questions)}),
        ]
    )

    assert [getattr(r, "status_code", r) for r in responses] == [200, 200], responses
    enrollment = Enrollment.objects.get(student=student, course=quiz.course)
    assert enrollment.completed_at is not None
    assert ActivityEvent.objects.filter(verb="course_completed", actor=student).count() == 1


def test_the_last_two_requirements_met_in_overlapping_transactions_complete_the_course(setup, student):
    """Forced interleaving of the race above: the lesson is marked done in a transaction that stays
    open while the passing submit runs. Each alone sees the other's part missing; the completion
    check must wait for the other (a row lock on the enrollment), or the course is never completed."""
    from django.db import transaction

    from courses import services as course_services
    from courses.models import Enrollment

    quiz, questions = setup
    lesson = quiz.course.lessons.get()
    client = client_for(student)
    attempt = client.post(f"/api/v1/quizzes/{quiz.pk}/attempts/").json()
    marked, release = threading.Event(), threading.Event()
    outcome: dict = {}

    def complete_lesson_and_hold():
        try:
            with transaction.atomic():
                course_services.lesson_complete(student=student, lesson=lesson)
                marked.set()
                release.wait(timeout=15)
        finally:
            connection.close()

    def submit():
        try:
            outcome["status"] = client.post(
                f"/api/v1/attempts/{attempt['id']}/submit/", {"answers": all_right(questions)}
            ).status_code
        except Exception as exc:
            outcome["status"] = exc
        finally:
            connection.close()

    holder = threading.Thread(target=complete_lesson_and_hold)
    holder.start()
    assert marked.wait(timeout=10)
    submitter = threading.Thread(target=submit)
    submitter.start()
    try:
        submitter.join(timeout=1.5)  # with the lock it waits for the lesson's transaction; without, it is done
        wait_for_a_lock_waiter(timeout=1)
    finally:
        release.set()
        holder.join(timeout=20)
        submitter.join(timeout=20)

    assert outcome["status"] == 200, outcome
    enrollment = Enrollment.objects.get(student=student, course=quiz.course)
    assert enrollment.completed_at is not None
    assert ActivityEvent.objects.filter(verb="course_completed", actor=student).count() == 1


def test_a_student_saving_or_submitting_does_not_hold_the_quiz_for_others(setup, student, other_student):
    """A save or submit locks its own attempt's row, never the quiz's: while one student's save is
    still in its transaction, another student starts, saves and submits on the same quiz (a lock on
    the quiz row would serialise a whole class: the quiz storm)."""
    from quizzes import services

    quiz, questions = setup
    EnrollmentFactory(student=other_student, course=quiz.course)
    start = f"/api/v1/quizzes/{quiz.pk}/attempts/"
    mine = Attempt.objects.get(pk=client_for(student).post(start).json()["id"])
    other = client_for(other_student)
    first = all_right(questions)[:1]

    with held_open(lambda: services.attempt_save_answers(actor=student, attempt=mine, answers=first)):
        theirs = other.post(start)
        assert theirs.status_code == 201, theirs.content
        url = f"/api/v1/attempts/{theirs.json()['id']}/"
        assert other.patch(url, {"answers": all_right(questions)[:2]}).status_code == 200
        assert other.post(url + "submit/", {"answers": all_right(questions)[2:]}).status_code == 200

    assert Attempt.objects.get(pk=theirs.json()["id"]).passed
    mine.refresh_from_db()
    assert mine.is_open and len(mine.answers) == 1
