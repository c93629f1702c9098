"""What "completing a course" means, in one place that other apps extend without editing it.

A course is completed when every requirement is met. Lessons are the built-in requirement; the
quizzes app registers "every required quiz passed". Handlers registered with
`on_course_completed` run after the transaction that completed an enrollment commits
(certificates, notifications). Apps register in their AppConfig.ready().

Requirements work on a batch of enrollments, so a list of 100 enrollments costs one query per
requirement, not one per enrollment. Each gets the enrollments' release anchors (courses.release):
for a student in a cohort, an item whose time rule opens it only after the cohort's end is left out
of both what is done and what there is to do."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from . import release
from .models import Lesson, LessonCompletion


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


# requirement(enrollments, anchors) -> {enrollment id: Part}; anchors: {enrollment id: release.Anchor}
Requirement = Callable[[Sequence, dict[int, "release.Anchor"]], dict[int, Part]]
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


def lessons_requirement(enrollments: Sequence, anchors: dict | None = None) -> dict[int, Part]:
    """Every lesson: one query, and one more when a student is in a cohort (the lessons with time
    rules of those courses)."""
    anchors = anchors or {}
    done: dict[int, list[int]] = {e.pk: [] for e in enrollments}
    rows = LessonCompletion.objects.filter(enrollment__in=[e.pk for e in enrollments]).values_list(
        "enrollment_id", "lesson_id"
    )
    for enrollment_id, lesson_id in rows:
        done[enrollment_id].append(lesson_id)
    ruled = rules_by_course(Lesson.objects.all(), cohort_course_ids(enrollments, anchors))
    parts = {}
    for e in enrollments:
        left_out = release.unreachable(ruled.get(e.course_id, ()), anchors.get(e.pk))
        parts[e.pk] = Part(
            tuple(i for i in done[e.pk] if i not in left_out), max(e.course.lesson_count - len(left_out), 0)
        )
    return parts


def _in_cohort(anchor) -> bool:
    return anchor is not None and anchor.ends_at is not None


def rules_by_course(items, course_ids: set[int]) -> dict[int, list[tuple]]:
    """`{course id: [(id, available_from, available_after_days)]}` of the items (a queryset of a
    model with release rules) with a time rule in those courses: one query, none without courses."""
    if not course_ids:
        return {}
    ruled: dict[int, list[tuple]] = {}
    rows = (
        items.filter(course_id__in=course_ids)
        .exclude(available_from__isnull=True, available_after_days__isnull=True)
        .values_list("course_id", "pk", "available_from", "available_after_days")
    )
    for course_id, *row in rows:
        ruled.setdefault(course_id, []).append(tuple(row))
    return ruled


def cohort_course_ids(enrollments: Sequence, anchors: dict | None) -> set[int]:
    """The courses of the enrollments whose student is in a cohort (their items may be left out)."""
    anchors = anchors or {}
    return {e.course_id for e in enrollments if _in_cohort(anchors.get(e.pk))}


register_requirement("lessons", lessons_requirement)


def progress_for(enrollments: Sequence) -> dict[int, Progress]:
    """Progress of each enrollment (its `course` should be loaded): one query for the anchors, and
    one per requirement (plus one per requirement when a student is in a cohort)."""
    enrollments = list(enrollments)
    if not enrollments:
        return {}
    parts: dict[int, dict[str, Part]] = {e.pk: {} for e in enrollments}
    anchors = release.anchors_for(enrollments)
    for name, requirement in _requirements.items():
        for enrollment_id, part in requirement(enrollments, anchors).items():
            parts[enrollment_id][name] = part
    return {pk: Progress(p) for pk, p in parts.items()}
