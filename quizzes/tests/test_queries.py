"""Starting and submitting an attempt cost the same number of queries for 5 questions as for 50."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from quizzes.models import Choice, Question, Quiz
from quizzes.tests.factories import QuizFactory

pytestmark = pytest.mark.django_db


def _quiz_with(course, count: int) -> Quiz:
    """`count` questions cycling through every type (bulk-created: this test is about the attempt)."""
    quiz = QuizFactory(course=course, passing_score=50, show_correct_answers="after_submit", time_limit_seconds=600)
    kinds = ["single_choice", "multiple_choice", "true_false", "short_answer", "numeric"]
    questions = Question.objects.bulk_create(
        [
            Question(
                quiz=quiz,
                type=kinds[i % 5],
                text=f"Q{i}",
                order=i + 1,
                accepted_answers=["yes"] if kinds[i % 5] == "short_answer" else [],
                numeric_answer=1 if kinds[i % 5] == "numeric" else None,
            )
            for i in range(count)
        ]
    )
    Choice.objects.bulk_create(
        [
            Choice(question=q, text=text, is_correct=correct, order=n)
            for q in questions
            if q.type in ("single_choice", "multiple_choice", "true_false")
            for n, (text, correct) in enumerate([("a", True), ("b", q.type == "multiple_choice")], start=1)
        ]
    )
    return quiz


def _answers(attempt: dict) -> list[dict]:
    answers = []
    for q in attempt["questions"]:
        if q["type"] == "short_answer":
            answers.append({"question": q["id"], "text": "yes"})
        elif q["type"] == "numeric":
            answers.append({"question": q["id"], "number": 1})
        else:
            answers.append({"question": q["id"], "choice_ids": [q["choices"][0]["id"]]})
    return answers


def _measure(client, quiz) -> dict[str, int]:
    counts = {}
    with CaptureQueriesContext(connection) as ctx:
        response = client.post(f"/api/v1/quizzes/{quiz.pk}/attempts/")
    assert response.status_code == 201, response.content
    counts["start"] = len(ctx.captured_queries)
    attempt = response.json()
    answers = _answers(attempt)
    half = len(answers) // 2
    with CaptureQueriesContext(connection) as ctx:
        saved = client.patch(f"/api/v1/attempts/{attempt['id']}/", {"answers": answers[:half]})
    assert saved.status_code == 200
    counts["save"] = len(ctx.captured_queries)
    with CaptureQueriesContext(connection) as ctx:
        response = client.post(f"/api/v1/attempts/{attempt['id']}/submit/", {"answers": answers[half:]})
    assert response.status_code == 200, response.content
    counts["submit"] = len(ctx.captured_queries)
    assert len(response.json()["feedback"]) == len(answers)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(f"/api/v1/attempts/{attempt['id']}/").status_code == 200
    counts["read"] = len(ctx.captured_queries)
    return counts


def test_attempt_queries_do_not_grow_with_the_number_of_questions(clients, enrollment, course):
    small = _measure(clients["student"], _quiz_with(course, 5))
    large = _measure(clients["student"], _quiz_with(course, 50))
    assert large == small
    assert small["start"] <= 20, small
    assert small["submit"] <= 23, small  # + the release anchors of the completion check
    assert small["save"] <= 10, small


def test_results_queries_do_not_grow_with_the_number_of_questions(clients, enrollment, course):
    counts = []
    for size in (5, 50):
        quiz = _quiz_with(course, size)
        attempt = clients["student"].post(f"/api/v1/quizzes/{quiz.pk}/attempts/").json()
        clients["student"].post(f"/api/v1/attempts/{attempt['id']}/submit/", {"answers": _answers(attempt)})
        with CaptureQueriesContext(connection) as ctx:
            response = clients["instructor"].get(f"/api/v1/quizzes/{quiz.pk}/results/")
        assert response.status_code == 200
        assert len(response.json()["questions"]) == size
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def test_quiz_detail_for_the_owner_does_not_grow_with_the_number_of_questions(clients, course):
    counts = []
    for size in (5, 50):
        quiz = _quiz_with(course, size)
        with CaptureQueriesContext(connection) as ctx:
            response = clients["instructor"].get(f"/api/v1/quizzes/{quiz.pk}/")
        assert len(response.json()["questions"]) == size
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]
