"""The gradebook, computed on every read from the quizzes' attempts and the assignments' grades.

Items are the course's quizzes and assignments in curriculum order, each scored as a percent times
its current points. A quiz: the percent of the attempt its `scoring_policy` counts (best or last),
its points the sum of its questions'. An assignment: the percent (after the late penalty) of its
latest graded attempt.

An item a student has no score for yet (not attempted, not graded) is left out of their figures:
the percent is the current grade over what has been scored, as Moodle's "aggregate only non-empty
grades" and Canvas's current grade. Within a category, percent = scored points / possible points of
the scored items; the total weighs the categories by the course's weights, over the categories that
have a score (so a course without assignments grades on its quizzes alone).

Only active enrollments are rows: a revoked student leaves the gradebook (their attempts and
submissions stay). A page costs the same queries whatever its size and the number of items:
the scheme, the quizzes, the assignments, the page of students, the quiz scores and the grades."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property

from django.db.models import QuerySet

from accounts.models import User
from assignments.models import Submission
from courses.models import Course, Enrollment, EnrollmentStatus
from quizzes.models import Quiz
from quizzes.selectors import counted_attempt_percents, student_sees_score, with_totals

from .models import (
    DEFAULT_ASSIGNMENTS_WEIGHT,
    DEFAULT_PASS_PERCENT,
    DEFAULT_QUIZZES_WEIGHT,
    CourseGrading,
    default_letter_scale,
)

QUIZ, ASSIGNMENT = "quiz", "assignment"
CATEGORIES = {QUIZ: "quizzes", ASSIGNMENT: "assignments"}
CENT = Decimal("0.01")
HUNDRED = Decimal(100)


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Scheme:
    """A course's grading scheme (its CourseGrading row, or the defaults)."""

    weights: dict[str, int]
    pass_percent: int
    letter_scale: list[dict]

    def letter(self, percent: Decimal | None) -> str | None:
        if percent is None:
            return None
        for step in self.letter_scale:  # highest first; the last starts at 0
            if percent >= step["min_percent"]:
                return step["letter"]
        return None


def scheme_get(course: Course) -> Scheme:
    """The course's grading scheme: its saved settings, else the defaults. One query."""
    grading = CourseGrading.objects.filter(course=course).first()
    if grading is None:
        return Scheme(
            weights={"quizzes": DEFAULT_QUIZZES_WEIGHT, "assignments": DEFAULT_ASSIGNMENTS_WEIGHT},
            pass_percent=DEFAULT_PASS_PERCENT,
            letter_scale=default_letter_scale(),
        )
    return Scheme(
        weights={"quizzes": grading.quizzes_weight, "assignments": grading.assignments_weight},
        pass_percent=grading.pass_percent,
        letter_scale=grading.letter_scale,
    )


@dataclass(frozen=True)
class Item:
    kind: str
    object_id: int
    title: str
    points: Decimal
    hidden_from_student: bool = False  # a quiz whose policy shows students pass or fail only

    @cached_property
    def id(self) -> str:
        return f"{self.kind}-{self.object_id}"

    @property
    def category(self) -> str:
        return CATEGORIES[self.kind]


def item_list_for_course(course: Course) -> list[Item]:
    """The course's quizzes and assignments in curriculum order (section, then order within it;
    items outside a section last). Two queries."""
    from assignments.models import Assignment

    keyed = []
    for quiz in with_totals(Quiz.objects.filter(course=course).select_related("section")):
        item = Item(QUIZ, quiz.pk, quiz.title, Decimal(quiz.total_points), not student_sees_score(quiz))
        keyed.append((_position(quiz), item))
    for assignment in Assignment.objects.filter(course=course).select_related("section"):
        keyed.append(
            (_position(assignment), Item(ASSIGNMENT, assignment.pk, assignment.title, Decimal(assignment.points)))
        )
    keyed.sort(key=lambda pair: pair[0])
    return [item for _, item in keyed]


def _position(obj) -> tuple:
    section = obj.section
    kind = 0 if isinstance(obj, Quiz) else 1
    return (section is None, section.order if section else 0, section.pk if section else 0, obj.order, kind, obj.pk)


def enrollment_list_for_gradebook(course: Course) -> QuerySet[Enrollment]:
    """The gradebook's rows: the course's active enrollments with their students, by name."""
    return (
        Enrollment.objects.filter(course=course, status=EnrollmentStatus.ACTIVE)
        .select_related("student")
        .order_by("student__last_name", "student__first_name", "student_id")
    )


@dataclass
class Row:
    student: object
    scores: dict[str, Decimal | None]
    categories: dict[str, Decimal | None] = field(default_factory=dict)
    percent: Decimal | None = None
    letter: str | None = None
    passed: bool | None = None


def _graded_percents(*, assignment_ids, student_ids) -> dict[tuple[int, int], Decimal]:
    """{(student_id, assignment_id): percent} of each student's latest graded attempt, after the late
    penalty. One query. A percent, not points: the points were out of the assignment's points when it
    was graded, and those may have changed since (scored against the current ones, as quizzes are)."""
    percents: dict[tuple[int, int], Decimal] = {}
    rows = (
        Submission.objects.filter(assignment_id__in=assignment_ids, student_id__in=student_ids, grade__isnull=False)
        .order_by("student_id", "assignment_id", "-attempt")
        .values_list("student_id", "assignment_id", "grade__percent")
    )
    for student_id, assignment_id, value in rows:
        percents.setdefault((student_id, assignment_id), value)
    return percents


def row_list(*, students: Sequence, items: Sequence[Item], scheme: Scheme) -> list[Row]:
    """One row per student (in the order given) with each item's score and the weighted total.
    Two queries whatever the number of students and items (none without items)."""
    student_ids = [student.pk for student in students]
    quiz_ids = [item.object_id for item in items if item.kind == QUIZ]
    assignment_ids = [item.object_id for item in items if item.kind == ASSIGNMENT]
    quiz_percents = counted_attempt_percents(quiz_ids=quiz_ids, student_ids=student_ids) if quiz_ids else {}
    assignment_percents = (
        _graded_percents(assignment_ids=assignment_ids, student_ids=student_ids) if assignment_ids else {}
    )
    rows = []
    for student in students:
        scores: dict[str, Decimal | None] = {}
        for item in items:
            percents = quiz_percents if item.kind == QUIZ else assignment_percents
            percent = percents.get((student.pk, item.object_id))
            scores[item.id] = None if percent is None else _cents(percent * item.points / HUNDRED)
        rows.append(_totalled(Row(student=student, scores=scores), items, scheme))
    return rows


def _totalled(row: Row, items: Sequence[Item], scheme: Scheme) -> Row:
    earned = {category: Decimal(0) for category in CATEGORIES.values()}
    possible = {category: Decimal(0) for category in CATEGORIES.values()}
    for item in items:
        score = row.scores[item.id]
        if score is not None and item.points > 0:
            earned[item.category] += score
            possible[item.category] += item.points
    weighted, weight_total = Decimal(0), 0
    for category in CATEGORIES.values():
        if possible[category]:
            percent = earned[category] * HUNDRED / possible[category]
            row.categories[category] = _cents(percent)
            weight = scheme.weights[category]
            weighted += percent * weight
            weight_total += weight
        else:
            row.categories[category] = None
    if weight_total:
        row.percent = _cents(weighted / weight_total)
        row.letter = scheme.letter(row.percent)
        row.passed = row.percent >= scheme.pass_percent
    return row


def row_iter(course: Course, *, items: Sequence[Item], scheme: Scheme, chunk: int = 500) -> Iterator[Row]:
    """Every row of the course's gradebook (an export): the students' ids in order first (one query,
    so a student enrolled or revoked meanwhile neither shifts nor repeats a row), then `chunk`
    students at a time, with the same queries per chunk as a page."""
    student_ids = list(enrollment_list_for_gradebook(course).values_list("student_id", flat=True))
    for start in range(0, len(student_ids), chunk):
        ids = student_ids[start : start + chunk]
        students = User.objects.in_bulk(ids)
        yield from row_list(students=[students[pk] for pk in ids], items=items, scheme=scheme)


def row_for_student(*, course: Course, student, scheme: Scheme) -> tuple[list[Item], Row]:
    """A student's own gradebook row, as they may see it: a quiz whose policy shows students only
    pass or fail (`hidden_from_student`) has its score withheld, and so do the totals while such a
    quiz is scored (a total would reveal it). The caller checked the enrollment."""
    items = item_list_for_course(course)
    (row,) = row_list(students=[student], items=items, scheme=scheme)
    hidden = [item for item in items if item.hidden_from_student and row.scores[item.id] is not None]
    for item in hidden:
        row.scores[item.id] = None
    if hidden:
        row.categories = dict.fromkeys(row.categories)
        row.percent = row.letter = row.passed = None
    return items, row


def grading_list_updated_by(user) -> QuerySet[CourseGrading]:
    """The grading schemes the user last changed (as a course's staff), with their course: one query
    (a privacy export)."""
    return CourseGrading.objects.filter(updated_by=user).select_related("course").order_by("updated_at", "course_id")
