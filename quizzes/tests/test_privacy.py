"""Quizzes' part of privacy: the export of a person's attempts (their answers, scores and dates, as
much as the quiz's policy lets them see) and the erasure that blanks what they typed while the
attempts, their scores and the quiz's statistics stay."""

import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import client_for
from courses.tests.factories import EnrollmentFactory
from lms.counters import counters, drifted
from privacy import registry
from quizzes import privacy, services
from quizzes.grading import ERASED
from quizzes.models import Attempt, AttemptAnswer
from quizzes.selectors import quiz_results_get
from quizzes.tests.factories import QuizFactory
from quizzes.tests.helpers import SECRET_TEXT, build_mixed_questions, right_answer, wrong_answer

pytestmark = pytest.mark.django_db

# What each person typed, distinct so that a leak across people or a survivor of erasure shows.
MINE = "My very own answer"
THEIRS = "Their private answer"


def _attempt(student, quiz, answers, *, submit=True) -> Attempt:
    attempt, _created = services.attempt_start(student=student, quiz=quiz)
    if submit:
        return services.attempt_submit(actor=student, attempt=attempt, answers=answers)
    services.attempt_save_answers(actor=student, attempt=attempt, answers=answers)
    attempt.refresh_from_db()
    return attempt


@pytest.fixture
def world(student, other_student, quiz, questions, enrollment):
    """`student`: attempt 1 submitted (every answer right, the short answer typed in capitals, a
    number typed), attempt 2 open with a saved short answer. `other_student`: attempt 1 submitted
    (the single choice right, the rest wrong or typed), and an open attempt."""
    EnrollmentFactory(student=other_student, course=quiz.course)
    mine = [right_answer(q) for q in questions.values()]
    first = _attempt(student, quiz, mine)
    second = _attempt(student, quiz, [{"question": questions["short"].pk, "text": MINE}], submit=False)
    theirs = [
        right_answer(questions["single"]),
        wrong_answer(questions["multiple"]),
        {"question": questions["short"].pk, "text": THEIRS},
        {"question": questions["numeric"].pk, "number": "42.5"},
    ]
    other = _attempt(other_student, quiz, theirs)
    other_open = _attempt(other_student, quiz, [{"question": questions["short"].pk, "text": THEIRS}], submit=False)
    return {"first": first, "second": second, "other": other, "other_open": other_open}


def _snapshot(queryset):
    """Every field of the rows, to compare before and after."""
    return [dict(row) for row in queryset.order_by("pk").values()]


# --- registry ---------------------------------------------------------------------------------------
def test_registered_and_covering_the_user_linked_models():
    assert registry._exporters["quizzes"] is privacy.EXPORTER
    assert registry._erasers["quizzes"] is privacy.ERASER
    linked = {m._meta.label for m in registry.user_linked_models() if m._meta.app_label == "quizzes"}
    assert linked == {"quizzes.Attempt"}
    assert linked <= {m._meta.label for m in privacy.EXPORTER.models}
    assert linked <= {m._meta.label for m in privacy.ERASER.models}
    assert privacy.ERASER.policy and privacy.EXPORTER.describe


# --- export -----------------------------------------------------------------------------------------
def test_export_holds_the_persons_attempts_with_answers_scores_and_dates(student, world, questions, quiz):
    data = privacy.EXPORTER.export(student)
    json.dumps(data)  # JSON-able as it is
    attempts = data["attempts"]
    assert [a["id"] for a in attempts] == [world["first"].pk, world["second"].pk]  # oldest first, theirs only
    first, second = attempts
    assert first["quiz_id"] == quiz.pk and first["quiz_title"] == quiz.title and first["course_id"] == quiz.course_id
    assert first["number"] == 1
    assert first["started_at"] == world["first"].started_at.isoformat()
    assert first["submitted_at"] == world["first"].submitted_at.isoformat()
    assert (first["score"], first["max_score"], first["percent"], first["passed"]) == ("6.00", "6.00", "100.00", True)
    assert first["score_withheld"] is False and first["review_withheld"] is False
    by_question = {a["question_id"]: a for a in first["answers"]}
    short = by_question[questions["short"].pk]
    assert short["question"] == "The magic word?"
    assert short["response"] == {"text": f"  {SECRET_TEXT.upper()} "}
    assert (short["correct"], short["points_awarded"], short["max_points"]) == (True, "1.00", "1.00")
    assert by_question[questions["numeric"].pk]["response"] == {"number": "2.7185"}
    single = by_question[questions["single"].pk]["response"]
    assert single == {
        "choice_ids": [c.pk for c in questions["single"].choices.filter(is_correct=True)],
        "choices": ["Paris"],
    }
    # The open attempt: its saved answer, no score, nothing graded.
    assert second["submitted_at"] is None and second["score"] is None and second["passed"] is None
    assert second["score_withheld"] is False and second["review_withheld"] is False
    answered = [a for a in second["answers"] if a["response"] is not None]
    assert [(a["question_id"], a["response"], a["correct"]) for a in answered] == [
        (questions["short"].pk, {"text": MINE}, None)
    ]
    dumped = json.dumps(data)
    assert THEIRS not in dumped and "42.5" not in dumped  # nothing of the other student's


def test_export_of_someone_without_attempts_is_empty(other_instructor, world):
    assert privacy.EXPORTER.export(other_instructor) == {"attempts": []}


def test_export_withholds_what_the_quizs_policy_hides_from_the_student(student, course, enrollment):
    """Under `never` the student sees only pass or fail; under after_last_attempt, with attempts
    left, no per-question results: an export a day must not give the answers away either."""
    never = QuizFactory(course=course, show_correct_answers="never")
    later = QuizFactory(course=course, show_correct_answers="after_last_attempt", max_attempts=3)
    for quiz in (never, later):
        questions = build_mixed_questions(quiz)
        _attempt(student, quiz, [right_answer(q) for q in questions.values()])
    rows = {a["quiz_id"]: a for a in privacy.EXPORTER.export(student)["attempts"]}
    hidden = rows[never.pk]
    assert hidden["score"] is hidden["max_score"] is hidden["percent"] is None
    assert hidden["passed"] is True and hidden["score_withheld"] is True
    assert rows[later.pk]["score"] == "6.00" and rows[later.pk]["score_withheld"] is False
    assert rows[later.pk]["review_withheld"] is True
    assert all(a["correct"] is None and a["points_awarded"] is None for a in rows[later.pk]["answers"])
    assert all(a["response"] is not None for a in rows[later.pk]["answers"])  # their own answers, always


# --- erasure ----------------------------------------------------------------------------------------
def test_erase_blanks_typed_answers_keeps_scores_and_statistics(student, other_student, world, quiz, questions):
    others = Attempt.objects.filter(student=other_student)
    others_before = _snapshot(others)
    others_results_before = _snapshot(AttemptAnswer.objects.filter(attempt__student=other_student))
    results_before = quiz_results_get(quiz)
    first_before = Attempt.objects.get(pk=world["first"].pk)

    done = services.attempts_erase_for_user(user=student)

    assert done == {"deleted": 1, "blanked": 1}
    # The open attempt is gone; the submitted one stays, scored as it was.
    assert list(Attempt.objects.filter(student=student).values_list("pk", flat=True)) == [world["first"].pk]
    first = Attempt.objects.get(pk=world["first"].pk)
    for field in ("score", "max_score", "percent", "passed", "submitted_at", "started_at", "number", "snapshot"):
        assert getattr(first, field) == getattr(first_before, field)
    short, numeric = str(questions["short"].pk), str(questions["numeric"].pk)
    assert first.answers[short] == {"text": "", ERASED: True}
    assert first.answers[numeric] == {"number": None, ERASED: True}
    for kind in ("single", "multiple", "true_false"):  # a pick among the choices is not typed: kept
        assert first.answers[str(questions[kind].pk)] == first_before.answers[str(questions[kind].pk)]
    rows = {row.question_id: row for row in first.graded_answers.all()}
    assert rows[questions["short"].pk].response == {"text": "", ERASED: True}
    assert rows[questions["numeric"].pk].response == {"number": None, ERASED: True}
    assert all(row.correct for row in rows.values())  # the results stand
    assert sum(row.points_awarded for row in rows.values()) == Decimal("6.00")
    stored = json.dumps(list(Attempt.objects.filter(student=student).values("answers"))) + json.dumps(
        list(AttemptAnswer.objects.filter(attempt__student=student).values("response"))
    )
    assert SECRET_TEXT.upper() not in stored and MINE not in stored and "2.7185" not in stored
    # Another student's attempts, open and submitted, and their results: exactly as they were.
    assert _snapshot(others) == others_before
    assert _snapshot(AttemptAnswer.objects.filter(attempt__student=other_student)) == others_results_before
    assert Attempt.objects.count() == 3 and AttemptAnswer.objects.count() == 10
    # The quiz's statistics (submitted attempts only) are the same, question by question.
    assert quiz_results_get(quiz) == results_before
    assert all(not drifted(counter).exists() for counter in counters())


def test_a_second_erase_writes_nothing(student, world):
    services.attempts_erase_for_user(user=student)
    with CaptureQueriesContext(connection) as queries:
        assert services.attempts_erase_for_user(user=student) == {"deleted": 0, "blanked": 0}
    writes = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(("UPDATE", "DELETE", "INSERT"))]
    assert writes == []


def test_erase_resumes_after_a_crash_half_way(student, course, enrollment, monkeypatch):
    """The worker dies while blanking the second attempt: the first stays blanked, the second
    untouched, and the next run finishes."""
    quizzes = [QuizFactory(course=course) for _ in range(3)]
    for quiz in quizzes:
        questions = build_mixed_questions(quiz)
        _attempt(student, quiz, [{"question": questions["short"].pk, "text": MINE}])
    real, calls = services.erase_typed_content, []

    def dying(answer):
        calls.append(answer)
        if len(calls) > 2:  # into the second attempt (its saved answer, then its result)
            raise RuntimeError("worker killed")
        return real(answer)

    monkeypatch.setattr(services, "erase_typed_content", dying)
    with pytest.raises(RuntimeError):
        services.attempts_erase_for_user(user=student)
    typed = [MINE in json.dumps(a.answers) for a in Attempt.objects.filter(student=student).order_by("pk")]
    assert typed == [False, True, True]

    monkeypatch.setattr(services, "erase_typed_content", real)
    assert services.attempts_erase_for_user(user=student) == {"deleted": 0, "blanked": 2}
    assert not any(MINE in json.dumps(a.answers) for a in Attempt.objects.filter(student=student))
    assert Attempt.objects.filter(student=student, submitted_at__isnull=False).count() == 3


def test_an_erased_attempt_still_reviews_as_it_was_graded(student, instructor, world, questions):
    """The typed text is gone, but the attempt's feedback reads the stored results: the short answer
    that was right still shows right, and the answers show the blanks without the marker."""
    services.attempts_erase_for_user(user=student)
    body = client_for(instructor).get(f"/api/v1/attempts/{world['first'].pk}/").json()
    feedback = {row["question"]: row for row in body["feedback"]}
    assert feedback[questions["short"].pk]["correct"] is True
    assert feedback[questions["numeric"].pk]["points_awarded"] == "1.00"
    assert body["score"] == "6.00"
    answers = {row["question"]: row for row in body["answers"]}
    assert answers[questions["short"].pk] == {"question": questions["short"].pk, "text": ""}
    assert answers[questions["numeric"].pk] == {"question": questions["numeric"].pk, "number": None}
