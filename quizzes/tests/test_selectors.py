"""The read rules of quizzes.selectors, called directly: the tally the review policies count, each
policy's decision, what a viewer sees of an attempt, and whose attempts a user may list."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Role, User
from courses.tests.factories import EnrollmentFactory
from quizzes import selectors, services
from quizzes.models import Attempt, ReviewPolicy
from quizzes.selectors import StudentTally, attempt_tally_get, attempt_visibility, review_due, student_sees_score
from quizzes.tests.factories import QuizFactory
from quizzes.tests.helpers import all_right

pytestmark = pytest.mark.django_db


def take(student, quiz, answers=None, *, submit: bool = True) -> Attempt:
    attempt, _ = services.attempt_start(student=student, quiz=quiz)
    if submit:
        attempt = services.attempt_submit(actor=student, attempt=attempt, answers=answers or [])
    return attempt


def test_the_tally_counts_submitted_open_and_passed_per_student(student, other_student, enrollment, quiz, questions):
    EnrollmentFactory(student=other_student, course=quiz.course)
    assert attempt_tally_get(quiz_id=quiz.pk, student_id=student.pk) == StudentTally(submitted=0, open=0, passed=False)
    take(student, quiz)  # failed
    take(student, quiz, all_right(questions))  # passed
    take(student, quiz, submit=False)
    take(other_student, quiz)
    assert attempt_tally_get(quiz_id=quiz.pk, student_id=student.pk) == StudentTally(submitted=2, open=1, passed=True)
    assert attempt_tally_get(quiz_id=quiz.pk, student_id=other_student.pk) == StudentTally(
        submitted=1, open=0, passed=False
    )


NOW = timezone.now()


@pytest.mark.parametrize(
    ("policy", "max_attempts", "due_at", "tally", "expected"),
    [
        (ReviewPolicy.AFTER_SUBMIT, None, None, StudentTally(1, 0, False), True),
        (ReviewPolicy.AFTER_PASS, None, None, StudentTally(3, 0, False), False),
        (ReviewPolicy.AFTER_PASS, None, None, StudentTally(1, 0, True), True),
        (ReviewPolicy.AFTER_LAST_ATTEMPT, 2, None, StudentTally(1, 0, True), False),
        (ReviewPolicy.AFTER_LAST_ATTEMPT, 2, None, StudentTally(1, 1, False), False),  # the last one is open
        (ReviewPolicy.AFTER_LAST_ATTEMPT, 2, None, StudentTally(2, 0, False), True),
        (ReviewPolicy.AFTER_LAST_ATTEMPT, None, None, StudentTally(50, 0, True), False),  # unlimited: never
        (ReviewPolicy.AFTER_DUE_DATE, None, None, StudentTally(1, 0, True), False),
        (ReviewPolicy.AFTER_DUE_DATE, None, NOW + timedelta(hours=1), StudentTally(1, 0, True), False),
        (ReviewPolicy.AFTER_DUE_DATE, None, NOW - timedelta(seconds=10), StudentTally(1, 0, True), False),  # grace
        (ReviewPolicy.AFTER_DUE_DATE, None, NOW - timedelta(seconds=60), StudentTally(1, 0, True), True),
        (ReviewPolicy.NEVER, None, None, StudentTally(9, 0, True), False),
    ],
)
def test_review_due_follows_the_policy(grace, policy, max_attempts, due_at, tally, expected):
    quiz = QuizFactory.build(show_correct_answers=policy, max_attempts=max_attempts, due_at=due_at)
    assert review_due(quiz, tally, NOW) is expected


@pytest.mark.parametrize("policy", list(ReviewPolicy))
def test_students_see_their_score_under_every_policy_but_never(policy):
    assert student_sees_score(QuizFactory.build(show_correct_answers=policy)) is (policy != ReviewPolicy.NEVER)


def test_visibility_for_the_student_follows_the_policy_and_the_staff_see_everything(
    student, instructor, admin_user, enrollment, quiz, questions
):
    quiz.show_correct_answers, quiz.max_attempts = ReviewPolicy.AFTER_LAST_ATTEMPT, 2
    quiz.save(update_fields=["show_correct_answers", "max_attempts"])
    first = take(student, quiz)
    second = take(student, quiz, submit=False)
    attempts = list(selectors.attempt_list_for_student(quiz=quiz, student=student))

    seen = attempt_visibility(student, attempts)
    assert seen[first.pk].review is False and seen[first.pk].score is True  # an attempt is left
    assert seen[second.pk].review is False  # open: never reviewed
    for staff in (instructor, admin_user):
        assert {v.review and v.score for v in attempt_visibility(staff, attempts).values()} == {True}

    services.attempt_submit(actor=student, attempt=second, answers=[])
    attempts = list(selectors.attempt_list_for_student(quiz=quiz, student=student))
    assert {v.review for v in attempt_visibility(student, attempts).values()} == {True}  # the last one is in


def test_visibility_counts_each_students_attempts_once(
    student, enrollment, quiz, questions, django_assert_max_num_queries
):
    quiz.show_correct_answers = ReviewPolicy.AFTER_PASS
    quiz.save(update_fields=["show_correct_answers"])
    for _ in range(4):
        take(student, quiz)
    attempts = list(selectors.attempt_list_for_student(quiz=quiz, student=student))
    with django_assert_max_num_queries(1):
        result = attempt_visibility(student, attempts)
    assert len(result) == 4 and not any(v.review for v in result.values())


def test_attempt_list_for_user_is_the_students_own_or_the_managed_courses(
    student, other_student, instructor, other_instructor, admin_user, enrollment, quiz, questions
):
    EnrollmentFactory(student=other_student, course=quiz.course)
    mine, theirs = take(student, quiz), take(other_student, quiz)

    def ids(user):
        return set(selectors.attempt_list_for_user(user).values_list("pk", flat=True))

    assert ids(student) == {mine.pk}
    assert ids(other_student) == {theirs.pk}
    assert ids(instructor) == ids(admin_user) == {mine.pk, theirs.pk}
    assert ids(other_instructor) == set()
    User.objects.filter(pk=instructor.pk).update(role=Role.STUDENT)
    instructor.refresh_from_db()
    assert ids(instructor) == set()  # demoted: their course's attempts are not theirs to read


def test_attempts_past_closing_are_the_open_ones_past_their_deadline_or_due_date(student, enrollment, quiz, questions):
    attempt = take(student, quiz, submit=False)
    cutoff = timezone.now()
    assert not selectors.attempt_list_past_closing(cutoff).exists()
    Attempt.objects.filter(pk=attempt.pk).update(deadline=cutoff - timedelta(seconds=1))
    assert list(selectors.attempt_list_past_closing(cutoff)) == [attempt]
    services.attempt_submit(actor=student, attempt=attempt, answers=[])
    assert not selectors.attempt_list_past_closing(cutoff).exists()
