"""Changing a course's grading scheme. The gradebook has nothing else to write: it is computed."""

from django.db import transaction

from courses.access import course_actor_require
from courses.models import Course

from .models import CourseGrading


@transaction.atomic
def grading_update(
    *,
    actor,
    course: Course,
    weights: dict[str, int] | None = None,
    pass_percent: int | None = None,
    letter_scale: list[dict] | None = None,
) -> CourseGrading:
    """The course's instructor or an admin (`actor`; None for the platform) sets what they send of
    its scheme: category weights (adding up to 100), the pass mark and the letter scale (highest
    first, ending at 0), validated by the caller's serializer. Takes the grading row's lock (made
    with the defaults on first use), so two editors' changes apply one after the other."""
    course_actor_require(actor, course)
    CourseGrading.objects.get_or_create(course=course)
    grading = CourseGrading.objects.select_for_update().get(course=course)
    if weights is not None:
        grading.quizzes_weight = weights["quizzes"]
        grading.assignments_weight = weights["assignments"]
    if pass_percent is not None:
        grading.pass_percent = pass_percent
    if letter_scale is not None:
        grading.letter_scale = sorted(
            ({"letter": step["letter"], "min_percent": step["min_percent"]} for step in letter_scale),
            key=lambda step: -step["min_percent"],
        )
    grading.updated_by = actor
    grading.save()
    return grading


@transaction.atomic
def grading_reset(*, actor, course: Course) -> None:
    """The course's instructor or an admin (`actor`; None for the platform) returns the course to
    the default scheme: its grading row is deleted (under the row's lock, so an edit in flight
    finishes first)."""
    course_actor_require(actor, course)
    CourseGrading.objects.select_for_update().filter(course=course).delete()
