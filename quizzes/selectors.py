"""Reads of quizzes and attempts, scoped to the caller."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Case, Count, F, FloatField, Max, Q, QuerySet, Sum, Value, When, Window
from django.db.models.functions import Coalesce, RowNumber
from django.utils import timezone

from courses.access import can_manage_course
from courses.selectors import course_list_for_manager

from .models import Attempt, AttemptAnswer, Question, Quiz, ReviewPolicy, ScoringPolicy, grace


def with_totals(queryset: QuerySet[Quiz]) -> QuerySet[Quiz]:
    return queryset.annotate(
        question_count=Count("questions"), total_points=Coalesce(Sum("questions__points"), Value(0))
    )


def quiz_get_with_totals(quiz_id: int) -> Quiz:
    """The quiz with its course, question count and total points, as its detail renders it (the
    caller has authorized it: quizzes.access)."""
    return with_totals(Quiz.objects.filter(pk=quiz_id)).select_related("course").get()


def question_list_for_quiz(quiz: Quiz) -> QuerySet[Question]:
    """The quiz's questions in order, with their choices (two queries)."""
    return Question.objects.filter(quiz=quiz).prefetch_related("choices").order_by("order", "id")


def question_get_with_choices(question_id: int) -> Question:
    return Question.objects.prefetch_related("choices").get(pk=question_id)


def quiz_list_for_course(course) -> QuerySet[Quiz]:
    return with_totals(Quiz.objects.filter(course=course).select_related("course")).order_by("order", "id")


def attempt_summary_list_for_student(*, student, quiz_ids) -> dict[int, dict]:
    """Per quiz: attempts used, best percent and whether passed. One query for any number."""
    rows = (
        Attempt.objects.filter(student=student, quiz_id__in=quiz_ids)
        .values("quiz_id")
        .annotate(used=Count("id"), best_percent=Max("percent"), passed=Count("id", filter=Q(passed=True)))
    )
    return {
        r["quiz_id"]: {"used": r["used"], "best_percent": r["best_percent"], "passed": r["passed"] > 0} for r in rows
    }


def attempt_list_for_user(user) -> QuerySet[Attempt]:
    """Students see their own attempts; a course's instructor and admins see all of its attempts."""
    if not user.is_authenticated:
        return Attempt.objects.none()
    if user.role == "admin":
        return Attempt.objects.select_related("quiz__course")
    managed = course_list_for_manager(user)  # a demoted instructor's courses are not theirs to read
    return Attempt.objects.filter(Q(student=user) | Q(quiz__course__in=managed)).select_related("quiz__course")


def attempt_list_for_student(*, quiz: Quiz, student) -> QuerySet[Attempt]:
    return Attempt.objects.filter(quiz=quiz, student=student).select_related("quiz__course").order_by("-number")


def attempt_list_past_closing(cutoff: datetime) -> QuerySet[Attempt]:
    """Open attempts whose closing time (Attempt.closes_at: the earlier of their time limit and
    the quiz's due date) is before `cutoff`, oldest first."""
    return (
        Attempt.objects.filter(submitted_at__isnull=True)
        .filter(Q(deadline__lt=cutoff) | Q(quiz__due_at__lt=cutoff, started_at__lt=cutoff))
        .order_by(Coalesce("deadline", "quiz__due_at"), "pk")
    )


def counted_attempt_percents(
    *, quiz_ids: Iterable[int] | QuerySet, student_ids: Iterable[int] | QuerySet
) -> dict[tuple[int, int], Decimal]:
    """{(student_id, quiz_id): percent} of the attempt each quiz's scoring_policy counts, among the
    student's submitted, graded attempts (open ones and any without a percent are ignored): `best`,
    the highest percent; `last`, the attempt submitted last (ties: the highest number). A pair with
    no such attempt is absent. One query for any number of quizzes and students: each pair's
    attempts are ranked in a window, the policy choosing the order, and the first row kept. The ids
    may be querysets of ids (subqueries, still one query). For the gradebook, which has authorized
    the caller; shows percents whatever the review policy, so not for a student's own view."""
    best_first = Case(When(quiz__scoring_policy=ScoringPolicy.BEST, then=F("percent")), default=None)
    ranked = (
        Attempt.objects.filter(
            quiz_id__in=quiz_ids, student_id__in=student_ids, submitted_at__isnull=False, percent__isnull=False
        )
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("quiz_id"), F("student_id")],
                # Under `last` the first key is null for every row, so the latest submission leads.
                order_by=[best_first.desc(nulls_last=True), F("submitted_at").desc(), F("number").desc()],
            )
        )
        .filter(rank=1)
        .order_by()
        .values_list("student_id", "quiz_id", "percent")
    )
    return {(student_id, quiz_id): percent for student_id, quiz_id, percent in ranked}


@dataclass(frozen=True)
class StudentTally:
    """A student's attempts at one quiz, as the review policies need them."""

    submitted: int
    open: int
    passed: bool


def attempt_tally_get(*, quiz_id: int, student_id: int) -> StudentTally:
    row = Attempt.objects.filter(quiz_id=quiz_id, student_id=student_id).aggregate(
        submitted=Count("id", filter=Q(submitted_at__isnull=False)),
        open=Count("id", filter=Q(submitted_at__isnull=True)),
        passed=Count("id", filter=Q(passed=True)),
    )
    return StudentTally(submitted=row["submitted"], open=row["open"], passed=row["passed"] > 0)


def student_sees_score(quiz: Quiz) -> bool:
    """Whether students see their score and percent (and best percent): under every policy but
    `never`, which shows only pass or fail, so that the percent of repeated attempts cannot be read
    as per-question correctness. Instructors and admins always see scores."""
    return quiz.show_correct_answers != ReviewPolicy.NEVER


def review_due(quiz: Quiz, tally: StudentTally, now: datetime) -> bool:
    """Whether the quiz's policy lets this student see the review of a submitted attempt: which
    answers were right, the correct answers and the explanations.

    after_last_attempt: every allowed attempt submitted (none open), so what the review shows can
    no longer be used in an attempt; never with unlimited attempts. after_due_date: past due_at
    plus the submission grace, when no attempt of anyone can still take answers."""
    policy = quiz.show_correct_answers
    if policy == ReviewPolicy.AFTER_SUBMIT:
        return True
    if policy == ReviewPolicy.AFTER_PASS:
        return tally.passed
    if policy == ReviewPolicy.AFTER_LAST_ATTEMPT:
        return quiz.max_attempts is not None and tally.open == 0 and tally.submitted >= quiz.max_attempts
    if policy == ReviewPolicy.AFTER_DUE_DATE:
        return quiz.due_at is not None and now - grace() > quiz.due_at
    return False


@dataclass(frozen=True)
class AttemptVisibility:
    """What a viewer may see of an attempt beyond its questions, their own answers and `passed`."""

    review: bool  # per-question correctness, correct answers, explanations
    score: bool  # score, max_score, percent


def attempt_visibility(viewer, attempts: Sequence[Attempt]) -> dict[int, AttemptVisibility]:
    """Per attempt id: the course's instructor and admins see everything; the student sees the
    review as the quiz's policy says (never while the attempt is open) and the score unless the
    policy is `never`. At most one query per (quiz, student), only for the policies that count
    attempts. The attempts need `quiz__course`."""
    now = timezone.now()
    tallies: dict[tuple[int, int], StudentTally] = {}
    result: dict[int, AttemptVisibility] = {}
    for attempt in attempts:
        quiz = attempt.quiz
        if can_manage_course(viewer, quiz.course):
            result[attempt.pk] = AttemptVisibility(review=True, score=True)
            continue
        review = False
        if not attempt.is_open:
            if quiz.show_correct_answers in (ReviewPolicy.AFTER_PASS, ReviewPolicy.AFTER_LAST_ATTEMPT):
                key = (attempt.quiz_id, attempt.student_id)
                if key not in tallies:
                    tallies[key] = attempt_tally_get(quiz_id=attempt.quiz_id, student_id=attempt.student_id)
                tally = tallies[key]
            else:
                tally = StudentTally(submitted=0, open=0, passed=False)  # not read by these policies
            review = review_due(quiz, tally, now)
        result[attempt.pk] = AttemptVisibility(review=review, score=student_sees_score(quiz))
    return result


def quiz_results_get(quiz: Quiz) -> dict:
    """Statistics computed by the database: attempts, students, pass rate, average percent, and per
    question the share answered correctly and the average points."""
    graded = Attempt.objects.filter(quiz=quiz, submitted_at__isnull=False)
    summary = graded.aggregate(
        attempt_count=Count("id"),
        student_count=Count("student", distinct=True),
        passed_count=Count("id", filter=Q(passed=True)),
        average_percent=Avg("percent"),
    )
    questions = (
        AttemptAnswer.objects.filter(attempt__quiz=quiz, attempt__submitted_at__isnull=False)
        .values("question_id")
        .annotate(
            answers=Count("id"),
            share_correct=Avg(Case(When(correct=True, then=1.0), default=0.0, output_field=FloatField())),
            average_points=Avg("points_awarded"),
            max_points=Max("max_points"),
        )
        .order_by("question_id")
    )
    count = summary["attempt_count"]
    texts = dict(Question.objects.filter(quiz=quiz).values_list("id", "text"))
    return {
        "attempt_count": count,
        "student_count": summary["student_count"],
        "pass_rate": round(summary["passed_count"] / count, 4) if count else None,
        "average_percent": (
            Decimal(summary["average_percent"]).quantize(Decimal("0.01"), ROUND_HALF_UP)
            if summary["average_percent"] is not None
            else None
        ),
        "questions": [
            {
                "question": row["question_id"],
                "text": texts.get(row["question_id"]),
                "answers": row["answers"],
                "share_correct": round(row["share_correct"], 4),
                "average_points": Decimal(row["average_points"]).quantize(Decimal("0.01")),
                "max_points": row["max_points"],
            }
            for row in questions
        ],
    }


def attempt_list_for_results(quiz: Quiz) -> QuerySet[Attempt]:
    return Attempt.objects.filter(quiz=quiz).select_related("student").order_by("-started_at", "-id")


def attempt_list_for_export(student) -> QuerySet[Attempt]:
    """Every attempt of the student's, oldest first, with its quiz and course and its graded results
    (two queries), for their data export (privacy)."""
    return (
        Attempt.objects.filter(student=student)
        .select_related("quiz__course")
        .prefetch_related("graded_answers")
        .order_by("started_at", "id")
    )
