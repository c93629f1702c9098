"""The assignments' part of course completion: every required assignment graded at or above its
pass_percent (the current grade of any attempt)."""

from collections.abc import Sequence

from django.db.models import F

from courses.progress import Part, left_ids

from .models import Assignment, Submission


def assignments_requirement(enrollments: Sequence, left_out: dict | None = None) -> dict[int, Part]:
    """Two queries for any number of enrollments: the required assignments of their courses, and
    the ones each student has passed; those the release rules leave out of an enrollment
    (`left_out`, courses.release.left_out) do not count."""
    course_ids = {e.course_id for e in enrollments}
    required: dict[int, set[int]] = {cid: set() for cid in course_ids}
    for course_id, assignment_id in Assignment.objects.filter(course_id__in=course_ids, is_required=True).values_list(
        "course_id", "pk"
    ):
        required[course_id].add(assignment_id)
    all_required = set().union(*required.values()) if required else set()
    passed: dict[int, set[int]] = {}
    if all_required:
        rows = (
            Submission.objects.filter(
                assignment_id__in=all_required,
                student_id__in={e.student_id for e in enrollments},
                grade__percent__gte=F("assignment__pass_percent"),
            )
            .values_list("student_id", "assignment_id")
            .distinct()
        )
        for student_id, assignment_id in rows:
            passed.setdefault(student_id, set()).add(assignment_id)
    parts = {}
    for e in enrollments:
        counted = required[e.course_id] - left_ids(left_out, e.pk, "assignment")
        parts[e.pk] = Part(tuple(sorted(passed.get(e.student_id, set()) & counted)), len(counted))
    return parts


def assignments_passed(student_id: int, assignment_ids: set[int]) -> set[int]:
    """The assignments among `assignment_ids` the student's work was graded at or above the pass
    percent in (a release requirement)."""
    return set(
        Submission.objects.filter(
            student_id=student_id, assignment_id__in=assignment_ids, grade__percent__gte=F("assignment__pass_percent")
        )
        .values_list("assignment_id", flat=True)
        .distinct()
    )
