"""What "completing a course" means, in one place that other apps extend without editing it.

A course is completed when every requirement is met. Lessons are the built-in requirement; the
quizzes app registers "every required quiz passed". Handlers registered with
`on_course_completed` run after the transaction that completed an enrollment commits
(certificates, notifications). Apps register in their AppConfig.ready().

Requirements work on a batch of enrollments, so a list of 100 enrollments costs one query per
requirement, not one per enrollment. Each gets what the release rules leave out of each enrollment
(courses.release.left_out): for a student in a cohort, an item that can open only after the
cohort's end is left out of both what is done and what there is to do."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from . import release
from .models import LessonCompletion


@dataclass(frozen=True)
class Part:
    """How far one enrollment is with one requirement."""

    done_ids: tuple[int, ...] = ()
    total: int = 0

    @property
    def done(self) -> int:
        return len(self.done_ids)


@dataclass(frozen=True)
class Progress:
    parts: dict[str, Part] = field(default_factory=dict)

    @property
    def done(self) -> int:
        return sum(min(p.done, p.total) for p in self.parts.values())

    @property
    def total(self) -> int:
        return sum(p.total for p in self.parts.values())

    @property
    def percent(self) -> int:
        return (100 * self.done) // self.total if self.total else 0

    @property
    def complete(self) -> bool:
        lessons = self.parts.get("lessons")
        has_content = lessons is not None and lessons.total > 0
        return has_content and all(p.done >= p.total for p in self.parts.values())

    def ids(self, name: str) -> list[int]:
        part = self.parts.get(name)
        return sorted(part.done_ids) if part else []


# requirement(enrollments, left_out) -> {enrollment id: Part}; left_out: {enrollment id: {(kind, id)}}
@dataclass(frozen=True, slots=True)
class LessonCount:
    lesson_count: int


@dataclass(frozen=True, slots=True)
class EnrollmentRef:
    """What progress_for reads of an enrollment (its id, student, course, start and the course's
    lesson count), for reads that build their items from `.values()` rows instead of instances."""

    pk: int
    student_id: int
    course_id: int
    enrolled_at: object
    course: LessonCount

    @classmethod
    def from_row(cls, row: dict) -> "EnrollmentRef":
        """From a row of Enrollment `.values()` holding id, student_id, course_id, enrolled_at and
        course__lesson_count."""
        lessons = LessonCount(row["course__lesson_count"])
        return cls(row["id"], row["student_id"], row["course_id"], row["enrolled_at"], lessons)


Requirement = Callable[[Sequence, dict[int, set[tuple[str, int]]]], dict[int, Part]]
CompletionHandler = Callable[[object], None]

_requirements: dict[str, Requirement] = {}
_completion_handlers: list[CompletionHandler] = []


def register_requirement(name: str, requirement: Requirement) -> None:
    _requirements[name] = requirement


def on_course_completed(handler: CompletionHandler) -> CompletionHandler:
    if handler not in _completion_handlers:
        _completion_handlers.append(handler)
    return handler


def completion_handlers() -> list[CompletionHandler]:
    return list(_completion_handlers)


def lessons_requirement(enrollments: Sequence, left_out: dict | None = None) -> dict[int, Part]:
    """Every lesson (but those the release rules leave out): one query."""
    left_out = left_out or {}
    done: dict[int, list[int]] = {e.pk: [] for e in enrollments}
    rows = LessonCompletion.objects.filter(enrollment__in=[e.pk for e in enrollments]).values_list(
        "enrollment_id", "lesson_id"
    )
    for enrollment_id, lesson_id in rows:
        done[enrollment_id].append(lesson_id)
    parts = {}
    for e in enrollments:
        left = left_ids(left_out, e.pk, "lesson")
        parts[e.pk] = Part(tuple(i for i in done[e.pk] if i not in left), max(e.course.lesson_count - len(left), 0))
    return parts


def left_ids(left_out: dict | None, enrollment_id: int, kind: str) -> set[int]:
    """The ids of `kind` left out of the enrollment's progress (courses.release.left_out)."""
    return {pk for k, pk in (left_out or {}).get(enrollment_id, ()) if k == kind}


register_requirement("lessons", lessons_requirement)


def progress_for(enrollments: Sequence) -> dict[int, Progress]:
    """Progress of each enrollment (its `course` should be loaded): one query for the anchors, one
    per requirement, and when a student is in a cohort one per kind of item (release.left_out)."""
    enrollments = list(enrollments)
    if not enrollments:
        return {}
    parts: dict[int, dict[str, Part]] = {e.pk: {} for e in enrollments}
    left_out = release.left_out(enrollments, release.anchors_for(enrollments))
    for name, requirement in _requirements.items():
        for enrollment_id, part in requirement(enrollments, left_out).items():
            parts[enrollment_id][name] = part
    return {pk: Progress(p) for pk, p in parts.items()}
