"""Quizzes and questions through the API: every endpoint for every role, question shapes,
reordering, deleting, and the results statistics."""

import pytest

from courses.tests.factories import CourseFactory, EnrollmentFactory
from quizzes.models import Question, Quiz
from quizzes.tests.factories import QuestionFactory, QuizFactory
from quizzes.tests.helpers import all_right, right_answer, start, submit, wrong_answer

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "student", "other_student", "instructor", "other_instructor", "admin")


def expect(**codes) -> list[tuple[str, int]]:
    return [(role, codes[role]) for role in ROLES]


READ = expect(anonymous=401, student=200, other_student=403, instructor=200, other_instructor=403, admin=200)


def question_detail(codes: list[tuple[str, int]]) -> list:
    """The matrix for /questions/{id}/ (a regression: owners once got a 500 here)."""
    return list(codes)


MANAGE = expect(anonymous=401, student=403, other_student=403, instructor=200, other_instructor=403, admin=200)
CREATE = expect(anonymous=401, student=403, other_student=403, instructor=201, other_instructor=403, admin=201)
DELETE = expect(anonymous=401, student=403, other_student=403, instructor=204, other_instructor=403, admin=204)

SINGLE_CHOICE = {
    "type": "single_choice",
    "text": "Pick one",
    "choices": [{"text": "yes", "is_correct": True}, {"text": "no"}],
}


@pytest.mark.parametrize(("role", "code"), READ)
def test_list_course_quizzes(clients, enrollment, quiz, questions, role, code):
    QuizFactory(course=quiz.course, title="Second")
    response = clients[role].get(f"/api/v1/courses/{quiz.course_id}/quizzes/")
    assert response.status_code == code
    if code == 200:
        body = response.json()
        rows = body["results"] if isinstance(body, dict) else body
        assert [q["title"] for q in rows] == [quiz.title, "Second"]
        assert rows[0]["question_count"] == 5
        assert rows[0]["total_points"] == 6
        assert "questions" not in rows[0]


@pytest.mark.parametrize(("role", "code"), CREATE)
def test_create_quiz(clients, enrollment, course, role, code):
    payload = {
        "title": "New quiz",
        "description": "About it",
        "passing_score": 80,
        "time_limit_seconds": 600,
        "max_attempts": None,
        "shuffle_questions": True,
        "show_correct_answers": "after_pass",
        "is_required": False,
    }
    response = clients[role].post(f"/api/v1/courses/{course.pk}/quizzes/", payload)
    assert response.status_code == code, response.content
    if code == 201:
        body = response.json()
        for field, value in payload.items():
            assert body[field] == value, field
        assert body["questions"] == []
        assert Quiz.objects.get(pk=body["id"]).course == course
    else:
        assert not Quiz.objects.exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"passing_score": 101}, "passing_score"),
        ({"passing_score": -1}, "passing_score"),
        ({"max_attempts": 0}, "max_attempts"),
        ({"time_limit_seconds": 5}, "time_limit_seconds"),
        ({"show_correct_answers": "sometimes"}, "show_correct_answers"),
        ({"title": ""}, "title"),
    ],
)
def test_create_quiz_validates(clients, course, payload, field):
    response = clients["instructor"].post(f"/api/v1/courses/{course.pk}/quizzes/", {"title": "T", **payload})
    assert response.status_code == 400
    assert field in response.json()


def test_create_quiz_in_a_section_of_another_course_is_400(clients, course):
    other_section = CourseFactory().sections.create(title="Elsewhere", order=1)
    response = clients["instructor"].post(
        f"/api/v1/courses/{course.pk}/quizzes/", {"title": "T", "section": other_section.pk}
    )
    assert response.status_code == 400
    assert "section" in response.json()


@pytest.mark.parametrize("role", ["student", "other_instructor", "other_student"])
def test_quizzes_of_a_draft_course_are_hidden(clients, instructor, student, role):
    draft = CourseFactory(instructor=instructor)
    quiz = QuizFactory(course=draft)
    assert clients[role].get(f"/api/v1/courses/{draft.pk}/quizzes/").status_code == 404
    assert clients[role].get(f"/api/v1/quizzes/{quiz.pk}/").status_code == 404
    assert clients["instructor"].get(f"/api/v1/quizzes/{quiz.pk}/").status_code == 200


def test_unknown_course_and_quiz_are_404(clients):
    assert clients["instructor"].get("/api/v1/courses/999999/quizzes/").status_code == 404
    assert clients["admin"].get("/api/v1/quizzes/999999/").status_code == 404


@pytest.mark.parametrize(("role", "code"), READ)
def test_retrieve_quiz(clients, enrollment, quiz, questions, role, code):
    response = clients[role].get(f"/api/v1/quizzes/{quiz.pk}/")
    assert response.status_code == code
    if code == 200:
        body = response.json()
        assert body["id"] == quiz.pk
        if role in ("instructor", "admin"):
            assert len(body["questions"]) == 5
            assert any(c["is_correct"] for c in body["questions"][0]["choices"])
        else:
            assert body["questions"] is None
            assert body["my_attempts"] == {"used": 0, "left": None, "best_percent": None, "passed": False}


@pytest.mark.parametrize(("role", "code"), MANAGE)
def test_patch_quiz(clients, enrollment, quiz, role, code):
    response = clients[role].patch(f"/api/v1/quizzes/{quiz.pk}/", {"title": "Renamed", "max_attempts": 3})
    assert response.status_code == code
    quiz.refresh_from_db()
    if code == 200:
        assert response.json()["title"] == "Renamed"
        assert (quiz.title, quiz.max_attempts) == ("Renamed", 3)
    else:
        assert quiz.title != "Renamed"


@pytest.mark.parametrize(("role", "code"), MANAGE)
def test_put_quiz(clients, enrollment, quiz, role, code):
    payload = {"title": "Replaced", "passing_score": 90, "show_correct_answers": "never", "max_attempts": None}
    response = clients[role].put(f"/api/v1/quizzes/{quiz.pk}/", payload)
    assert response.status_code == code
    if code == 200:
        quiz.refresh_from_db()
        assert (quiz.title, quiz.passing_score, quiz.show_correct_answers) == ("Replaced", 90, "never")


def test_put_quiz_needs_a_title(clients, quiz):
    response = clients["instructor"].put(f"/api/v1/quizzes/{quiz.pk}/", {"passing_score": 90})
    assert response.status_code == 400
    assert "title" in response.json()


def test_patch_quiz_order_moves_it(clients, quiz):
    second = QuizFactory(course=quiz.course)
    response = clients["instructor"].patch(f"/api/v1/quizzes/{second.pk}/", {"order": 1})
    assert response.status_code == 200
    assert list(Quiz.objects.filter(course=quiz.course).values_list("pk", flat=True)) == [second.pk, quiz.pk]


@pytest.mark.parametrize(("role", "code"), DELETE)
def test_delete_quiz_without_attempts(clients, enrollment, quiz, questions, role, code):
    response = clients[role].delete(f"/api/v1/quizzes/{quiz.pk}/")
    assert response.status_code == code
    assert Quiz.objects.filter(pk=quiz.pk).exists() is (code != 204)
    if code == 204:
        assert not Question.objects.filter(quiz_id=quiz.pk).exists()


@pytest.mark.parametrize("role", ["instructor", "admin"])
def test_delete_quiz_with_attempts_is_409(clients, enrollment, quiz, questions, role):
    start(clients["student"], quiz)
    response = clients[role].delete(f"/api/v1/quizzes/{quiz.pk}/")
    assert response.status_code == 409
    assert response.json()["code"] == "quiz_has_attempts"
    assert Quiz.objects.filter(pk=quiz.pk).exists()


# --- questions ---------------------------------------------------------------------------------
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
    assert field in response.json(), response.json()
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


# --- results -------------------------------------------------------------------------------------
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
