"""Questions through the API: every endpoint for every role, the shapes of each type, reordering
and deleting."""

import pytest

from courses.tests.factories import CourseFactory
from quizzes.models import Question
from quizzes.tests.factories import QuestionFactory, QuizFactory
from quizzes.tests.helpers import (
    CREATE,
    DELETE,
    MANAGE,
)

pytestmark = pytest.mark.django_db

SINGLE_CHOICE = {
    "type": "single_choice",
    "text": "Pick one",
    "choices": [{"text": "yes", "is_correct": True}, {"text": "no"}],
}


def question_detail(codes: list[tuple[str, int]]) -> list:
    """The matrix for /questions/{id}/ (a regression: owners once got a 500 here)."""
    return list(codes)


@pytest.mark.parametrize(("role", "code"), MANAGE)
def test_list_questions(clients, enrollment, quiz, questions, role, code):
    response = clients[role].get(f"/api/v1/quizzes/{quiz.pk}/questions/")
    assert response.status_code == code
    if code == 200:
        body = response.json()
        assert [q["id"] for q in body] == [q.pk for q in questions.values()]
        numeric = body[-1]
        assert (numeric["numeric_answer"], numeric["tolerance"]) == ("2.718280", "0.001000")
        assert body[3]["accepted_answers"] == ["Xylophonically", "New   York"]


@pytest.mark.parametrize(("role", "code"), CREATE)
def test_create_question(clients, enrollment, quiz, role, code):
    response = clients[role].post(f"/api/v1/quizzes/{quiz.pk}/questions/", SINGLE_CHOICE)
    assert response.status_code == code, response.content
    assert Question.objects.filter(quiz=quiz).exists() is (code == 201)


@pytest.mark.parametrize(
    "payload",
    [
        {"type": "single_choice", "choices": [{"text": "a", "is_correct": True}, {"text": "b"}, {"text": "c"}]},
        {"type": "multiple_choice", "choices": [{"text": "a", "is_correct": True}, {"text": "b", "is_correct": True}]},
        {"type": "true_false", "choices": [{"text": "True"}, {"text": "False", "is_correct": True}]},
        {"type": "short_answer", "accepted_answers": ["Paris", " paris "]},
        {"type": "numeric", "numeric_answer": "-1.5", "tolerance": "0.25"},
        {"type": "numeric", "numeric_answer": "0"},
    ],
)
def test_create_question_of_every_type(clients, quiz, payload):
    response = clients["instructor"].post(
        f"/api/v1/quizzes/{quiz.pk}/questions/", {"text": "Q", "points": 3, "explanation": "E", **payload}
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["type"], body["points"], body["explanation"], body["order"]) == (payload["type"], 3, "E", 1)
    if "choices" in payload:
        assert [c["is_correct"] for c in body["choices"]] == [c.get("is_correct", False) for c in payload["choices"]]
    else:
        assert body["choices"] == []


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"type": "single_choice", "choices": [{"text": "a"}, {"text": "b"}]}, "choices"),
        (
            {
                "type": "single_choice",
                "choices": [{"text": "a", "is_correct": True}, {"text": "b", "is_correct": True}],
            },
            "choices",
        ),
        ({"type": "single_choice", "choices": [{"text": "a", "is_correct": True}]}, "choices"),
        ({"type": "single_choice"}, "choices"),
        ({"type": "multiple_choice", "choices": [{"text": "a"}, {"text": "b"}, {"text": "c"}]}, "choices"),
        ({"type": "true_false", "choices": [{"text": "t"}, {"text": "f"}]}, "choices"),
        (
            {"type": "true_false", "choices": [{"text": "t", "is_correct": True}, {"text": "f"}, {"text": "?"}]},
            "choices",
        ),
        ({"type": "single_choice", "choices": [{"is_correct": True}, {"text": "b"}]}, "choices"),
        ({"type": "short_answer"}, "accepted_answers"),
        ({"type": "short_answer", "accepted_answers": []}, "accepted_answers"),
        ({"type": "short_answer", "accepted_answers": ["   "]}, "accepted_answers"),
        ({"type": "short_answer", "accepted_answers": "Paris"}, "accepted_answers"),
        ({"type": "numeric"}, "numeric_answer"),
        ({"type": "numeric", "numeric_answer": None}, "numeric_answer"),
        ({"type": "numeric", "numeric_answer": "abc"}, "numeric_answer"),
        ({"type": "numeric", "numeric_answer": "1", "tolerance": "-0.1"}, "tolerance"),
        ({"type": "essay", "accepted_answers": ["x"]}, "type"),
        ({"type": "numeric", "numeric_answer": "1", "points": 0}, "points"),
    ],
)
def test_create_question_with_a_bad_shape_is_400_naming_the_field(clients, quiz, payload, field):
    response = clients["instructor"].post(f"/api/v1/quizzes/{quiz.pk}/questions/", {"text": "Q", **payload})
    assert response.status_code == 400
    assert {key.split(".")[0] for key in response.json()} == {field}, response.json()
    assert not Question.objects.filter(quiz=quiz).exists()


@pytest.mark.parametrize(("role", "code"), question_detail(MANAGE))
def test_retrieve_question(clients, enrollment, quiz, questions, role, code):
    response = clients[role].get(f"/api/v1/questions/{questions['single'].pk}/")
    assert response.status_code == code
    if code == 200:
        assert [c["is_correct"] for c in response.json()["choices"]] == [True, False, False]


@pytest.mark.parametrize(("role", "code"), question_detail(MANAGE))
def test_patch_question(clients, enrollment, quiz, questions, role, code):
    question = questions["short"]
    response = clients[role].patch(f"/api/v1/questions/{question.pk}/", {"text": "Edited", "accepted_answers": ["b"]})
    assert response.status_code == code
    question.refresh_from_db()
    assert (question.text == "Edited") is (code == 200)
    if code == 200:
        assert question.accepted_answers == ["b"]


@pytest.mark.parametrize(("role", "code"), question_detail(MANAGE))
def test_put_question(clients, enrollment, quiz, questions, role, code):
    question = questions["numeric"]
    payload = {"type": "numeric", "text": "Replaced", "numeric_answer": "10", "tolerance": "1", "points": 5}
    response = clients[role].put(f"/api/v1/questions/{question.pk}/", payload)
    assert response.status_code == code
    if code == 200:
        question.refresh_from_db()
        assert (question.text, str(question.numeric_answer), question.points) == ("Replaced", "10.000000", 5)


@pytest.mark.parametrize(("role", "code"), question_detail(DELETE))
def test_delete_question(clients, enrollment, quiz, questions, role, code):
    question = questions["true_false"]
    response = clients[role].delete(f"/api/v1/questions/{question.pk}/")
    assert response.status_code == code
    assert Question.objects.filter(pk=question.pk).exists() is (code != 204)


def test_question_of_a_draft_course_is_404_for_other_instructors(clients, instructor):
    question = QuestionFactory(quiz=QuizFactory(course=CourseFactory(instructor=instructor)))
    assert clients["other_instructor"].get(f"/api/v1/questions/{question.pk}/").status_code == 404
    assert clients["student"].get(f"/api/v1/questions/{question.pk}/").status_code == 404
    assert clients["admin"].get(f"/api/v1/questions/{question.pk}/").status_code == 200


def test_owner_edits_a_question_of_a_draft_course(clients, instructor):
    question = QuestionFactory(quiz=QuizFactory(course=CourseFactory(instructor=instructor)))
    assert clients["instructor"].get(f"/api/v1/questions/{question.pk}/").status_code == 200
    assert clients["instructor"].patch(f"/api/v1/questions/{question.pk}/", {"text": "x"}).status_code == 200


@pytest.mark.parametrize(
    ("key", "payload", "field"),
    [
        ("single", {"choices": [{"text": "a"}, {"text": "b"}]}, "choices"),
        ("single", {"choices": [{"text": "a", "is_correct": True}, {"text": "b", "is_correct": True}]}, "choices"),
        ("multiple", {"choices": [{"text": "a"}, {"text": "b"}]}, "choices"),
        ("true_false", {"type": "single_choice", "choices": [{"text": "a"}, {"text": "b"}]}, "choices"),
        ("short", {"accepted_answers": []}, "accepted_answers"),
        ("single", {"type": "short_answer"}, "accepted_answers"),
        ("numeric", {"numeric_answer": None}, "numeric_answer"),
        ("short", {"type": "numeric"}, "numeric_answer"),
        ("numeric", {"type": "single_choice"}, "choices"),
    ],
)
def test_patch_question_into_a_bad_shape_is_400(clients, quiz, questions, key, payload, field):
    question = questions[key]
    before = (question.type, question.text, list(question.choices.values_list("is_correct", flat=True)))
    response = clients["admin"].patch(f"/api/v1/questions/{question.pk}/", payload)
    assert response.status_code == 400
    assert field in response.json(), response.json()
    question.refresh_from_db()
    assert before == (question.type, question.text, list(question.choices.values_list("is_correct", flat=True)))


def test_patch_question_type_to_short_answer_drops_its_choices(clients, quiz, questions):
    question = questions["single"]
    response = clients["admin"].patch(
        f"/api/v1/questions/{question.pk}/", {"type": "short_answer", "accepted_answers": ["x"]}
    )
    assert response.status_code == 200, response.content
    assert response.json()["choices"] == []
    assert not question.choices.exists()


def test_patch_question_choices_replace_the_old_ones(clients, quiz, questions):
    question = questions["multiple"]
    choices = [{"text": "only", "is_correct": True}, {"text": "not"}]
    response = clients["admin"].patch(f"/api/v1/questions/{question.pk}/", {"choices": choices})
    assert response.status_code == 200
    assert [(c["text"], c["is_correct"]) for c in response.json()["choices"]] == [("only", True), ("not", False)]


@pytest.mark.parametrize(("role", "code"), MANAGE)
def test_reorder_questions(clients, enrollment, quiz, questions, role, code):
    ids = [q.pk for q in reversed(list(questions.values()))]
    response = clients[role].post(f"/api/v1/quizzes/{quiz.pk}/questions/reorder/", {"order": ids})
    assert response.status_code == code
    stored = list(Question.objects.filter(quiz=quiz).order_by("order").values_list("pk", flat=True))
    if code == 200:
        assert [q["id"] for q in response.json()] == ids
        assert [q["order"] for q in response.json()] == [1, 2, 3, 4, 5]
        assert stored == ids
    else:
        assert stored == [q.pk for q in questions.values()]


@pytest.mark.parametrize("which", ["missing one", "duplicate", "foreign", "not a list"])
def test_reorder_questions_needs_every_id_once(clients, quiz, questions, which):
    ids = [q.pk for q in questions.values()]
    order = {
        "missing one": ids[:-1],
        "duplicate": [*ids, ids[0]],
        "foreign": [*ids[:-1], QuestionFactory().pk],
        "not a list": "1,2,3",
    }[which]
    response = clients["instructor"].post(f"/api/v1/quizzes/{quiz.pk}/questions/reorder/", {"order": order})
    assert response.status_code == 400
    assert "order" in str(response.json())


def test_create_question_at_a_position(clients, quiz, questions):
    response = clients["instructor"].post(f"/api/v1/quizzes/{quiz.pk}/questions/", {**SINGLE_CHOICE, "order": 1})
    assert response.status_code == 201
    assert Question.objects.filter(quiz=quiz).order_by("order").first().pk == response.json()["id"]
