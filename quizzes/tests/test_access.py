"""quizzes.access: every need of quiz_for, question_for and attempt_for for every role, ids that
are garbage, and the demoted instructor."""

from functools import partial

import pytest

from accounts.models import Role, User
from courses.tests.factories import CourseFactory, EnrollmentFactory
from lms.errors import NotFound
from lms.testing import access_outcome
from quizzes.access import attempt_for, question_for, quiz_for
from quizzes.services import attempt_start
from quizzes.tests.factories import QuestionFactory, QuizFactory

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "student", "other_student", "instructor", "other_instructor", "admin")
GARBAGE_IDS = ["abc", "", None, "1.5", -1, 0, 2**63, "9" * 30, 999_999]

OK, DENIED, HIDDEN = "ok", 403, 404


@pytest.fixture
def users(users_by_role):
    return users_by_role


outcome = partial(access_outcome, report="both")


# The quiz of a published course `student` is enrolled in (other_student is not).
QUIZ_MATRIX = {
    "read": {
        "anonymous": (DENIED, "not_enrolled"),
        "student": OK,
        "other_student": (DENIED, "not_enrolled"),
        "instructor": OK,
        "other_instructor": (DENIED, "not_enrolled"),
        "admin": OK,
    },
    "take": {
        "anonymous": (DENIED, "not_enrolled"),
        "student": OK,
        "other_student": (DENIED, "not_enrolled"),
        "instructor": (DENIED, "not_enrolled"),  # the staff are not graded: they need an enrollment too
        "other_instructor": (DENIED, "not_enrolled"),
        "admin": (DENIED, "not_enrolled"),
    },
    "manage": {
        "anonymous": (DENIED, "not_course_staff"),
        "student": (DENIED, "not_course_staff"),
        "other_student": (DENIED, "not_course_staff"),
        "instructor": OK,
        "other_instructor": (DENIED, "not_course_staff"),
        "admin": OK,
    },
}


@pytest.mark.parametrize("need", ["read", "take", "manage"])
@pytest.mark.parametrize("role", ROLES)
def test_quiz_for(users, enrollment, quiz, need, role):
    assert outcome(lambda: quiz_for(users[role], quiz.pk, need=need)) == QUIZ_MATRIX[need][role]


@pytest.mark.parametrize("need", ["read", "take", "manage"])
@pytest.mark.parametrize("role", ROLES)
def test_a_quiz_of_a_draft_course_is_hidden_from_all_but_its_staff(users, instructor, need, role):
    quiz = QuizFactory(course=CourseFactory(instructor=instructor))
    result = outcome(lambda: quiz_for(users[role], quiz.pk, need=need))
    if role in ("instructor", "admin"):
        assert result != HIDDEN
    else:
        assert result == HIDDEN


def test_quiz_for_returns_the_quiz_with_its_course_loaded(users, enrollment, quiz, django_assert_num_queries):
    with django_assert_num_queries(1):
        found = quiz_for(users["admin"], quiz.pk, need="manage")
        assert found.pk == quiz.pk
    with django_assert_num_queries(0):
        assert found.course.pk == quiz.course_id


@pytest.mark.parametrize("role", ROLES)
def test_question_for(users, enrollment, quiz, role):
    question = QuestionFactory(quiz=quiz)
    expected = QUIZ_MATRIX["manage"][role]
    assert outcome(lambda: question_for(users[role], question.pk, need="manage")) == expected


def test_question_of_a_draft_course_is_hidden(users, instructor):
    question = QuestionFactory(quiz=QuizFactory(course=CourseFactory(instructor=instructor)))
    assert outcome(lambda: question_for(users["other_instructor"], question.pk, need="manage")) == HIDDEN
    assert outcome(lambda: question_for(users["student"], question.pk, need="manage")) == HIDDEN
    assert question_for(users["admin"], question.pk, need="manage").pk == question.pk


ATTEMPT_MATRIX = {
    "read": {
        "anonymous": HIDDEN,
        "student": OK,
        "other_student": HIDDEN,
        "instructor": OK,
        "other_instructor": HIDDEN,
        "admin": OK,
    },
    "own": {
        "anonymous": HIDDEN,
        "student": OK,
        "other_student": HIDDEN,
        "instructor": (DENIED, "not_attempt_owner"),
        "other_instructor": HIDDEN,
        "admin": (DENIED, "not_attempt_owner"),
    },
}


@pytest.mark.parametrize("need", ["read", "own"])
@pytest.mark.parametrize("role", ROLES)
def test_attempt_for(users, student, enrollment, quiz, questions, need, role):
    attempt, _ = attempt_start(student=student, quiz=quiz)
    assert outcome(lambda: attempt_for(users[role], attempt.pk, need=need)) == ATTEMPT_MATRIX[need][role]


def test_a_demoted_instructor_loses_their_quizzes_and_their_students_attempts(
    users, instructor, student, enrollment, quiz, questions
):
    attempt, _ = attempt_start(student=student, quiz=quiz)
    question = QuestionFactory(quiz=quiz)
    User.objects.filter(pk=instructor.pk).update(role=Role.STUDENT)
    instructor.refresh_from_db()
    # The course is published: still visible, no longer theirs to manage or open without enrolling.
    assert outcome(lambda: quiz_for(instructor, quiz.pk, need="manage")) == (DENIED, "not_course_staff")
    assert outcome(lambda: quiz_for(instructor, quiz.pk, need="read")) == (DENIED, "not_enrolled")
    assert outcome(lambda: question_for(instructor, question.pk, need="manage")) == (DENIED, "not_course_staff")
    assert outcome(lambda: attempt_for(instructor, attempt.pk, need="read")) == HIDDEN


@pytest.mark.parametrize("garbage", GARBAGE_IDS)
def test_garbage_ids_are_404_never_500(users, garbage):
    admin = users["admin"]
    for helper, need in ((quiz_for, "read"), (quiz_for, "manage"), (question_for, "manage"), (attempt_for, "read")):
        with pytest.raises(NotFound):
            helper(admin, garbage, need=need)


def test_an_unknown_need_is_a_programming_error(users, quiz):
    with pytest.raises(ValueError):
        quiz_for(users["admin"], quiz.pk, need="write")
    with pytest.raises(ValueError):
        question_for(users["admin"], 1, need="read")
    with pytest.raises(ValueError):
        attempt_for(users["admin"], 1, need="manage")


def test_a_student_enrolled_elsewhere_does_not_take_this_quiz(users, other_student, quiz):
    EnrollmentFactory(student=other_student)  # another course
    assert outcome(lambda: quiz_for(other_student, quiz.pk, need="take")) == (DENIED, "not_enrolled")
