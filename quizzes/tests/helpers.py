"""Builders and API shortcuts shared by the quizzes tests."""

from decimal import Decimal

from quizzes import services
from quizzes.models import CHOICE_TYPES, Question, Quiz

# Distinctive values, so a leak of an answer to a student is visible in the raw response.
SECRET_TEXT = "Xylophonically"
SECRET_NUMBER = "2.71828"
LEAK_MARKERS = ("is_correct", "accepted_answers", "numeric_answer", "correct_choice_ids", SECRET_TEXT, SECRET_NUMBER)


def build_mixed_questions(quiz: Quiz) -> dict[str, Question]:
    """One question of every type (total 6 points: multiple choice is worth 2), written as the
    platform (actor None): test data, not a person's edit."""
    return {
        "single": services.question_create(
            actor=None,
            quiz=quiz,
            type="single_choice",
            text="Capital of France?",
            choices=[{"text": "Paris", "is_correct": True}, {"text": "Lyon"}, {"text": "Nice"}],
        ),
        "multiple": services.question_create(
            actor=None,
            quiz=quiz,
            type="multiple_choice",
            text="Which are prime?",
            points=2,
            choices=[{"text": "2", "is_correct": True}, {"text": "3", "is_correct": True}, {"text": "4"}],
        ),
        "true_false": services.question_create(
            actor=None,
            quiz=quiz,
            type="true_false",
            text="Water is wet.",
            choices=[{"text": "True", "is_correct": True}, {"text": "False"}],
        ),
        "short": services.question_create(
            actor=None,
            quiz=quiz,
            type="short_answer",
            text="The magic word?",
            accepted_answers=[SECRET_TEXT, "New   York"],
            explanation="Because.",
        ),
        "numeric": services.question_create(
            actor=None,
            quiz=quiz,
            type="numeric",
            text="Euler's number?",
            numeric_answer=Decimal(SECRET_NUMBER),
            tolerance=Decimal("0.001"),
        ),
    }


def right_choice_ids(question: Question) -> list[int]:
    return [c.pk for c in question.choices.all() if c.is_correct]


def wrong_choice_ids(question: Question) -> list[int]:
    return [c.pk for c in question.choices.all() if not c.is_correct][:1]


def right_answer(question: Question) -> dict:
    if question.type in CHOICE_TYPES:
        return {"question": question.pk, "choice_ids": right_choice_ids(question)}
    if question.type == "short_answer":
        return {"question": question.pk, "text": f"  {SECRET_TEXT.upper()} "}
    return {"question": question.pk, "number": "2.7185"}


def wrong_answer(question: Question) -> dict:
    if question.type in CHOICE_TYPES:
        return {"question": question.pk, "choice_ids": wrong_choice_ids(question)}
    if question.type == "short_answer":
        return {"question": question.pk, "text": "Atlantic"}
    return {"question": question.pk, "number": 3}


def all_right(questions: dict[str, Question]) -> list[dict]:
    return [right_answer(q) for q in questions.values()]


def start(client, quiz, expected: int = 201) -> dict:
    response = client.post(f"/api/v1/quizzes/{quiz.pk}/attempts/")
    assert response.status_code == expected, response.content
    return response.json()


def submit(client, attempt_id: int, answers: list, expected: int | None = 200):
    response = client.post(f"/api/v1/attempts/{attempt_id}/submit/", {"answers": answers})
    if expected is not None:
        assert response.status_code == expected, response.content
    return response


def save(client, attempt_id: int, answers: list, expected: int | None = 200):
    response = client.patch(f"/api/v1/attempts/{attempt_id}/", {"answers": answers})
    if expected is not None:
        assert response.status_code == expected, response.content
    return response


def assert_no_leak(response) -> None:
    body = response.content.decode()
    for marker in LEAK_MARKERS:
        assert marker not in body, f"{marker!r} leaked to a student: {body}"


# --- the role matrices of the API tests -----------------------------------------------------------
ROLES = ("anonymous", "student", "other_student", "instructor", "other_instructor", "admin")


def expect(**codes) -> list[tuple[str, int]]:
    return [(role, codes[role]) for role in ROLES]


READ = expect(anonymous=401, student=200, other_student=403, instructor=200, other_instructor=403, admin=200)
MANAGE = expect(anonymous=401, student=403, other_student=403, instructor=200, other_instructor=403, admin=200)
CREATE = expect(anonymous=401, student=403, other_student=403, instructor=201, other_instructor=403, admin=201)
DELETE = expect(anonymous=401, student=403, other_student=403, instructor=204, other_instructor=403, admin=204)
