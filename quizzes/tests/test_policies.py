"""The review policy: what a student may see of the right answers, and when."""

import pytest

from quizzes.tests.helpers import all_right, assert_no_leak, right_answer, save, start, submit

pytestmark = pytest.mark.django_db


def test_students_never_see_answers_in_quiz_endpoints(clients, enrollment, quiz, questions):
    student = clients["student"]
    assert_no_leak(student.get(f"/api/v1/courses/{quiz.course_id}/quizzes/"))
    detail = student.get(f"/api/v1/quizzes/{quiz.pk}/")
    assert detail.status_code == 200
    assert detail.json()["questions"] is None
    assert_no_leak(detail)
    response = student.get(f"/api/v1/quizzes/{quiz.pk}/questions/")
    assert response.status_code == 403
    assert_no_leak(response)
    # The owner does see them.
    owner = clients["instructor"].get(f"/api/v1/quizzes/{quiz.pk}/").content.decode()
    assert "Xylophonically" in owner
    assert "2.718280" in owner


def test_students_cannot_read_a_question(clients, enrollment, quiz, questions):
    client = clients["student"]
    client.raise_request_exception = False
    for key in ("short", "numeric"):
        response = client.get(f"/api/v1/questions/{questions[key].pk}/")
        assert response.status_code == 403
        assert_no_leak(response)


@pytest.mark.parametrize("policy", ["never", "after_submit", "after_pass"])
def test_an_open_attempt_never_shows_answers(clients, enrollment, quiz, questions, policy):
    quiz.show_correct_answers = policy
    quiz.save(update_fields=["show_correct_answers"])
    student = clients["student"]
    started = student.post(f"/api/v1/quizzes/{quiz.pk}/attempts/")
    assert started.status_code == 201
    assert_no_leak(started)
    attempt = started.json()
    assert set(attempt["questions"][0]) == {"id", "type", "text", "points", "choices"}
    assert set(attempt["questions"][0]["choices"][0]) == {"id", "text"}
    assert attempt["feedback"] == []
    assert_no_leak(student.get(f"/api/v1/attempts/{attempt['id']}/"))
    assert_no_leak(student.get(f"/api/v1/quizzes/{quiz.pk}/attempts/"))
    assert_no_leak(student.post(f"/api/v1/quizzes/{quiz.pk}/attempts/"))
    saved = save(student, attempt["id"], [right_answer(questions["single"])])
    assert_no_leak(saved)
    assert saved.json()["feedback"] == []
    # A passed earlier attempt does not open the review of the current, open one either.
    submit(student, attempt["id"], all_right(questions))
    reopened = start(student, quiz)
    assert reopened["feedback"] == []
    assert_no_leak(student.get(f"/api/v1/attempts/{reopened['id']}/"))


def _submitted_views(client, quiz, attempt_id):
    """The attempt as its student can see it after submitting: the submit response, the attempt, the list."""
    detail = client.get(f"/api/v1/attempts/{attempt_id}/")
    listed = client.get(f"/api/v1/quizzes/{quiz.pk}/attempts/")
    return detail, next(a for a in listed.json() if a["id"] == attempt_id), listed


def test_policy_never(clients, enrollment, quiz, questions):
    quiz.show_correct_answers = "never"
    quiz.save(update_fields=["show_correct_answers"])
    student = clients["student"]
    attempt = start(student, quiz)
    graded = submit(student, attempt["id"], all_right(questions))
    body = graded.json()
    # Pass or fail only: the score and percent would tell, over attempts, which answers are right.
    assert (body["score"], body["max_score"], body["percent"], body["passed"], body["feedback"]) == (
        None,
        None,
        None,
        True,
        [],
    )
    assert_no_leak(graded)
    detail, listed_one, listed = _submitted_views(student, quiz, attempt["id"])
    assert detail.json()["feedback"] == listed_one["feedback"] == []
    assert detail.json()["percent"] is listed_one["percent"] is None
    assert_no_leak(detail)
    assert_no_leak(listed)
    # The course's instructor and admins always see the review and the score.
    for role in ("instructor", "admin"):
        seen = clients[role].get(f"/api/v1/attempts/{attempt['id']}/").json()
        assert (len(seen["feedback"]), seen["percent"]) == (5, "100.00")


def test_policy_after_submit(clients, enrollment, quiz, questions):
    student = clients["student"]
    attempt = start(student, quiz)
    body = submit(student, attempt["id"], []).json()  # a failing attempt is reviewed too
    assert body["passed"] is False
    feedback = {f["question"]: f for f in body["feedback"]}
    assert set(feedback) == {q.pk for q in questions.values()}
    single = feedback[questions["single"].pk]
    assert single["correct_choice_ids"] == [c.pk for c in questions["single"].choices.all() if c.is_correct]
    assert (single["correct"], single["points_awarded"], single["max_points"]) == (False, "0.00", "1.00")
    assert feedback[questions["short"].pk]["accepted_answers"] == ["Xylophonically", "New   York"]
    assert feedback[questions["short"].pk]["explanation"] == "Because."
    assert (feedback[questions["numeric"].pk]["numeric_answer"], feedback[questions["numeric"].pk]["tolerance"]) == (
        "2.718280",
        "0.001000",
    )
    assert sorted(feedback[questions["multiple"].pk]["correct_choice_ids"]) == sorted(
        c.pk for c in questions["multiple"].choices.all() if c.is_correct
    )
    detail, listed_one, _ = _submitted_views(student, quiz, attempt["id"])
    assert detail.json()["feedback"] == listed_one["feedback"] == body["feedback"]


def test_policy_after_pass(clients, enrollment, quiz, questions):
    quiz.show_correct_answers = "after_pass"
    quiz.save(update_fields=["show_correct_answers"])
    student = clients["student"]
    failed = start(student, quiz)
    response = submit(student, failed["id"], [right_answer(questions["single"])])
    assert (response.json()["passed"], response.json()["feedback"]) == (False, [])
    assert_no_leak(response)
    detail, listed_one, listed = _submitted_views(student, quiz, failed["id"])
    assert detail.json()["feedback"] == listed_one["feedback"] == []
    assert_no_leak(detail)
    assert_no_leak(listed)
    assert len(clients["instructor"].get(f"/api/v1/attempts/{failed['id']}/").json()["feedback"]) == 5

    passed = start(student, quiz)
    body = submit(student, passed["id"], all_right(questions)).json()
    assert body["passed"] is True
    assert len(body["feedback"]) == 5
    assert all(f["correct"] for f in body["feedback"])
    # Once passed, the earlier attempts are reviewed too.
    detail, listed_one, _ = _submitted_views(student, quiz, failed["id"])
    assert len(detail.json()["feedback"]) == len(listed_one["feedback"]) == 5


def test_another_students_pass_does_not_open_the_review(clients, other_student, enrollment, quiz, questions):
    from courses.tests.factories import EnrollmentFactory

    quiz.show_correct_answers = "after_pass"
    quiz.save(update_fields=["show_correct_answers"])
    EnrollmentFactory(student=other_student, course=quiz.course)
    submit(clients["other_student"], start(clients["other_student"], quiz)["id"], all_right(questions))
    mine = start(clients["student"], quiz)
    assert submit(clients["student"], mine["id"], []).json()["feedback"] == []


def test_changing_the_policy_applies_to_past_attempts(clients, enrollment, quiz, questions):
    quiz.show_correct_answers = "never"
    quiz.save(update_fields=["show_correct_answers"])
    attempt = start(clients["student"], quiz)
    submit(clients["student"], attempt["id"], [])
    assert clients["student"].get(f"/api/v1/attempts/{attempt['id']}/").json()["feedback"] == []
    clients["instructor"].patch(f"/api/v1/quizzes/{quiz.pk}/", {"show_correct_answers": "after_submit"})
    assert len(clients["student"].get(f"/api/v1/attempts/{attempt['id']}/").json()["feedback"]) == 5
