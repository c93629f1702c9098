"""The review policies added against answer harvesting: after_last_attempt (the default for new
quizzes, with 3 attempts), after_due_date (with the quiz's due_at, which also closes the quiz), and
`never` showing pass or fail only. test_policies.py covers the older policies."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from courses.tests.factories import EnrollmentFactory
from quizzes import services
from quizzes.models import Attempt, Quiz
from quizzes.services import attempts_close_expired
from quizzes.tests.helpers import (
    all_right,
    assert_no_leak,
    build_mixed_questions,
    right_answer,
    save,
    start,
    submit,
    wrong_answer,
)

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "student", "other_student", "instructor", "other_instructor", "admin")


@pytest.fixture
def default_quiz(course):
    """A quiz created with no review policy or attempt limit given: the defaults for new quizzes."""
    return services.quiz_create(actor=course.instructor, course=course, title="Defaults", passing_score=60)


@pytest.fixture
def default_questions(default_quiz):
    return build_mixed_questions(default_quiz)


@pytest.fixture
def clock():
    # Near the real time: the clients' access tokens were issued a moment ago.
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        yield traveller


def _views(client, quiz, attempt_id) -> list:
    """Every response in which a student meets a submitted attempt: the attempt, the list, the quiz."""
    return [
        client.get(f"/api/v1/attempts/{attempt_id}/"),
        client.get(f"/api/v1/quizzes/{quiz.pk}/attempts/"),
        client.get(f"/api/v1/quizzes/{quiz.pk}/"),
        client.get(f"/api/v1/courses/{quiz.course_id}/quizzes/"),
    ]


def _feedback(client, attempt_id) -> list:
    response = client.get(f"/api/v1/attempts/{attempt_id}/")
    assert response.status_code == 200, response.content
    return response.json()["feedback"]


def _set(quiz, **fields) -> None:
    for name, value in fields.items():
        setattr(quiz, name, value)
    quiz.save(update_fields=list(fields))


# --- defaults ------------------------------------------------------------------------------------
def test_new_quizzes_default_to_after_last_attempt_with_three_attempts(clients, course, default_quiz):
    assert (default_quiz.show_correct_answers, default_quiz.max_attempts, default_quiz.due_at) == (
        "after_last_attempt",
        3,
        None,
    )
    response = clients["instructor"].post(f"/api/v1/courses/{course.pk}/quizzes/", {"title": "Through the API"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["show_correct_answers"], body["max_attempts"], body["due_at"]) == ("after_last_attempt", 3, None)
    # Unlimited attempts stay one explicit null away.
    response = clients["instructor"].post(
        f"/api/v1/courses/{course.pk}/quizzes/", {"title": "Unlimited", "max_attempts": None}
    )
    assert response.json()["max_attempts"] is None


@pytest.mark.django_db(transaction=True)
def test_the_migration_changes_the_defaults_only(course):
    """Quizzes that existed before keep their policy and their attempt limit."""
    executor = MigrationExecutor(connection)
    executor.migrate([("quizzes", "0001_initial")])
    old_apps = executor.loader.project_state([("quizzes", "0001_initial")]).apps
    old = old_apps.get_model("quizzes", "Quiz").objects.create(course_id=course.pk, title="Old quiz")
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    kept = Quiz.objects.get(pk=old.pk)
    assert (kept.show_correct_answers, kept.max_attempts, kept.due_at) == ("after_submit", None, None)


# --- after_last_attempt --------------------------------------------------------------------------
def test_a_blank_first_attempt_reveals_nothing_while_attempts_remain(
    clients, enrollment, default_quiz, default_questions
):
    student = clients["student"]
    for number in (1, 2):
        attempt = start(student, default_quiz)
        graded = submit(student, attempt["id"], [])
        body = graded.json()
        assert (body["number"], body["passed"], body["percent"], body["feedback"]) == (number, False, "0.00", [])
        assert_no_leak(graded)
        for response in _views(student, default_quiz, attempt["id"]):
            assert response.status_code == 200
            assert_no_leak(response)
    # The course's instructor and admins see the review at any time.
    for role in ("instructor", "admin"):
        assert len(_feedback(clients[role], attempt["id"])) == 5

    # The last attempt opens the review, of every attempt.
    last = start(student, default_quiz)
    body = submit(student, last["id"], all_right(default_questions)).json()
    assert (body["number"], body["passed"], len(body["feedback"])) == (3, True, 5)
    assert all(f["correct"] for f in body["feedback"])
    listed = student.get(f"/api/v1/quizzes/{default_quiz.pk}/attempts/").json()
    assert [len(a["feedback"]) for a in listed] == [5, 5, 5]
    first = next(a for a in listed if a["number"] == 1)
    single = next(f for f in first["feedback"] if f["question"] == default_questions["single"].pk)
    assert single["correct"] is False
    assert single["correct_choice_ids"] == [c.pk for c in default_questions["single"].choices.all() if c.is_correct]
    student.raise_request_exception = False
    refused = student.post(f"/api/v1/quizzes/{default_quiz.pk}/attempts/")
    assert (refused.status_code, refused.json()["code"]) == (403, "no_attempts_left")


def test_passing_with_attempts_left_does_not_open_the_review(clients, enrollment, default_quiz, default_questions):
    """Decided: the best attempt counts, so a student who passed may still improve; the review
    waits until no attempt can use it (after_pass is the policy that opens it on passing)."""
    student = clients["student"]
    passed = start(student, default_quiz)
    body = submit(student, passed["id"], all_right(default_questions)).json()
    assert (body["passed"], body["percent"], body["feedback"]) == (True, "100.00", [])
    second = start(student, default_quiz)
    assert submit(student, second["id"], []).json()["feedback"] == []
    assert _feedback(student, passed["id"]) == []
    third = start(student, default_quiz)
    assert len(submit(student, third["id"], []).json()["feedback"]) == 5
    assert len(_feedback(student, passed["id"])) == 5


def test_the_last_attempt_still_open_keeps_the_earlier_reviews_closed(
    clients, enrollment, default_quiz, default_questions
):
    student = clients["student"]
    for _ in range(2):
        submit(student, start(student, default_quiz)["id"], [])
    last = start(student, default_quiz)  # all three used, but the last one still takes answers
    for attempt in Attempt.objects.filter(quiz=default_quiz):
        assert _feedback(student, attempt.pk) == []
    for response in _views(student, default_quiz, last["id"]):
        assert_no_leak(response)
    assert_no_leak(save(student, last["id"], [wrong_answer(default_questions["single"])]))
    submit(student, last["id"], [])
    assert all(len(_feedback(student, a.pk)) == 5 for a in Attempt.objects.filter(quiz=default_quiz))


def test_with_unlimited_attempts_after_last_attempt_never_reviews(clients, enrollment, default_quiz, default_questions):
    _set(default_quiz, max_attempts=None)
    student = clients["student"]
    for answers in ([], [], [], all_right(default_questions)):
        attempt = start(student, default_quiz)
        graded = submit(student, attempt["id"], answers)
        assert graded.json()["feedback"] == []
        assert_no_leak(graded)
    assert len(_feedback(clients["instructor"], attempt["id"])) == 5


def test_another_students_last_attempt_opens_nothing(
    clients, other_student, enrollment, default_quiz, default_questions
):
    EnrollmentFactory(student=other_student, course=default_quiz.course)
    for _ in range(3):
        submit(clients["other_student"], start(clients["other_student"], default_quiz)["id"], [])
    mine = start(clients["student"], default_quiz)
    assert submit(clients["student"], mine["id"], []).json()["feedback"] == []


def test_the_review_follows_the_attempt_limit_as_it_is_now(clients, enrollment, default_quiz, default_questions):
    """Lowering max_attempts to what a student has used opens their review; raising it again
    closes it (and lets them start: instructors are told so in the field's help)."""
    student = clients["student"]
    attempt = start(student, default_quiz)
    submit(student, attempt["id"], [])
    assert _feedback(student, attempt["id"]) == []
    assert clients["instructor"].patch(f"/api/v1/quizzes/{default_quiz.pk}/", {"max_attempts": 1}).status_code == 200
    assert len(_feedback(student, attempt["id"])) == 5
    assert clients["instructor"].patch(f"/api/v1/quizzes/{default_quiz.pk}/", {"max_attempts": 2}).status_code == 200
    assert _feedback(student, attempt["id"]) == []


# --- after_due_date ------------------------------------------------------------------------------
@pytest.fixture
def due_quiz(quiz, questions, grace, clock):
    """after_due_date, due in 5 minutes of the stopped clock (the clients' tokens outlive the shifts)."""
    _set(quiz, show_correct_answers="after_due_date", due_at=timezone.now() + timedelta(minutes=5), max_attempts=None)
    return quiz


def test_after_due_date_reviews_only_once_the_due_date_and_its_grace_have_passed(
    clients, other_student, enrollment, due_quiz, questions, clock
):
    EnrollmentFactory(student=other_student, course=due_quiz.course)
    student = clients["student"]
    attempt = start(student, due_quiz)
    graded = submit(student, attempt["id"], [])
    assert (graded.json()["percent"], graded.json()["feedback"]) == ("0.00", [])
    assert_no_leak(graded)
    late = start(clients["other_student"], due_quiz)  # still open at the due date
    save(clients["other_student"], late["id"], [right_answer(questions["single"])])

    clock.shift(5 * 60 + 10)  # past the due date, within the grace: the open attempt may still submit
    assert _feedback(student, attempt["id"]) == []
    for response in _views(student, due_quiz, attempt["id"]):
        assert_no_leak(response)
    refused = student.post(f"/api/v1/quizzes/{due_quiz.pk}/attempts/")
    assert (refused.status_code, refused.json()["code"]) == (403, "quiz_closed")
    body = submit(clients["other_student"], late["id"], all_right(questions)).json()
    assert (body["auto_submitted"], body["percent"], body["feedback"]) == (False, "100.00", [])

    clock.shift(21)  # past the grace: nothing can take answers any more
    feedback = _feedback(student, attempt["id"])
    assert len(feedback) == 5
    assert not any(f["correct"] for f in feedback)
    assert len(_feedback(clients["other_student"], late["id"])) == 5


def test_the_due_date_closes_an_open_attempt_as_of_the_due_date(clients, enrollment, due_quiz, questions, clock):
    due_quiz.time_limit_seconds = 3600  # the time limit would end later: the due date comes first
    due_quiz.save(update_fields=["time_limit_seconds"])
    student = clients["student"]
    attempt = start(student, due_quiz)
    assert parse_datetime(attempt["deadline"]) == due_quiz.due_at
    assert attempt["time_remaining_seconds"] == 300
    save(student, attempt["id"], [right_answer(questions["single"])])
    clock.shift(5 * 60 + 31)
    assert attempts_close_expired() == 1
    closed = Attempt.objects.get(pk=attempt["id"])
    assert (closed.submitted_at, closed.auto_submitted, closed.score) == (due_quiz.due_at, True, 1)
    assert len(_feedback(student, attempt["id"])) == 5


def test_moving_the_due_date_applies_to_open_attempts(clients, enrollment, due_quiz, questions, clock):
    student = clients["student"]
    attempt = start(student, due_quiz)
    new_due = timezone.now() + timedelta(minutes=1)
    response = clients["instructor"].patch(f"/api/v1/quizzes/{due_quiz.pk}/", {"due_at": new_due.isoformat()})
    assert response.status_code == 200, response.content
    assert parse_datetime(student.get(f"/api/v1/attempts/{attempt['id']}/").json()["deadline"]) == new_due
    clock.shift(60 + 31)
    body = submit(student, attempt["id"], all_right(questions)).json()  # too late: graded as of the due date
    assert (body["auto_submitted"], body["score"], parse_datetime(body["submitted_at"])) == (True, "0.00", new_due)


def test_a_due_date_closes_the_quiz_whatever_the_policy(clients, enrollment, quiz, questions):
    _set(quiz, due_at=timezone.now() - timedelta(minutes=1))
    response = clients["student"].post(f"/api/v1/quizzes/{quiz.pk}/attempts/")
    assert (response.status_code, response.json()["code"]) == (403, "quiz_closed")
    assert not Attempt.objects.exists()


# --- never ---------------------------------------------------------------------------------------
def test_never_shows_pass_or_fail_only(clients, enrollment, quiz, questions):
    _set(quiz, show_correct_answers="never", max_attempts=None)
    student = clients["student"]
    for answers in ([right_answer(questions["single"])], all_right(questions)):
        attempt = start(student, quiz)
        graded = submit(student, attempt["id"], answers)
        body = graded.json()
        assert (body["score"], body["max_score"], body["percent"], body["feedback"]) == (None, None, None, [])
        assert_no_leak(graded)
    assert body["passed"] is True
    for response in _views(student, quiz, attempt["id"]):
        assert response.status_code == 200
        assert_no_leak(response)
        assert '"percent":"' not in response.content.decode().replace(" ", "")
    mine = student.get(f"/api/v1/quizzes/{quiz.pk}/").json()["my_attempts"]
    assert mine == {"used": 2, "left": None, "best_percent": None, "passed": True}
    results = clients["instructor"].get(f"/api/v1/quizzes/{quiz.pk}/results/").json()
    assert sorted(r["percent"] for r in results["results"]) == ["100.00", "16.67"]


# --- every role ----------------------------------------------------------------------------------
ATTEMPT_READ = {
    "anonymous": (401, None),
    "student": (200, (False, "0.00")),
    "other_student": (404, None),
    "instructor": (200, (True, "0.00")),
    "other_instructor": (404, None),
    "admin": (200, (True, "0.00")),
}


@pytest.mark.parametrize("role", ROLES)
def test_a_graded_attempt_with_attempts_left_for_every_role(clients, enrollment, default_quiz, default_questions, role):
    attempt = start(clients["student"], default_quiz)
    submit(clients["student"], attempt["id"], [])
    code, seen = ATTEMPT_READ[role]
    response = clients[role].get(f"/api/v1/attempts/{attempt['id']}/")
    assert response.status_code == code
    if seen is not None:
        body = response.json()
        assert (bool(body["feedback"]), body["percent"]) == seen
        if role == "student":
            assert_no_leak(response)
    listed = clients[role].get(f"/api/v1/quizzes/{default_quiz.pk}/attempts/")
    expected_list = {"anonymous": 401, "other_student": 403, "other_instructor": 403}.get(role, 200)
    assert listed.status_code == expected_list
    if role == "student":
        assert [a["feedback"] for a in listed.json()] == [[]]
        assert_no_leak(listed)
    elif expected_list == 200:
        assert listed.json() == []  # only the caller's own attempts


@pytest.mark.parametrize("role", ROLES)
def test_a_never_attempt_for_every_role(clients, enrollment, quiz, questions, role):
    _set(quiz, show_correct_answers="never")
    attempt = start(clients["student"], quiz)
    submit(clients["student"], attempt["id"], all_right(questions))
    response = clients[role].get(f"/api/v1/attempts/{attempt['id']}/")
    expected = {"anonymous": 401, "other_student": 404, "other_instructor": 404}.get(role, 200)
    assert response.status_code == expected
    if expected == 200:
        body = response.json()
        manager = role in ("instructor", "admin")
        assert (body["passed"], body["percent"], len(body["feedback"])) == (
            True,
            "100.00" if manager else None,
            5 if manager else 0,
        )


@pytest.mark.parametrize(
    ("role", "code"),
    [
        ("anonymous", 401),
        ("student", 403),
        ("other_student", 403),
        ("instructor", 201),
        ("other_instructor", 403),
        ("admin", 201),
    ],
)
def test_create_an_after_due_date_quiz_for_every_role(clients, enrollment, course, role, code):
    due = (timezone.now() + timedelta(days=7)).replace(microsecond=0)
    payload = {"title": "Due", "show_correct_answers": "after_due_date", "due_at": due.isoformat()}
    response = clients[role].post(f"/api/v1/courses/{course.pk}/quizzes/", payload)
    assert response.status_code == code, response.content
    if code == 201:
        body = response.json()
        assert (body["show_correct_answers"], parse_datetime(body["due_at"])) == ("after_due_date", due)
    else:
        assert not Quiz.objects.exists()


# --- bad input -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("payload", "field", "words"),
    [
        ({"show_correct_answers": "after_lunch"}, "show_correct_answers", "not a valid choice"),
        ({"show_correct_answers": "after_due_date"}, "show_correct_answers", "set due_at"),
        ({"show_correct_answers": "after_due_date", "due_at": None}, "show_correct_answers", "set due_at"),
        ({"due_at": "next friday"}, "due_at", "format"),
    ],
)
def test_create_refuses_a_bad_policy(clients, course, payload, field, words):
    response = clients["instructor"].post(f"/api/v1/courses/{course.pk}/quizzes/", {"title": "T", **payload})
    assert response.status_code == 400
    assert words in " ".join(response.json()[field]), response.json()
    assert not Quiz.objects.exists()


def test_update_refuses_after_due_date_without_a_due_date(clients, quiz):
    client = clients["instructor"]
    response = client.patch(f"/api/v1/quizzes/{quiz.pk}/", {"show_correct_answers": "after_due_date"})
    assert response.status_code == 400
    assert "set due_at" in response.json()["show_correct_answers"][0]
    due = timezone.now() + timedelta(days=1)
    response = client.patch(
        f"/api/v1/quizzes/{quiz.pk}/", {"show_correct_answers": "after_due_date", "due_at": due.isoformat()}
    )
    assert response.status_code == 200, response.content
    response = client.patch(f"/api/v1/quizzes/{quiz.pk}/", {"due_at": None})
    assert response.status_code == 400
    assert "keep a due date" in response.json()["due_at"][0]
    quiz.refresh_from_db()
    assert (quiz.show_correct_answers, quiz.due_at) == ("after_due_date", due)
    # Both at once is a clear change of mind.
    response = client.patch(f"/api/v1/quizzes/{quiz.pk}/", {"due_at": None, "show_correct_answers": "after_pass"})
    assert response.status_code == 200


def test_the_database_holds_the_due_date_rule(quiz):
    quiz.show_correct_answers = "after_due_date"
    with pytest.raises(ValidationError) as raised:
        quiz.validate_constraints()
    assert "needs a due date" in str(raised.value)
