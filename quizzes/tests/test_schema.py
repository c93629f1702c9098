"""The documented question input (a oneOf by `type`, a partial object for PATCH) is exactly what
the server accepts, and attempts render their status as the documented enum."""

import pytest

from lms.tests.openapi import component, schema_errors
from quizzes.api.serializers import AttemptStatus
from quizzes.models import Question, QuestionType
from quizzes.tests.helpers import all_right, start, submit

pytestmark = pytest.mark.django_db

# The smallest valid body of each type: what its variant of QuestionInput requires.
MINIMAL = {
    "single_choice": {
        "type": "single_choice",
        "text": "Q",
        "choices": [{"text": "a", "is_correct": True}, {"text": "b"}],
    },
    "multiple_choice": {
        "type": "multiple_choice",
        "text": "Q",
        "choices": [{"text": "a", "is_correct": True}, {"text": "b"}],
    },
    "true_false": {"type": "true_false", "text": "Q", "choices": [{"text": "T", "is_correct": True}, {"text": "F"}]},
    "short_answer": {"type": "short_answer", "text": "Q", "accepted_answers": ["Paris"]},
    "numeric": {"type": "numeric", "text": "Q", "numeric_answer": "3.5"},
}
VARIANTS = {
    "single_choice": "SingleChoiceQuestionInput",
    "multiple_choice": "MultipleChoiceQuestionInput",
    "true_false": "TrueFalseQuestionInput",
    "short_answer": "ShortAnswerQuestionInput",
    "numeric": "NumericQuestionInput",
}


def test_question_input_is_a_oneof_by_type_over_every_type():
    union = component("QuestionInput")
    assert union["discriminator"]["propertyName"] == "type"
    assert union["discriminator"]["mapping"] == {t: f"#/components/schemas/{VARIANTS[t]}" for t in QuestionType.values}
    for question_type, variant in VARIANTS.items():
        type_enum = component(variant)["properties"]["type"]["$ref"].rsplit("/", 1)[1]
        assert component(type_enum)["enum"] == [question_type]
    assert set(MINIMAL) == set(QuestionType.values)


def test_a_patch_stays_one_partial_object():
    patch = component("PatchedQuestionInput")
    assert "required" not in patch
    assert set(patch["properties"]) >= {"type", "text", "choices", "accepted_answers", "numeric_answer"}


@pytest.mark.parametrize("question_type", QuestionType.values)
@pytest.mark.parametrize("method", ["post", "put"])
def test_the_server_accepts_each_minimal_body_the_schema_accepts(clients, quiz, questions, question_type, method):
    body = MINIMAL[question_type]
    assert schema_errors(body, "QuestionInput", request=True) == []
    url = (
        f"/api/v1/quizzes/{quiz.pk}/questions/" if method == "post" else f"/api/v1/questions/{questions['single'].pk}/"
    )
    response = getattr(clients["instructor"], method)(url, body)
    assert response.status_code == (201 if method == "post" else 200), response.content
    assert response.json()["type"] == question_type


@pytest.mark.parametrize(
    ("question_type", "field"),
    [(t, field) for t in QuestionType.values for field in MINIMAL[t] if field != "type"],
)
@pytest.mark.parametrize("method", ["post", "put"])
def test_a_body_without_a_required_field_fails_the_schema_and_the_server(
    clients, quiz, questions, question_type, field, method
):
    body = {key: value for key, value in MINIMAL[question_type].items() if key != field}
    assert field in component(VARIANTS[question_type])["required"]
    assert schema_errors(body, VARIANTS[question_type], request=True)
    question = questions["numeric"]
    url = f"/api/v1/quizzes/{quiz.pk}/questions/" if method == "post" else f"/api/v1/questions/{question.pk}/"
    response = getattr(clients["instructor"], method)(url, body)
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert Question.objects.filter(quiz=quiz).count() == len(questions)


@pytest.mark.parametrize("body", [{"text": "Q"}, {"type": "essay", "text": "Q"}])
def test_a_body_without_a_known_type_fails_the_schema_and_the_server(clients, quiz, body):
    assert schema_errors(body, "QuestionInput", request=True)
    response = clients["instructor"].post(f"/api/v1/quizzes/{quiz.pk}/questions/", body)
    assert response.status_code == 400
    assert list(response.json()) == ["type"]


def test_a_true_false_question_has_exactly_two_choices_in_the_schema_and_the_server(clients, quiz):
    body = {**MINIMAL["true_false"], "choices": [*MINIMAL["true_false"]["choices"], {"text": "maybe"}]}
    assert schema_errors(body, "TrueFalseQuestionInput", request=True)
    response = clients["instructor"].post(f"/api/v1/quizzes/{quiz.pk}/questions/", body)
    assert response.status_code == 400
    assert "choices" in response.json()


def test_attempts_render_their_status_as_the_documented_enum(clients, enrollment, quiz, questions):
    status_enum = component("Attempt")["properties"]["status"]["allOf"][0]["$ref"].rsplit("/", 1)[1]
    assert component(status_enum)["enum"] == AttemptStatus.values
    attempt = start(clients["student"], quiz)
    graded = submit(clients["student"], attempt["id"], all_right(questions)).json()
    assert (attempt["status"], graded["status"]) == ("open", "graded")
    for body in (attempt, graded):
        assert schema_errors(body, "Attempt") == []
        assert schema_errors({**body, "status": "submitted"}, "Attempt")
