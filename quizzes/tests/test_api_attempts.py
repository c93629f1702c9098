"""Attempts through the API: every endpoint for every role, limits, the open attempt, shuffling,
saved answers, snapshots, the best attempt and the activity log."""

from decimal import Decimal

import pytest

from activity.models import ActivityEvent
from courses.tests.factories import EnrollmentFactory
from quizzes import services
from quizzes.models import Attempt, AttemptAnswer
from quizzes.tests.factories import QuestionFactory, QuizFactory
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

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "student", "other_student", "instructor", "other_instructor", "admin")


def expect(**codes) -> list[tuple[str, int]]:
    return [(role, codes[role]) for role in ROLES]


# --- every endpoint, every role --------------------------------------------------------------
@pytest.mark.parametrize(
    ("role", "code"),
    expect(anonymous=401, student=201, other_student=403, instructor=403, other_instructor=403, admin=403),
)
def test_start_attempt(clients, enrollment, quiz, questions, role, code):
    response = clients[role].post(f"/api/v1/quizzes/{quiz.pk}/attempts/")
    assert response.status_code == code, response.content
    assert Attempt.objects.count() == (1 if code == 201 else 0)
    if code == 201:
        body = response.json()
        assert (body["number"], body["status"], body["submitted_at"], body["score"]) == (1, "open", None, None)
        assert [q["id"] for q in body["questions"]] == [q.pk for q in questions.values()]
        assert body["answers"] == []
        assert body["feedback"] == []
        assert body["deadline"] is None


@pytest.mark.parametrize(
    ("role", "code"),
    expect(anonymous=401, student=200, other_student=403, instructor=200, other_instructor=403, admin=200),
)
def test_list_own_attempts(clients, enrollment, quiz, questions, role, code):
    first = start(clients["student"], quiz)
    submit(clients["student"], first["id"], [])
    second = start(clients["student"], quiz)
    response = clients[role].get(f"/api/v1/quizzes/{quiz.pk}/attempts/")
    assert response.status_code == code
    if code == 200:
        ids = [a["id"] for a in response.json()]
        assert ids == ([second["id"], first["id"]] if role == "student" else [])


@pytest.mark.parametrize(
    ("role", "code"),
    expect(anonymous=401, student=200, other_student=404, instructor=200, other_instructor=404, admin=200),
)
def test_retrieve_attempt(clients, enrollment, quiz, questions, role, code):
    attempt = start(clients["student"], quiz)
    response = clients[role].get(f"/api/v1/attempts/{attempt['id']}/")
    assert response.status_code == code
    if code == 200:
        assert response.json()["id"] == attempt["id"]


@pytest.mark.parametrize(
    ("role", "code"),
    expect(anonymous=401, student=200, other_student=404, instructor=403, other_instructor=404, admin=403),
)
def test_save_answers(clients, enrollment, quiz, questions, role, code):
    attempt = start(clients["student"], quiz)
    answer = right_answer(questions["single"])
    response = save(clients[role], attempt["id"], [answer], expected=code)
    stored = Attempt.objects.get(pk=attempt["id"])
    if code == 200:
        assert response.json()["answers"] == [answer]
        assert stored.answers == {str(answer["question"]): {"choice_ids": answer["choice_ids"]}}
    else:
        assert stored.answers == {}


@pytest.mark.parametrize(
    ("role", "code"),
    expect(anonymous=401, student=200, other_student=404, instructor=403, other_instructor=404, admin=403),
)
def test_submit_attempt(clients, enrollment, quiz, questions, role, code):
    attempt = start(clients["student"], quiz)
    submit(clients[role], attempt["id"], all_right(questions), expected=code)
    stored = Attempt.objects.get(pk=attempt["id"])
    assert stored.is_open is (code != 200)
    assert AttemptAnswer.objects.filter(attempt=stored).count() == (5 if code == 200 else 0)


def test_an_enrolled_classmate_cannot_touch_someone_elses_attempt(clients, other_student, enrollment, quiz, questions):
    EnrollmentFactory(student=other_student, course=quiz.course)
    attempt = start(clients["student"], quiz)
    classmate = clients["other_student"]
    assert classmate.get(f"/api/v1/attempts/{attempt['id']}/").status_code == 404
    save(classmate, attempt["id"], [right_answer(questions["single"])], expected=404)
    submit(classmate, attempt["id"], all_right(questions), expected=404)
    assert classmate.get(f"/api/v1/quizzes/{quiz.pk}/attempts/").json() == []
    assert Attempt.objects.get(pk=attempt["id"]).is_open


def test_unsupported_methods_on_an_attempt(clients, enrollment, quiz, questions):
    attempt = start(clients["student"], quiz)
    assert clients["student"].put(f"/api/v1/attempts/{attempt['id']}/", {"answers": []}).status_code == 405
    assert clients["student"].delete(f"/api/v1/attempts/{attempt['id']}/").status_code == 405
    assert clients["student"].get(f"/api/v1/attempts/{attempt['id']}/submit/").status_code == 405


def test_unknown_attempt_is_404(clients):
    assert clients["admin"].get("/api/v1/attempts/999999/").status_code == 404
    assert clients["student"].post("/api/v1/attempts/999999/submit/", {"answers": []}).status_code == 404


def test_a_revoked_enrollment_cannot_start(clients, enrollment, quiz, questions):
    enrollment.status = "revoked"
    enrollment.save(update_fields=["status"])
    start(clients["student"], quiz, expected=403)


def test_a_quiz_without_questions_cannot_be_started(clients, enrollment, quiz):
    response = clients["student"].post(f"/api/v1/quizzes/{quiz.pk}/attempts/")
    assert response.status_code == 409
    assert response.json()["code"] == "quiz_empty"


# --- the open attempt, limits ----------------------------------------------------------------
def test_an_open_attempt_is_returned_again(clients, enrollment, quiz, questions):
    first = start(clients["student"], quiz)
    save(clients["student"], first["id"], [right_answer(questions["short"])])
    again = start(clients["student"], quiz, expected=200)
    assert again["id"] == first["id"]
    assert again["started_at"] == first["started_at"]
    assert again["answers"] == [right_answer(questions["short"])]
    assert Attempt.objects.count() == 1


@pytest.mark.parametrize("max_attempts", [1, 2])
def test_attempts_run_out(clients, enrollment, quiz, questions, max_attempts):
    quiz.max_attempts = max_attempts
    quiz.save(update_fields=["max_attempts"])
    for number in range(1, max_attempts + 1):
        attempt = start(clients["student"], quiz)
        assert attempt["number"] == number
        submit(clients["student"], attempt["id"], [])
    response = clients["student"].post(f"/api/v1/quizzes/{quiz.pk}/attempts/")
    assert response.status_code == 403
    assert response.json()["code"] == "no_attempts_left"
    assert Attempt.objects.count() == max_attempts
    mine = clients["student"].get(f"/api/v1/quizzes/{quiz.pk}/").json()["my_attempts"]
    assert (mine["used"], mine["left"]) == (max_attempts, 0)


def test_an_open_attempt_is_returned_even_when_it_was_the_last_one(clients, enrollment, quiz, questions):
    quiz.max_attempts = 1
    quiz.save(update_fields=["max_attempts"])
    first = start(clients["student"], quiz)
    assert start(clients["student"], quiz, expected=200)["id"] == first["id"]


def test_unlimited_attempts(clients, enrollment, quiz, questions):
    assert quiz.max_attempts is None
    for number in range(1, 6):
        attempt = start(clients["student"], quiz)
        assert attempt["number"] == number
        submit(clients["student"], attempt["id"], [])
    mine = clients["student"].get(f"/api/v1/quizzes/{quiz.pk}/").json()["my_attempts"]
    assert (mine["used"], mine["left"]) == (5, None)


def test_attempts_of_one_student_do_not_use_up_anothers(clients, other_student, enrollment, quiz, questions):
    quiz.max_attempts = 1
    quiz.save(update_fields=["max_attempts"])
    EnrollmentFactory(student=other_student, course=quiz.course)
    submit(clients["student"], start(clients["student"], quiz)["id"], [])
    assert start(clients["other_student"], quiz)["number"] == 1


def test_second_submit_is_409_and_keeps_the_grade(clients, enrollment, quiz, questions):
    attempt = start(clients["student"], quiz)
    submit(clients["student"], attempt["id"], all_right(questions))
    response = submit(clients["student"], attempt["id"], [], expected=409)
    assert response.json()["code"] == "already_submitted"
    save(clients["student"], attempt["id"], [wrong_answer(questions["single"])], expected=409)
    stored = Attempt.objects.get(pk=attempt["id"])
    assert stored.percent == Decimal("100.00")
    assert AttemptAnswer.objects.filter(attempt=stored).count() == 5


def test_the_best_attempt_counts(clients, enrollment, quiz, questions):
    first = start(clients["student"], quiz)
    submit(clients["student"], first["id"], all_right(questions))
    second = start(clients["student"], quiz)
    submit(clients["student"], second["id"], [])
    mine = clients["student"].get(f"/api/v1/quizzes/{quiz.pk}/").json()["my_attempts"]
    assert (Decimal(str(mine["best_percent"])), mine["passed"], mine["used"]) == (100, True, 2)
    listed = clients["student"].get(f"/api/v1/courses/{quiz.course_id}/quizzes/").json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert Decimal(str(rows[0]["my_attempts"]["best_percent"])) == 100
    attempts = clients["student"].get(f"/api/v1/quizzes/{quiz.pk}/attempts/").json()
    assert [(a["number"], a["percent"], a["passed"]) for a in attempts] == [(2, "0.00", False), (1, "100.00", True)]


def test_best_percent_is_a_decimal_string_like_percent(clients, enrollment, quiz, questions):
    submit(clients["student"], start(clients["student"], quiz)["id"], all_right(questions))
    mine = clients["student"].get(f"/api/v1/quizzes/{quiz.pk}/").json()["my_attempts"]
    assert mine["best_percent"] == "100.00"


# --- shuffling -------------------------------------------------------------------------------
def test_shuffling_is_per_attempt_and_stable(clients, enrollment, course):
    quiz = QuizFactory(course=course, shuffle_questions=True)
    ids = [QuestionFactory(quiz=quiz).pk for _ in range(12)]
    orders = set()
    for _ in range(6):
        attempt = start(clients["student"], quiz)
        order = [q["id"] for q in attempt["questions"]]
        assert sorted(order) == sorted(ids)
        assert [q["id"] for q in start(clients["student"], quiz, expected=200)["questions"]] == order
        detail = clients["student"].get(f"/api/v1/attempts/{attempt['id']}/").json()
        assert [q["id"] for q in detail["questions"]] == order
        graded = submit(clients["student"], attempt["id"], []).json()
        assert [q["id"] for q in graded["questions"]] == order
        assert [f["question"] for f in graded["feedback"]] == order
        positions = AttemptAnswer.objects.filter(attempt_id=attempt["id"]).order_by("position")
        assert [row.question_id for row in positions] == order
        orders.add(tuple(order))
    assert len(orders) > 1  # 12! orders: six equal shuffles in a row would be a broken shuffle


def test_without_shuffling_questions_come_in_order(clients, enrollment, quiz, questions):
    services.questions_reorder(
        actor=quiz.course.instructor, quiz=quiz, ids=[q.pk for q in reversed(list(questions.values()))]
    )
    attempt = start(clients["student"], quiz)
    assert [q["id"] for q in attempt["questions"]] == [q.pk for q in reversed(list(questions.values()))]


# --- saved answers ---------------------------------------------------------------------------
def test_saved_answers_merge_with_later_saves_and_the_submit(clients, enrollment, quiz, questions):
    client = clients["student"]
    attempt = start(client, quiz)
    single, multiple, short = questions["single"], questions["multiple"], questions["short"]
    save(client, attempt["id"], [{"question": single.pk, "choice_ids": wrong_choice_ids(single)}])
    save(client, attempt["id"], [right_answer(multiple), right_answer(short)])
    # A later save replaces the answer to the same question and keeps the others.
    body = save(client, attempt["id"], [right_answer(single)]).json()
    assert {a["question"] for a in body["answers"]} == {single.pk, multiple.pk, short.pk}
    reloaded = client.get(f"/api/v1/attempts/{attempt['id']}/").json()
    assert sorted(reloaded["answers"], key=lambda a: a["question"]) == sorted(
        body["answers"], key=lambda a: a["question"]
    )
    # Submit sends the rest, and overrides the saved short answer with a wrong one.
    graded = submit(
        client,
        attempt["id"],
        [right_answer(questions["true_false"]), right_answer(questions["numeric"]), wrong_answer(short)],
    ).json()
    assert (graded["score"], graded["percent"]) == ("5.00", "83.33")
    correct = {f["question"]: f["correct"] for f in graded["feedback"]}
    assert correct == {
        single.pk: True,
        multiple.pk: True,
        short.pk: False,
        questions["true_false"].pk: True,
        questions["numeric"].pk: True,
    }
    rows = {r.question_id: r for r in AttemptAnswer.objects.filter(attempt_id=attempt["id"])}
    assert rows[short.pk].response == {"text": "Atlantic"}
    assert rows[single.pk].response == {"choice_ids": right_choice_ids(single)}


def test_saving_nothing_is_harmless(clients, enrollment, quiz, questions):
    attempt = start(clients["student"], quiz)
    save(clients["student"], attempt["id"], [right_answer(questions["single"])])
    save(clients["student"], attempt["id"], [])
    assert clients["student"].patch(f"/api/v1/attempts/{attempt['id']}/", {}).status_code == 200
    assert len(Attempt.objects.get(pk=attempt["id"]).answers) == 1


def test_a_blank_answer_can_clear_a_saved_one(clients, enrollment, quiz, questions):
    attempt = start(clients["student"], quiz)
    single = questions["single"]
    save(clients["student"], attempt["id"], [right_answer(single)])
    save(clients["student"], attempt["id"], [{"question": single.pk, "choice_ids": []}])
    graded = submit(clients["student"], attempt["id"], []).json()
    assert next(f for f in graded["feedback"] if f["question"] == single.pk)["correct"] is False


# --- snapshots: editing questions never changes grades ---------------------------------------
def test_grades_given_do_not_change_when_questions_are_edited_or_deleted(
    clients, instructor, enrollment, quiz, questions
):
    attempt = start(clients["student"], quiz)
    graded = submit(clients["student"], attempt["id"], all_right(questions)).json()
    before_rows = list(AttemptAnswer.objects.filter(attempt_id=attempt["id"]).values())

    single, short, numeric = questions["single"], questions["short"], questions["numeric"]
    services.question_update(
        actor=instructor,
        question=single,
        data={"choices": [{"text": "Paris"}, {"text": "Lyon", "is_correct": True}], "points": 10},
    )
    services.question_update(actor=instructor, question=short, data={"accepted_answers": ["something else"]})
    services.question_update(
        actor=instructor, question=numeric, data={"numeric_answer": Decimal(100), "tolerance": Decimal(0)}
    )
    services.question_delete(actor=instructor, question=questions["true_false"])
    services.question_delete(actor=instructor, question=questions["multiple"])

    stored = Attempt.objects.get(pk=attempt["id"])
    assert (stored.score, stored.max_score, stored.percent, stored.passed) == (
        Decimal(6),
        Decimal(6),
        Decimal(100),
        True,
    )
    assert list(AttemptAnswer.objects.filter(attempt_id=attempt["id"]).values()) == before_rows
    again = clients["student"].get(f"/api/v1/attempts/{attempt['id']}/").json()
    assert again["questions"] == graded["questions"]
    assert again["feedback"] == graded["feedback"]
    assert again["score"] == graded["score"] == "6.00"
    for client in (clients["instructor"], clients["admin"]):
        results = client.get(f"/api/v1/quizzes/{quiz.pk}/results/").json()
        assert results["average_percent"] == "100.00"
        assert {q["share_correct"] for q in results["questions"]} == {1.0}


def test_an_open_attempt_is_graded_on_the_questions_as_they_were_when_it_started(
    clients, instructor, enrollment, quiz, questions
):
    attempt = start(clients["student"], quiz)
    ids = [q.pk for q in questions.values()]
    numeric_id = questions["numeric"].pk
    single = questions["single"]
    old_right = right_choice_ids(single)
    services.question_update(
        actor=instructor, question=single, data={"choices": [{"text": "A", "is_correct": True}, {"text": "B"}]}
    )
    services.question_delete(actor=instructor, question=questions["numeric"])
    new_question = QuestionFactory(quiz=quiz)

    # The open attempt still shows the old question and choices, and grades against them.
    shown = clients["student"].get(f"/api/v1/attempts/{attempt['id']}/").json()
    assert [q["id"] for q in shown["questions"]] == ids
    graded = submit(
        clients["student"],
        attempt["id"],
        [{"question": single.pk, "choice_ids": old_right}, {"question": numeric_id, "number": "2.718"}],
    ).json()
    correct = {f["question"]: f["correct"] for f in graded["feedback"]}
    assert correct[single.pk] is True
    assert correct[numeric_id] is True
    assert new_question.pk not in correct
    assert graded["max_score"] == "6.00"
    # The next attempt takes the questions as they are now.
    nxt = start(clients["student"], quiz)
    assert new_question.pk in [q["id"] for q in nxt["questions"]]
    assert numeric_id not in [q["id"] for q in nxt["questions"]]
    save(clients["student"], nxt["id"], [{"question": single.pk, "choice_ids": old_right}], expected=400)


def test_an_instructor_may_delete_questions_with_attempts_but_not_the_quiz(clients, enrollment, quiz, questions):
    submit(clients["student"], start(clients["student"], quiz)["id"], all_right(questions))
    assert clients["admin"].delete(f"/api/v1/questions/{questions['single'].pk}/").status_code == 204
    assert clients["instructor"].delete(f"/api/v1/quizzes/{quiz.pk}/").status_code == 409


# --- activity ---------------------------------------------------------------------------------
def _events(verb):
    return list(ActivityEvent.objects.filter(verb=verb).order_by("id"))


def test_activity_is_recorded(clients, student, enrollment, quiz, questions):
    first = start(clients["student"], quiz)
    started = _events("quiz_attempt_started")
    assert len(started) == 1
    assert (started[0].actor_id, started[0].course_id, started[0].target_type, started[0].target_id) == (
        student.pk,
        quiz.course_id,
        "attempt",
        str(first["id"]),
    )
    assert started[0].metadata == {"quiz_id": quiz.pk, "number": 1}
    start(clients["student"], quiz, expected=200)
    assert len(_events("quiz_attempt_started")) == 1  # returning the open attempt is not a start

    submit(clients["student"], first["id"], [])
    submitted = _events("quiz_attempt_submitted")
    assert len(submitted) == 1
    assert submitted[0].metadata == {"quiz_id": quiz.pk, "percent": "0.00", "passed": False, "auto": False}
    assert _events("quiz_passed") == []

    second = start(clients["student"], quiz)
    submit(clients["student"], second["id"], all_right(questions))
    assert len(_events("quiz_attempt_started")) == 2
    assert len(_events("quiz_attempt_submitted")) == 2
    passed = _events("quiz_passed")
    assert len(passed) == 1
    assert (passed[0].actor_id, passed[0].target_id, passed[0].metadata["percent"]) == (
        student.pk,
        str(second["id"]),
        "100.00",
    )


def test_failed_requests_record_no_activity(clients, enrollment, quiz, questions):
    attempt = start(clients["student"], quiz)
    submit(clients["student"], attempt["id"], [{"question": 0}], expected=400)
    clients["other_student"].post(f"/api/v1/quizzes/{quiz.pk}/attempts/")
    assert _events("quiz_attempt_submitted") == []
    assert len(_events("quiz_attempt_started")) == 1
