"""Reads of quizzes and attempts, scoped to the caller."""

from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Case, Count, FloatField, Max, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce

from courses.selectors import can_manage_course, courses_visible_to

from .models import Attempt, AttemptAnswer, Question, Quiz, ReviewPolicy


def quizzes_visible_to(user) -> QuerySet[Quiz]:
    """Quizzes of courses the user can open (whether they may read them is can_read_quiz)."""
    return Quiz.objects.filter(course__in=courses_visible_to(user)).select_related("course")


def with_totals(queryset: QuerySet[Quiz]) -> QuerySet[Quiz]:
    return queryset.annotate(
        question_count=Count("questions"), total_points=Coalesce(Sum("questions__points"), Value(0))
    )


def quiz_list_for_course(course) -> QuerySet[Quiz]:
    return with_totals(Quiz.objects.filter(course=course).select_related("course")).order_by("order", "id")


def attempt_summaries(*, student, quiz_ids) -> dict[int, dict]:
    """Per quiz: attempts used, best percent and whether passed. One query for any number."""
    rows = (
        Attempt.objects.filter(student=student, quiz_id__in=quiz_ids)
        .values("quiz_id")
        .annotate(used=Count("id"), best_percent=Max("percent"), passed=Count("id", filter=Q(passed=True)))
    )
    return {
        r["quiz_id"]: {"used": r["used"], "best_percent": r["best_percent"], "passed": r["passed"] > 0} for r in rows
    }


def attempts_visible_to(user) -> QuerySet[Attempt]:
    """Students see their own attempts; a course's instructor and admins see all of its attempts."""
    if not user.is_authenticated:
        return Attempt.objects.none()
    if user.role == "admin":
        return Attempt.objects.select_related("quiz__course")
    return Attempt.objects.filter(Q(student=user) | Q(quiz__course__instructor=user)).select_related("quiz__course")


def student_attempts(*, quiz: Quiz, student) -> QuerySet[Attempt]:
    return Attempt.objects.filter(quiz=quiz, student=student).select_related("quiz").order_by("-number")


def has_passed(*, quiz_id: int, student_id: int) -> bool:
    return Attempt.objects.filter(quiz_id=quiz_id, student_id=student_id, passed=True).exists()


def review_allowed(*, attempt: Attempt, viewer, student_passed: bool) -> bool:
    """Whether the viewer may see correct answers and explanations for this attempt: always for
    the course's instructor and admins; for the student as the quiz's policy says, and never
    while the attempt is open."""
    if can_manage_course(viewer, attempt.quiz.course):
        return True
    if attempt.is_open:
        return False
    policy = attempt.quiz.show_correct_answers
    if policy == ReviewPolicy.AFTER_SUBMIT:
        return True
    if policy == ReviewPolicy.AFTER_PASS:
        return student_passed
    return False


def quiz_results(quiz: Quiz) -> dict:
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


def quiz_attempts_for_results(quiz: Quiz) -> QuerySet[Attempt]:
    return Attempt.objects.filter(quiz=quiz).select_related("student").order_by("-started_at", "-id")
