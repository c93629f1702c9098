"""A quiz's results through the API: who may read them, and the statistics."""

import pytest

from courses.tests.factories import EnrollmentFactory
from quizzes.tests.helpers import (
    all_right,
    expect,
    right_answer,
    start,
    submit,
    wrong_answer,
)

pytestmark = pytest.mark.django_db

RESULTS = expect(anonymous=401, student=403, other_student=403, instructor=200, other_instructor=403, admin=200)


@pytest.mark.parametrize(("role", "code"), RESULTS)
def test_results_access(clients, enrollment, quiz, questions, role, code):
    attempt = start(clients["student"], quiz)
    submit(clients["student"], attempt["id"], all_right(questions))
    response = clients[role].get(f"/api/v1/quizzes/{quiz.pk}/results/")
    assert response.status_code == code
    if code == 200:
        assert response.json()["count"] == 1


def test_results_statistics(clients, student, other_student, enrollment, quiz, questions):
    EnrollmentFactory(student=other_student, course=quiz.course)
    # student: everything right (6/6); other student: single choice, true/false and short answer (3/6).
    first = start(clients["student"], quiz)
    submit(clients["student"], first["id"], all_right(questions))
    second = start(clients["other_student"], quiz)
    answers = [
        right_answer(questions["single"]),
        right_answer(questions["short"]),
        right_answer(questions["true_false"]),
        wrong_answer(questions["multiple"]),
        wrong_answer(questions["numeric"]),
    ]
    submit(clients["other_student"], second["id"], answers)
    start(clients["other_student"], quiz)  # open: counted in the list, not in the statistics

    body = clients["instructor"].get(f"/api/v1/quizzes/{quiz.pk}/results/").json()
    assert body["attempt_count"] == 2
    assert body["student_count"] == 2
    assert body["pass_rate"] == 0.5
    assert body["average_percent"] == "75.00"
    assert body["count"] == 3
    stats = {row["question"]: row for row in body["questions"]}
    assert set(stats) == {q.pk for q in questions.values()}
    assert stats[questions["single"].pk]["share_correct"] == 1.0
    assert stats[questions["single"].pk]["average_points"] == "1.00"
    assert stats[questions["multiple"].pk]["share_correct"] == 0.5
    assert stats[questions["multiple"].pk]["average_points"] == "1.00"
    assert stats[questions["multiple"].pk]["max_points"] == "2.00"
    assert stats[questions["numeric"].pk]["share_correct"] == 0.5
    assert stats[questions["true_false"].pk]["average_points"] == "1.00"
    assert stats[questions["numeric"].pk]["average_points"] == "0.50"
    assert all(row["answers"] == 2 for row in stats.values())
    assert {r["student"] for r in body["results"]} == {student.pk, other_student.pk}
    assert all("student_email" not in r for r in body["results"])


def test_results_without_attempts(clients, quiz, questions):
    body = clients["instructor"].get(f"/api/v1/quizzes/{quiz.pk}/results/").json()
    assert body["attempt_count"] == 0
    assert body["pass_rate"] is None
    assert body["average_percent"] is None
    assert body["questions"] == []
    assert body["results"] == []


def test_results_average_of_zero_is_zero_not_null(clients, enrollment, quiz, questions):
    attempt = start(clients["student"], quiz)
    submit(clients["student"], attempt["id"], [])
    body = clients["instructor"].get(f"/api/v1/quizzes/{quiz.pk}/results/").json()
    assert body["attempt_count"] == 1
    assert body["average_percent"] == "0.00"


def test_results_keep_statistics_of_a_deleted_question(clients, enrollment, quiz, questions):
    attempt = start(clients["student"], quiz)
    submit(clients["student"], attempt["id"], all_right(questions))
    deleted = questions["numeric"].pk
    assert clients["admin"].delete(f"/api/v1/questions/{deleted}/").status_code == 204
    body = clients["instructor"].get(f"/api/v1/quizzes/{quiz.pk}/results/").json()
    row = next(r for r in body["questions"] if r["question"] == deleted)
    assert (row["text"], row["share_correct"]) == (None, 1.0)
