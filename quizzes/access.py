"""Who may do what with a quiz, a question or an attempt, in one place (courses.access for the
course itself). Each helper fetches the object by the id a client sent and authorizes the caller in
one call; the services re-check with the predicates below, so a caller that forgets is still
refused.

Quizzes (`quiz_for`), needs:
- "read": the quiz's course is visible to them (courses.access "read"; else 404) and they may open
  its content: an active enrollment, or they manage the course. Else 403 `not_enrolled`.
- "take": visible, and an active enrollment: whoever takes a quiz is graded as a student, so the
  course's instructor and admins need one too. Else 403 `not_enrolled`. attempt_start checks it
  again under the enrollment's row lock.
- "manage": visible, and they manage the course (its instructor while they hold the role, or an
  admin). Else 403 `not_course_staff`. Also reads what only the course's staff reads (the
  questions with their answers, every student's results).

Questions (`question_for`), needs:
- "manage" (the only one: a question carries its answers): as a quiz's "manage".

Attempts (`attempt_for`), needs:
- "read": the attempt's student, or those who manage its course (attempt_list_for_user).
  Anyone else: 404 (an attempt's existence is nobody else's business).
- "own": read, and they are the attempt's student: only they answer and submit it. Else 403
  `not_attempt_owner` (the course's staff read it, they do not answer it).
"""

from typing import Literal

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from courses.access import can_manage_course, course_actor_require, course_require
from courses.selectors import course_list_for_user, enrollment_active_exists
from lms.access import check_need, object_or_404
from lms.errors import NotPermitted

from .models import Attempt, Question, Quiz
from .selectors import attempt_list_for_user, with_totals

QuizNeed = Literal["read", "take", "manage"]
QUIZ_NEEDS: tuple[QuizNeed, ...] = ("read", "take", "manage")
QuestionNeed = Literal["manage"]
QUESTION_NEEDS: tuple[QuestionNeed, ...] = ("manage",)
AttemptNeed = Literal["read", "own"]
ATTEMPT_NEEDS: tuple[AttemptNeed, ...] = ("read", "own")

READ_DENIED = _("Enroll in this course to see its quizzes.")
TAKE_DENIED = _("Enroll in this course to take its quizzes.")
MANAGE_DENIED = _("Only the course's instructor or an admin can change it.")
COURSE_MANAGE_DENIED = _("Only the course's instructor or an admin can change its quizzes.")
OWN_DENIED = _("Only the student who started this attempt can answer it.")


def can_manage_quiz(user, quiz: Quiz) -> bool:
    """Those who manage the quiz's course: they see its answers and its results."""
    return can_manage_course(user, quiz.course)


def quiz_manager_require(actor, course) -> None:
    """The services' check: `actor` manages `course` (403 `not_course_staff`). `actor` None is the
    platform itself (the demo seed, a benchmark), which may."""
    course_actor_require(actor, course, message=COURSE_MANAGE_DENIED)


def attempt_owner_require(actor, attempt: Attempt) -> None:
    """The services' check: only the attempt's student answers and submits it (403
    `not_attempt_owner`)."""
    if actor is None or not actor.is_authenticated or attempt.student_id != actor.pk:
        raise NotPermitted(OWN_DENIED, code="not_attempt_owner")


def quiz_for(user, quiz_id, *, need: QuizNeed = "read", queryset: QuerySet[Quiz] | None = None) -> Quiz:
    """The quiz `quiz_id`, its course loaded, as `user` may use it for `need` (see the module
    docstring). `queryset` adds loading (annotations); visibility is applied to it."""
    check_need(need, QUIZ_NEEDS)
    queryset = Quiz.objects.all() if queryset is None else queryset
    quiz = object_or_404(queryset.filter(course__in=course_list_for_user(user)).select_related("course"), quiz_id)
    if need == "read":
        course_require(user, quiz.course, need="learn", message=READ_DENIED)
    elif need == "take":
        if not (user.is_authenticated and enrollment_active_exists(student=user, course=quiz.course)):
            raise NotPermitted(TAKE_DENIED, code="not_enrolled")
    else:
        course_require(user, quiz.course, need="manage", message=MANAGE_DENIED)
    return quiz


def quiz_with_totals_for(user, quiz_id, *, need: QuizNeed = "read") -> Quiz:
    """quiz_for, with the question count and total points (selectors.with_totals) that the quiz's
    detail renders."""
    return quiz_for(user, quiz_id, need=need, queryset=with_totals(Quiz.objects.all()))


def question_for(user, question_id, *, need: QuestionNeed = "manage") -> Question:
    """The question `question_id` with its choices and its quiz's course, as `user` may use it for
    `need` (see the module docstring)."""
    check_need(need, QUESTION_NEEDS)
    queryset = (
        Question.objects.filter(quiz__course__in=course_list_for_user(user))
        .select_related("quiz__course")
        .prefetch_related("choices")
    )
    question = object_or_404(queryset, question_id)
    course_require(user, question.quiz.course, need="manage", message=MANAGE_DENIED)
    return question


def attempt_for(user, attempt_id, *, need: AttemptNeed = "read") -> Attempt:
    """The attempt `attempt_id`, its quiz and course loaded, as `user` may use it for `need` (see
    the module docstring)."""
    check_need(need, ATTEMPT_NEEDS)
    attempt = object_or_404(attempt_list_for_user(user), attempt_id)
    if need == "own":
        attempt_owner_require(user, attempt)
    return attempt
