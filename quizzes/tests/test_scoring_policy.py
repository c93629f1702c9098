"""The quiz's scoring policy (which submitted attempt the gradebook counts): the field through the
API for every role, the service, the admin, and the selector the gradebook reads,
counted_attempt_percents, in one query for any number of quizzes and students."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.tests.factories import StudentFactory
from lms.errors import NotPermitted
from lms.tests.admin_forms import form_errors, page_data
from quizzes import services
from quizzes.models import Attempt, Quiz, ScoringPolicy
from quizzes.selectors import counted_attempt_percents
from quizzes.tests.factories import QuizFactory
from quizzes.tests.helpers import CREATE, MANAGE, READ, all_right, start, submit, wrong_answer

pytestmark = pytest.mark.django_db

T0 = timezone.now() - timedelta(days=1)
BAD_VALUE = ['"sometimes" is not a scoring policy: use best or last.']


def attempt(student, quiz, number: int, percent: str | None, *, minute: int | None) -> Attempt:
    """An attempt as grading leaves it (test data): submitted `minute` minutes after T0 with
    `percent`, or open when `minute` is None."""
    submitted_at = None if minute is None else T0 + timedelta(minutes=minute)
    return Attempt.objects.create(
        quiz=quiz,
        student=student,
        number=number,
        started_at=T0 + timedelta(minutes=(minute or 0) - 1),
        submitted_at=submitted_at,
        score=None if percent is None else Decimal(percent),
        max_score=None if percent is None else Decimal(100),
        percent=None if percent is None else Decimal(percent),
        passed=None if percent is None else Decimal(percent) >= 50,
    )


# --- the model and the service --------------------------------------------------------------------
def test_new_quizzes_count_the_best_attempt(course):
    quiz = services.quiz_create(actor=None, course=course, title="Default")
    assert quiz.scoring_policy == ScoringPolicy.BEST == "best"
    assert Quiz._meta.get_field("scoring_policy").help_text == "Which submitted attempt the gradebook counts."
    assert ScoringPolicy.choices == [("best", "Best attempt"), ("last", "Last attempt")]


def test_the_services_set_and_change_the_policy(instructor, course):
    quiz = services.quiz_create(actor=instructor, course=course, title="Last", scoring_policy=ScoringPolicy.LAST)
    assert Quiz.objects.get(pk=quiz.pk).scoring_policy == "last"
    services.quiz_update(actor=instructor, quiz=quiz, data={"scoring_policy": ScoringPolicy.BEST})
    assert Quiz.objects.get(pk=quiz.pk).scoring_policy == "best"


def test_the_update_service_refuses_another_instructor(other_instructor, quiz):
    with pytest.raises(NotPermitted) as refused:
        services.quiz_update(actor=other_instructor, quiz=quiz, data={"scoring_policy": ScoringPolicy.LAST})
    assert refused.value.code == "not_course_staff"
    assert Quiz.objects.get(pk=quiz.pk).scoring_policy == "best"


# --- the API --------------------------------------------------------------------------------------
@pytest.mark.parametrize(("role", "code"), READ)
def test_every_reader_sees_the_policy(clients, enrollment, quiz, role, code):
    services.quiz_update(actor=None, quiz=quiz, data={"scoring_policy": ScoringPolicy.LAST})
    listed = clients[role].get(f"/api/v1/courses/{quiz.course_id}/quizzes/")
    detail = clients[role].get(f"/api/v1/quizzes/{quiz.pk}/")
    assert (listed.status_code, detail.status_code) == (code, code)
    if code == 200:
        body = listed.json()
        rows = body["results"] if isinstance(body, dict) else body
        assert [row["scoring_policy"] for row in rows] == ["last"]
        assert detail.json()["scoring_policy"] == "last"


@pytest.mark.parametrize(("role", "code"), CREATE)
def test_create_with_a_policy(clients, enrollment, course, role, code):
    response = clients[role].post(f"/api/v1/courses/{course.pk}/quizzes/", {"title": "T", "scoring_policy": "last"})
    assert response.status_code == code, response.content
    if code == 201:
        assert response.json()["scoring_policy"] == "last"
        assert Quiz.objects.get(pk=response.json()["id"]).scoring_policy == "last"
    else:
        assert not Quiz.objects.exists()


def test_create_without_a_policy_counts_the_best(clients, course):
    response = clients["instructor"].post(f"/api/v1/courses/{course.pk}/quizzes/", {"title": "T"})
    assert response.status_code == 201
    assert response.json()["scoring_policy"] == "best"


@pytest.mark.parametrize(("role", "code"), MANAGE)
def test_patch_the_policy(clients, enrollment, quiz, role, code):
    response = clients[role].patch(f"/api/v1/quizzes/{quiz.pk}/", {"scoring_policy": "last"})
    assert response.status_code == code, response.content
    quiz.refresh_from_db()
    assert quiz.scoring_policy == ("last" if code == 200 else "best")
    if code == 200:
        assert response.json()["scoring_policy"] == "last"


@pytest.mark.parametrize(("role", "code"), MANAGE)
def test_put_the_policy(clients, enrollment, quiz, role, code):
    response = clients[role].put(f"/api/v1/quizzes/{quiz.pk}/", {"title": "Replaced", "scoring_policy": "last"})
    assert response.status_code == code, response.content
    quiz.refresh_from_db()
    assert quiz.scoring_policy == ("last" if code == 200 else "best")


def test_a_patch_without_the_policy_keeps_it(clients, quiz):
    services.quiz_update(actor=None, quiz=quiz, data={"scoring_policy": ScoringPolicy.LAST})
    response = clients["instructor"].patch(f"/api/v1/quizzes/{quiz.pk}/", {"title": "Renamed"})
    assert response.status_code == 200
    assert response.json()["scoring_policy"] == "last"


@pytest.mark.parametrize("value", ["sometimes", "", "BEST", None, 1, ["best"]])
def test_a_bad_policy_is_a_400_naming_the_field(clients, course, quiz, value):
    instructor = clients["instructor"]
    created = instructor.post(
        f"/api/v1/courses/{course.pk}/quizzes/", {"title": "T", "scoring_policy": value}, format="json"
    )
    patched = instructor.patch(f"/api/v1/quizzes/{quiz.pk}/", {"scoring_policy": value}, format="json")
    put = instructor.put(f"/api/v1/quizzes/{quiz.pk}/", {"title": "T", "scoring_policy": value}, format="json")
    for response in (created, patched, put):
        assert response.status_code == 400, response.content
        assert list(response.json()) == ["scoring_policy"], response.json()
    assert Quiz.objects.get() == quiz
    quiz.refresh_from_db()
    assert (quiz.title, quiz.scoring_policy) != ("T", value)
    assert quiz.scoring_policy == "best"


def test_the_bad_value_message_says_what_is_allowed(clients, quiz):
    response = clients["instructor"].patch(f"/api/v1/quizzes/{quiz.pk}/", {"scoring_policy": "sometimes"})
    assert response.json() == {"scoring_policy": BAD_VALUE}


# --- the admin ------------------------------------------------------------------------------------
def test_the_admin_adds_and_changes_the_policy_and_filters_by_it(staff, course, quiz):
    add = "/admin/quizzes/quiz/add/"
    response = staff.post(add, page_data(staff.get(add), course=course.pk, title="Admin quiz", scoring_policy="last"))
    assert response.status_code == 302, form_errors(response)
    added = Quiz.objects.get(title="Admin quiz")
    assert added.scoring_policy == "last"

    url = f"/admin/quizzes/quiz/{added.pk}/change/"
    assert staff.post(url, page_data(staff.get(url), scoring_policy="best")).status_code == 302
    added.refresh_from_db()
    assert added.scoring_policy == "best"

    response = staff.post(url, page_data(staff.get(url), scoring_policy="sometimes"))
    assert list(form_errors(response)) == ["scoring_policy"]

    services.quiz_update(actor=None, quiz=added, data={"scoring_policy": ScoringPolicy.LAST})
    listed = staff.get("/admin/quizzes/quiz/?scoring_policy__exact=last")
    assert listed.status_code == 200
    assert [q.pk for q in listed.context["cl"].result_list] == [added.pk]
    assert "By scoring policy" in staff.get("/admin/quizzes/quiz/").content.decode()


# --- the selector the gradebook reads -------------------------------------------------------------
@pytest.fixture
def quizzes(course):
    return {
        "best": QuizFactory(course=course, scoring_policy=ScoringPolicy.BEST),
        "last": QuizFactory(course=course, scoring_policy=ScoringPolicy.LAST),
    }


def test_best_counts_the_highest_percent_and_last_the_latest_submission(student, quizzes):
    for quiz in quizzes.values():
        attempt(student, quiz, 1, "40.00", minute=1)
        attempt(student, quiz, 2, "90.00", minute=2)
        attempt(student, quiz, 3, "55.50", minute=3)
    got = counted_attempt_percents(quiz_ids=[q.pk for q in quizzes.values()], student_ids=[student.pk])
    assert got == {
        (student.pk, quizzes["best"].pk): Decimal("90.00"),
        (student.pk, quizzes["last"].pk): Decimal("55.50"),
    }


def test_last_goes_by_submission_time_not_by_number(student, quizzes):
    quiz = quizzes["last"]
    attempt(student, quiz, 1, "70.00", minute=9)  # submitted after attempt 2 (a late auto-submit)
    attempt(student, quiz, 2, "20.00", minute=5)
    assert counted_attempt_percents(quiz_ids=[quiz.pk], student_ids=[student.pk]) == {
        (student.pk, quiz.pk): Decimal("70.00")
    }


def test_last_breaks_a_tie_of_submission_times_by_the_highest_number(student, quizzes):
    quiz = quizzes["last"]
    attempt(student, quiz, 2, "10.00", minute=4)
    attempt(student, quiz, 3, "30.00", minute=4)
    attempt(student, quiz, 1, "99.00", minute=4)
    assert counted_attempt_percents(quiz_ids=[quiz.pk], student_ids=[student.pk]) == {
        (student.pk, quiz.pk): Decimal("30.00")
    }


def test_best_with_equal_percents_counts_that_percent_once(student, quizzes):
    quiz = quizzes["best"]
    attempt(student, quiz, 1, "80.00", minute=1)
    attempt(student, quiz, 2, "80.00", minute=2)
    attempt(student, quiz, 3, "79.99", minute=3)
    assert counted_attempt_percents(quiz_ids=[quiz.pk], student_ids=[student.pk]) == {
        (student.pk, quiz.pk): Decimal("80.00")
    }


def test_open_and_ungraded_attempts_are_ignored(student, other_student, quizzes):
    best, last = quizzes["best"], quizzes["last"]
    attempt(student, best, 1, "30.00", minute=1)
    attempt(student, best, 2, None, minute=None)  # open
    attempt(student, last, 1, "30.00", minute=1)
    attempt(student, last, 2, None, minute=None)  # open: newer, but not submitted
    # Submitted without a percent (not graded): never counted, even as the latest.
    Attempt.objects.filter(pk=attempt(student, last, 3, "100.00", minute=8).pk).update(percent=None)
    attempt(other_student, best, 1, None, minute=None)  # only an open attempt: no entry at all
    got = counted_attempt_percents(quiz_ids=[best.pk, last.pk], student_ids=[student.pk, other_student.pk])
    assert got == {(student.pk, best.pk): Decimal("30.00"), (student.pk, last.pk): Decimal("30.00")}


def test_an_unsubmitted_attempt_is_ignored_even_with_a_percent(student, quizzes):
    """The two conditions hold apart: an attempt not submitted never counts, whatever it holds."""
    for quiz in quizzes.values():
        attempt(student, quiz, 1, "20.00", minute=1)
        unsubmitted = attempt(student, quiz, 2, "95.00", minute=5)
        Attempt.objects.filter(pk=unsubmitted.pk).update(submitted_at=None)
    got = counted_attempt_percents(quiz_ids=[q.pk for q in quizzes.values()], student_ids=[student.pk])
    assert got == {(student.pk, q.pk): Decimal("20.00") for q in quizzes.values()}


def test_only_the_asked_quizzes_and_students_are_returned(student, other_student, quizzes):
    best, last = quizzes["best"], quizzes["last"]
    attempt(student, best, 1, "60.00", minute=1)
    attempt(other_student, best, 1, "70.00", minute=1)
    attempt(other_student, last, 1, "80.00", minute=1)
    assert counted_attempt_percents(quiz_ids=[best.pk], student_ids=[other_student.pk]) == {
        (other_student.pk, best.pk): Decimal("70.00")
    }
    assert counted_attempt_percents(quiz_ids=[], student_ids=[student.pk]) == {}
    assert counted_attempt_percents(quiz_ids=[best.pk, last.pk], student_ids=[]) == {}


def test_the_policy_is_read_when_asked_so_a_change_applies_to_past_attempts(student, quizzes):
    quiz = quizzes["best"]
    attempt(student, quiz, 1, "90.00", minute=1)
    attempt(student, quiz, 2, "10.00", minute=2)
    key = (student.pk, quiz.pk)
    assert counted_attempt_percents(quiz_ids=[quiz.pk], student_ids=[student.pk]) == {key: Decimal("90.00")}
    services.quiz_update(actor=None, quiz=quiz, data={"scoring_policy": ScoringPolicy.LAST})
    assert counted_attempt_percents(quiz_ids=[quiz.pk], student_ids=[student.pk]) == {key: Decimal("10.00")}


@pytest.mark.parametrize(("quiz_count", "student_count"), [(1, 1), (6, 7)])
def test_one_query_for_any_number_of_quizzes_and_students(course, django_assert_num_queries, quiz_count, student_count):
    quizzes = [
        QuizFactory(course=course, scoring_policy=ScoringPolicy.LAST if i % 2 else ScoringPolicy.BEST)
        for i in range(quiz_count)
    ]
    students = StudentFactory.create_batch(student_count)
    expected = {}
    for q, quiz in enumerate(quizzes):
        for s, student in enumerate(students):
            high, latest = Decimal(50 + q + s), Decimal(10 + q + s)
            attempt(student, quiz, 1, str(high), minute=1)
            attempt(student, quiz, 2, str(latest), minute=2)
            attempt(student, quiz, 3, None, minute=None)
            expected[(student.pk, quiz.pk)] = latest if quiz.scoring_policy == ScoringPolicy.LAST else high
    with django_assert_num_queries(1):
        got = counted_attempt_percents(quiz_ids=[q.pk for q in quizzes], student_ids=[s.pk for s in students])
    assert got == expected
    assert len(got) == quiz_count * student_count


def test_querysets_of_ids_are_still_one_query(student, quizzes, django_assert_num_queries):
    attempt(student, quizzes["best"], 1, "42.00", minute=1)
    with django_assert_num_queries(1):
        got = counted_attempt_percents(
            quiz_ids=Quiz.objects.filter(course=quizzes["best"].course).values("pk"),
            student_ids=type(student).objects.filter(pk=student.pk).values("pk"),
        )
    assert got == {(student.pk, quizzes["best"].pk): Decimal("42.00")}


def test_graded_through_the_api_the_policy_picks_the_attempt(clients, student, enrollment, quiz, questions):
    """End to end: a full-marks attempt then a poor one; best counts 100, last the poor one."""
    first = start(clients["student"], quiz)
    submit(clients["student"], first["id"], all_right(questions))
    second = start(clients["student"], quiz)
    poor = [wrong_answer(q) for q in questions.values()]
    graded = submit(clients["student"], second["id"], poor).json()
    assert graded["percent"] == "0.00"
    key = (student.pk, quiz.pk)
    assert counted_attempt_percents(quiz_ids=[quiz.pk], student_ids=[student.pk]) == {key: Decimal("100.00")}
    clients["instructor"].patch(f"/api/v1/quizzes/{quiz.pk}/", {"scoring_policy": "last"})
    assert counted_attempt_percents(quiz_ids=[quiz.pk], student_ids=[student.pk]) == {key: Decimal("0.00")}
