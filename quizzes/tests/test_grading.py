"""Grading of every question type: the pure rules, and the same rules through submit."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from quizzes.grading import grade_question, normalize_text, validate_answers
from quizzes.models import Attempt, AttemptAnswer
from quizzes.tests.factories import QuestionFactory
from quizzes.tests.helpers import (
    all_right,
    right_answer,
    right_choice_ids,
    save,
    start,
    submit,
    wrong_answer,
    wrong_choice_ids,
)

# --- pure grading -------------------------------------------------------------------------------
SINGLE = {
    "id": 1,
    "type": "single_choice",
    "points": 2,
    "choices": [{"id": 11, "is_correct": True}, {"id": 12, "is_correct": False}],
    "accepted_answers": [],
    "numeric_answer": None,
    "tolerance": "0",
}
MULTIPLE = {
    "id": 2,
    "type": "multiple_choice",
    "points": 3,
    "choices": [{"id": 21, "is_correct": True}, {"id": 22, "is_correct": True}, {"id": 23, "is_correct": False}],
    "accepted_answers": [],
    "numeric_answer": None,
    "tolerance": "0",
}
TRUE_FALSE = {
    "id": 3,
    "type": "true_false",
    "points": 1,
    "choices": [{"id": 31, "is_correct": False}, {"id": 32, "is_correct": True}],
    "accepted_answers": [],
    "numeric_answer": None,
    "tolerance": "0",
}
SHORT = {
    "id": 4,
    "type": "short_answer",
    "points": 1,
    "choices": [],
    "accepted_answers": ["New  York", "NYC"],
    "numeric_answer": None,
    "tolerance": "0",
}
NUMERIC = {
    "id": 5,
    "type": "numeric",
    "points": 4,
    "choices": [],
    "accepted_answers": [],
    "numeric_answer": "3.140000",
    "tolerance": "0.010000",
}
SNAPSHOT = [SINGLE, MULTIPLE, TRUE_FALSE, SHORT, NUMERIC]


def graded(question, raw_answer):
    """Validates like the service does, then grades."""
    clean = validate_answers(SNAPSHOT, [{"question": question["id"], **raw_answer}])
    return grade_question(question, clean[str(question["id"])])


@pytest.mark.parametrize(
    ("question", "answer", "expected"),
    [
        (SINGLE, {"choice_ids": [11]}, (True, Decimal(2))),
        (SINGLE, {"choice_ids": [12]}, (False, Decimal(0))),
        (SINGLE, {"choice_ids": []}, (False, Decimal(0))),
        (SINGLE, {}, (False, Decimal(0))),
        (SINGLE, {"choice_ids": None}, (False, Decimal(0))),
        (MULTIPLE, {"choice_ids": [22, 21]}, (True, Decimal(3))),
        (MULTIPLE, {"choice_ids": [21]}, (False, Decimal(0))),  # partial: nothing
        (MULTIPLE, {"choice_ids": [21, 22, 23]}, (False, Decimal(0))),  # superset: nothing
        (MULTIPLE, {"choice_ids": [23]}, (False, Decimal(0))),
        (MULTIPLE, {"choice_ids": []}, (False, Decimal(0))),
        (TRUE_FALSE, {"choice_ids": [32]}, (True, Decimal(1))),
        (TRUE_FALSE, {"choice_ids": [31]}, (False, Decimal(0))),
        (TRUE_FALSE, {}, (False, Decimal(0))),
        (SHORT, {"text": "New York"}, (True, Decimal(1))),
        (SHORT, {"text": "  new    YORK\t"}, (True, Decimal(1))),
        (SHORT, {"text": "nyc\n"}, (True, Decimal(1))),
        (SHORT, {"text": "NewYork"}, (False, Decimal(0))),
        (SHORT, {"text": "Boston"}, (False, Decimal(0))),
        (SHORT, {"text": "   "}, (False, Decimal(0))),
        (SHORT, {"text": ""}, (False, Decimal(0))),
        (SHORT, {}, (False, Decimal(0))),
        (NUMERIC, {"number": "3.14"}, (True, Decimal(4))),
        (NUMERIC, {"number": 3.14}, (True, Decimal(4))),
        (NUMERIC, {"number": "3.15"}, (True, Decimal(4))),  # upper boundary, inclusive
        (NUMERIC, {"number": "3.13"}, (True, Decimal(4))),  # lower boundary, inclusive
        (NUMERIC, {"number": "3.1500001"}, (False, Decimal(0))),
        (NUMERIC, {"number": "3.1299999"}, (False, Decimal(0))),
        (NUMERIC, {"number": " 3.145 "}, (True, Decimal(4))),
        (NUMERIC, {"number": 3}, (False, Decimal(0))),
        (NUMERIC, {"number": -3.14}, (False, Decimal(0))),
        (NUMERIC, {"number": None}, (False, Decimal(0))),
        (NUMERIC, {"number": ""}, (False, Decimal(0))),
        (NUMERIC, {}, (False, Decimal(0))),
    ],
)
def test_grade_question(question, answer, expected):
    assert graded(question, answer) == expected


def test_grade_blank_answer_is_wrong_for_every_type():
    for question in SNAPSHOT:
        assert grade_question(question, None) == (False, Decimal(0))
        assert grade_question(question, {}) == (False, Decimal(0))


def test_numeric_without_tolerance_needs_the_exact_value():
    exact = {**NUMERIC, "tolerance": "0"}
    assert grade_question(exact, {"number": "3.140"}) == (True, Decimal(4))
    assert grade_question(exact, {"number": "3.1400001"}) == (False, Decimal(0))


def test_normalize_text():
    assert normalize_text("  Hello \t\n  World  ") == "hello world"
    assert normalize_text("STRASSE") == normalize_text("straße")


@pytest.mark.parametrize(
    ("answers", "fragment"),
    [
        ("not a list", "Send a list"),
        ([5], "must be an object"),
        ([{"question": 999, "choice_ids": [11]}], "not a question of this attempt"),
        ([{"question": "1", "choice_ids": [11]}], "not a question of this attempt"),
        ([{"question": True, "choice_ids": [11]}], "not a question of this attempt"),
        ([{"choice_ids": [11]}], "not a question of this attempt"),
        ([{"question": 1, "choice_ids": [11]}, {"question": 1, "choice_ids": [12]}], "more than once"),
        ([{"question": 1, "choice_ids": [21]}], "not a choice of this question"),
        ([{"question": 2, "choice_ids": [21, 21]}], "more than once"),
        ([{"question": 1, "choice_ids": [11, 12]}], "choose one"),
        ([{"question": 3, "choice_ids": [31, 32]}], "choose one"),
        ([{"question": 1, "choice_ids": "11"}], "choice_ids must be a list"),
        ([{"question": 1, "choice_ids": 11}], "choice_ids must be a list"),
        ([{"question": 1, "choice_ids": ["11"]}], "choice_ids must be a list"),
        ([{"question": 1, "choice_ids": [True]}], "choice_ids must be a list"),
        ([{"question": 4, "text": 42}], "text must be a string"),
        ([{"question": 4, "text": ["a"]}], "text must be a string"),
        ([{"question": 4, "text": "x" * 1001}], "longer than"),
        ([{"question": 5, "number": "three"}], "number must be a number"),
        ([{"question": 5, "number": True}], "number must be a number"),
        ([{"question": 5, "number": [3]}], "number must be a number"),
        ([{"question": 5, "number": "NaN"}], "number must be a number"),
        ([{"question": 5, "number": "Infinity"}], "number must be a number"),
    ],
)
def test_validate_answers_rejects(answers, fragment):
    with pytest.raises(ValidationError) as info:
        validate_answers(SNAPSHOT, answers)
    messages = info.value.message_dict["answers"]
    assert any(fragment in m for m in messages), messages


def test_validate_answers_reports_every_problem_with_its_position():
    with pytest.raises(ValidationError) as info:
        validate_answers(
            SNAPSHOT, [{"question": 1, "choice_ids": [11]}, {"question": 999}, {"question": 5, "number": "x"}]
        )
    messages = info.value.message_dict["answers"]
    assert len(messages) == 2
    assert messages[0].startswith("answers[1]")
    assert messages[1].startswith("answers[2]")


def test_validate_answers_normalises():
    clean = validate_answers(
        SNAPSHOT,
        [
            {"question": 2, "choice_ids": [22, 21]},
            {"question": 5, "number": 3.5},
            {"question": 4, "text": None},
            {"question": 1},
        ],
    )
    assert clean == {"2": {"choice_ids": [21, 22]}, "5": {"number": "3.5"}, "4": {"text": ""}, "1": {"choice_ids": []}}


# --- through the API ---------------------------------------------------------------------------
pytestmark_db = pytest.mark.django_db


@pytestmark_db
def test_every_type_right_scores_full_marks(clients, enrollment, quiz, questions):
    attempt = start(clients["student"], quiz)
    body = submit(clients["student"], attempt["id"], all_right(questions)).json()
    assert (body["score"], body["max_score"], body["percent"], body["passed"]) == ("6.00", "6.00", "100.00", True)
    assert all(f["correct"] for f in body["feedback"])
    rows = AttemptAnswer.objects.filter(attempt_id=attempt["id"])
    assert rows.count() == 5
    assert all(r.correct and r.points_awarded == r.max_points for r in rows)


@pytestmark_db
def test_every_type_wrong_scores_nothing(clients, enrollment, quiz, questions):
    attempt = start(clients["student"], quiz)
    body = submit(clients["student"], attempt["id"], [wrong_answer(q) for q in questions.values()]).json()
    assert (body["score"], body["percent"], body["passed"]) == ("0.00", "0.00", False)
    assert [f["correct"] for f in body["feedback"]] == [False] * 5
    assert {f["points_awarded"] for f in body["feedback"]} == {"0.00"}


@pytestmark_db
def test_blank_submit_scores_nothing(clients, enrollment, quiz, questions):
    attempt = start(clients["student"], quiz)
    body = submit(clients["student"], attempt["id"], []).json()
    assert (body["score"], body["max_score"], body["passed"]) == ("0.00", "6.00", False)
    assert AttemptAnswer.objects.filter(attempt_id=attempt["id"], correct=False).count() == 5


@pytestmark_db
def test_partial_multiple_choice_scores_zero_and_the_rest_counts(clients, enrollment, quiz, questions):
    attempt = start(clients["student"], quiz)
    answers = [right_answer(q) for key, q in questions.items() if key != "multiple"]
    answers.append({"question": questions["multiple"].pk, "choice_ids": right_choice_ids(questions["multiple"])[:1]})
    body = submit(clients["student"], attempt["id"], answers).json()
    assert (body["score"], body["max_score"], body["percent"], body["passed"]) == ("4.00", "6.00", "66.67", True)
    multiple = next(f for f in body["feedback"] if f["question"] == questions["multiple"].pk)
    assert (multiple["correct"], multiple["points_awarded"]) == (False, "0.00")


def _bad_answers(questions, other_question):
    single, multiple = questions["single"], questions["multiple"]
    return {
        "unknown question": [{"question": 10**9, "choice_ids": []}],
        "question as string": [{"question": str(single.pk), "choice_ids": right_choice_ids(single)}],
        "question of another quiz": [{"question": other_question.pk, "choice_ids": right_choice_ids(other_question)}],
        "choice of another question": [{"question": single.pk, "choice_ids": right_choice_ids(multiple)[:1]}],
        "choice of another quiz": [{"question": single.pk, "choice_ids": right_choice_ids(other_question)}],
        "duplicated answer": [right_answer(single), {"question": single.pk, "choice_ids": wrong_choice_ids(single)}],
        "duplicated choice": [{"question": multiple.pk, "choice_ids": [*right_choice_ids(multiple)[:1]] * 2}],
        "two choices for single": [
            {"question": single.pk, "choice_ids": right_choice_ids(single) + wrong_choice_ids(single)}
        ],
        "string for choice_ids": [{"question": single.pk, "choice_ids": str(right_choice_ids(single)[0])}],
        "strings in choice_ids": [{"question": single.pk, "choice_ids": [str(right_choice_ids(single)[0])]}],
        "number for text": [{"question": questions["short"].pk, "text": 5}],
        "text for number": [{"question": questions["numeric"].pk, "number": "two point seven"}],
        "bool for number": [{"question": questions["numeric"].pk, "number": True}],
        "object for number": [{"question": questions["numeric"].pk, "number": {"value": 2.7}}],
        "answer not an object": ["2.71828"],
        "answers not a list": "everything",
    }


BAD_CASES = [
    "unknown question",
    "question as string",
    "question of another quiz",
    "choice of another question",
    "choice of another quiz",
    "duplicated answer",
    "duplicated choice",
    "two choices for single",
    "string for choice_ids",
    "strings in choice_ids",
    "number for text",
    "text for number",
    "bool for number",
    "object for number",
    "answer not an object",
    "answers not a list",
]


@pytestmark_db
@pytest.mark.parametrize("case", BAD_CASES)
@pytest.mark.parametrize("verb", ["submit", "save"])
def test_bad_answers_are_400_and_change_nothing(clients, enrollment, quiz, questions, case, verb):
    other_question = QuestionFactory()  # in another quiz of another course
    answers = _bad_answers(questions, other_question)[case]
    attempt = start(clients["student"], quiz)
    send = submit if verb == "submit" else save
    response = send(clients["student"], attempt["id"], answers, expected=400)
    assert "answers" in response.json(), response.json()
    stored = Attempt.objects.get(pk=attempt["id"])
    assert stored.is_open
    assert stored.answers == {}
    assert not AttemptAnswer.objects.filter(attempt=stored).exists()
    # The attempt still takes a good submission afterwards.
    assert submit(clients["student"], attempt["id"], all_right(questions)).json()["percent"] == "100.00"


@pytestmark_db
def test_numeric_answer_as_number_or_numeric_string(clients, enrollment, quiz, questions):
    numeric = questions["numeric"]
    attempt = start(clients["student"], quiz)
    save(clients["student"], attempt["id"], [{"question": numeric.pk, "number": 2.719}])
    assert Attempt.objects.get(pk=attempt["id"]).answers[str(numeric.pk)] == {"number": "2.719"}
    body = submit(clients["student"], attempt["id"], [{"question": numeric.pk, "number": "2.7170"}]).json()
    assert next(f for f in body["feedback"] if f["question"] == numeric.pk)["correct"] is False


@pytestmark_db
def test_a_number_too_large_to_grade_is_400_not_500(clients, enrollment, quiz, questions):
    client = clients["student"]
    client.raise_request_exception = False
    attempt = start(client, quiz)
    response = submit(client, attempt["id"], [{"question": questions["numeric"].pk, "number": "1e9999999"}], None)
    assert response.status_code == 400


@pytestmark_db
def test_short_answer_text_with_a_nul_character_is_not_a_server_error(request, clients, enrollment, quiz, questions):

    client = clients["student"]
    client.raise_request_exception = False
    attempt = start(client, quiz)
    response = save(client, attempt["id"], [{"question": questions["short"].pk, "text": "a\x00b"}], None)
    assert response.status_code in (200, 400), response.content
