"""The quizzes' part of course completion: every required quiz (with questions) passed."""

from collections.abc import Sequence

from django.db.models import Exists, OuterRef

from courses.progress import Part, left_ids

from .models import Attempt, Question, Quiz


def quizzes_requirement(enrollments: Sequence, left_out: dict | None = None) -> dict[int, Part]:
    """Two queries for any number of enrollments: the required quizzes of their courses, and the
    ones each student has passed; those the release rules leave out of an enrollment (`left_out`,
    courses.release.left_out) do not count."""
    course_ids = {e.course_id for e in enrollments}
    required: dict[int, set[int]] = {cid: set() for cid in course_ids}
    rows = (
        Quiz.objects.filter(course_id__in=course_ids, is_required=True)
        .filter(Exists(Question.objects.filter(quiz=OuterRef("pk"))))
        .values_list("course_id", "pk")
    )
    for course_id, quiz_id in rows:
        required[course_id].add(quiz_id)
    all_required = set().union(*required.values()) if required else set()
    passed: dict[int, set[int]] = {}
    if all_required:
        passed_rows = (
            Attempt.objects.filter(
                quiz_id__in=all_required, student_id__in={e.student_id for e in enrollments}, passed=True
            )
            .values_list("student_id", "quiz_id")
            .distinct()
        )
        for student_id, quiz_id in passed_rows:
            passed.setdefault(student_id, set()).add(quiz_id)
    parts = {}
    for e in enrollments:
        counted = required[e.course_id] - left_ids(left_out, e.pk, "quiz")
        parts[e.pk] = Part(tuple(sorted(passed.get(e.student_id, set()) & counted)), len(counted))
    return parts


def quizzes_passed(student_id: int, quiz_ids: set[int]) -> set[int]:
    """The quizzes among `quiz_ids` the student passed an attempt of (a release requirement)."""
    return set(
        Attempt.objects.filter(student_id=student_id, quiz_id__in=quiz_ids, passed=True)
        .values_list("quiz_id", flat=True)
        .distinct()
    )
