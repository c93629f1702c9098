"""Changing a course's grading scheme. The gradebook has nothing else to write: it is computed."""

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from courses.access import course_actor_require
from courses.models import Course
from lms.errors import InvalidInput

from .models import CourseGrading

LETTER_MAX_LENGTH = 20


def letter_scale_problem(steps: list[dict]) -> tuple[str, str] | None:
    """What is wrong with a letter scale (message, code), or None: each letter once and not blank,
    distinct starting percents from 0 to 100, one of them 0 so that every percent has a letter."""
    letters = [str(step["letter"]).strip() for step in steps]
    minimums = [step["min_percent"] for step in steps]
    if not steps:
        return _("Give at least one letter."), "empty"
    if any(not letter for letter in letters):
        return _("A letter cannot be blank."), "blank"
    if any(len(letter) > LETTER_MAX_LENGTH for letter in letters):
        message = ngettext(
            "A letter has at most {count} character.", "A letter has at most {count} characters.", LETTER_MAX_LENGTH
        )
        return message.format(count=LETTER_MAX_LENGTH), "too_long"
    if len(set(letters)) != len(letters):
        return _("Each letter may appear once."), "duplicate_letter"
    if any(not 0 <= minimum <= 100 for minimum in minimums):
        return _("A letter starts at a percent from 0 to 100."), "out_of_range"
    if len(set(minimums)) != len(minimums):
        return _("Two letters cannot start at the same percent."), "duplicate_percent"
    if 0 not in minimums:
        return _("One letter must start at 0, so that every percent has a letter."), "no_floor"
    return None


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
    with the defaults on first use), so two editors' changes apply one after the other. A scheme
    that breaks a rule is refused (InvalidInput) whoever calls, the API's serializer or not."""
    course_actor_require(actor, course)
    if weights is not None and weights["quizzes"] + weights["assignments"] != 100:
        raise InvalidInput(_("The weights must add up to 100."), code="weights_sum", extra={"field": "weights"})
    if pass_percent is not None and not 0 <= pass_percent <= 100:
        raise InvalidInput(_("The pass mark is a percent from 0 to 100."), extra={"field": "pass_percent"})
    if letter_scale is not None and (problem := letter_scale_problem(letter_scale)):
        raise InvalidInput(problem[0], code=problem[1], extra={"field": "letter_scale"})
    CourseGrading.objects.get_or_create(course=course)
    grading = CourseGrading.objects.select_for_update().get(course=course)
    if weights is not None:
        grading.quizzes_weight = weights["quizzes"]
        grading.assignments_weight = weights["assignments"]
    if pass_percent is not None:
        grading.pass_percent = pass_percent
    if letter_scale is not None:
        grading.letter_scale = sorted(
            ({"letter": str(step["letter"]).strip(), "min_percent": step["min_percent"]} for step in letter_scale),
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
