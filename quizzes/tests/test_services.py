"""The write services re-check their actor, whoever calls them (a view that forgot, the admin, the
shell): the wrong person is refused with NotPermitted and nothing changes; the right one succeeds."""

import pytest

from accounts.models import Role, User
from lms.errors import NotPermitted
from quizzes import services
from quizzes.models import Attempt, Question, Quiz
from quizzes.tests.factories import QuestionFactory, QuizFactory
from quizzes.tests.helpers import all_right, right_answer

pytestmark = pytest.mark.django_db

SINGLE = {"type": "single_choice", "text": "Pick", "choices": [{"text": "a", "is_correct": True}, {"text": "b"}]}


@pytest.fixture
def demoted(instructor):
    """The course's instructor after an admin set their role to student."""
    User.objects.filter(pk=instructor.pk).update(role=Role.STUDENT)
    instructor.refresh_from_db()
    return instructor


def _manage_calls(quiz: Quiz, question: Question):
    """Each content service, bound to everything but the actor."""
    return {
        "quiz_create": lambda actor: services.quiz_create(actor=actor, course=quiz.course, title="New"),
        "quiz_update": lambda actor: services.quiz_update(actor=actor, quiz=quiz, data={"title": "Renamed"}),
        "quiz_delete": lambda actor: services.quiz_delete(actor=actor, quiz=quiz),
        "question_create": lambda actor: services.question_create(actor=actor, quiz=quiz, **SINGLE),
        "question_update": lambda actor: services.question_update(
            actor=actor, question=question, data={"text": "Edited"}
        ),
        "question_delete": lambda actor: services.question_delete(actor=actor, question=question),
        "questions_reorder": lambda actor: services.questions_reorder(actor=actor, quiz=quiz, ids=[question.pk]),
    }


SERVICES = [
    "quiz_create",
    "quiz_update",
    "quiz_delete",
    "question_create",
    "question_update",
    "question_delete",
    "questions_reorder",
]


def _state(quiz: Quiz) -> tuple:
    return (
        list(Quiz.objects.order_by("pk").values_list("pk", "title")),
        list(Question.objects.order_by("pk").values_list("pk", "text", "order")),
    )


@pytest.mark.parametrize("service", SERVICES)
@pytest.mark.parametrize("wrong", ["student", "other_instructor", "demoted"])
def test_content_services_refuse_who_does_not_manage_the_course(request, quiz, service, wrong):
    question = QuestionFactory(quiz=quiz)
    actor = request.getfixturevalue(wrong)
    before = _state(quiz)
    with pytest.raises(NotPermitted) as refused:
        _manage_calls(quiz, question)[service](actor)
    assert refused.value.code == "not_course_staff"
    assert _state(quiz) == before


@pytest.mark.parametrize("service", SERVICES)
@pytest.mark.parametrize("right", ["instructor", "admin_user", None])
def test_content_services_let_the_course_staff_and_the_platform(request, quiz, service, right):
    question = QuestionFactory(quiz=quiz)
    actor = None if right is None else request.getfixturevalue(right)
    before = _state(quiz)
    _manage_calls(quiz, question)[service](actor)
    if service != "questions_reorder":  # one question: reordering it changes nothing
        assert _state(quiz) != before


def test_quiz_update_writes_only_what_changed_on_the_row_as_stored(instructor, quiz):
    stale = Quiz.objects.get(pk=quiz.pk)
    Quiz.objects.filter(pk=quiz.pk).update(description="Changed meanwhile")
    stale.title = "Set on the instance, not in data"
    updated = services.quiz_update(actor=instructor, quiz=stale, data={"passing_score": 90})
    quiz.refresh_from_db()
    assert (quiz.passing_score, quiz.description, quiz.title) == (90, "Changed meanwhile", updated.title)
    assert quiz.title != "Set on the instance, not in data"


@pytest.fixture
def open_attempt(student, enrollment, quiz, questions) -> Attempt:
    attempt, _ = services.attempt_start(student=student, quiz=quiz)
    return attempt


@pytest.mark.parametrize("wrong", ["other_student", "instructor", "admin_user"])
def test_only_the_attempts_student_saves_or_submits_it(request, open_attempt, questions, wrong):
    actor = request.getfixturevalue(wrong)
    with pytest.raises(NotPermitted) as refused:
        services.attempt_save_answers(actor=actor, attempt=open_attempt, answers=[right_answer(questions["short"])])
    assert refused.value.code == "not_attempt_owner"
    with pytest.raises(NotPermitted) as refused:
        services.attempt_submit(actor=actor, attempt=open_attempt, answers=all_right(questions))
    assert refused.value.code == "not_attempt_owner"
    open_attempt.refresh_from_db()
    assert open_attempt.is_open and open_attempt.answers == {}


def test_the_attempts_student_saves_and_submits_it(student, open_attempt, questions):
    attempt, saved = services.attempt_save_answers(
        actor=student, attempt=open_attempt, answers=[right_answer(questions["short"])]
    )
    assert saved and str(questions["short"].pk) in attempt.answers
    graded = services.attempt_submit(actor=student, attempt=open_attempt, answers=all_right(questions))
    assert not graded.is_open and graded.passed


def test_a_quiz_of_another_course_is_refused_too(instructor, other_instructor):
    foreign = QuizFactory(course__instructor=other_instructor)
    with pytest.raises(NotPermitted):
        services.quiz_update(actor=instructor, quiz=foreign, data={"title": "Mine now"})
    foreign.refresh_from_db()
    assert foreign.title != "Mine now"
