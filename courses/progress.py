"""What "completing a course" means, in one place that other apps extend without editing it.

A course is completed when every requirement is met. Lessons are the built-in requirement; the
quizzes app registers "every required quiz passed". Handlers registered with
`on_course_completed` run after the transaction that completed an enrollment commits
(certificates, notifications). Apps register in their AppConfig.ready().

Requirements work on a batch of enrollments, so a list of 100 enrollments costs one query per
requirement, not one per enrollment."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

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


Requirement = Callable[[Sequence], dict[int, Part]]
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


def lessons_requirement(enrollments: Sequence) -> dict[int, Part]:
    done: dict[int, list[int]] = {e.pk: [] for e in enrollments}
    rows = LessonCompletion.objects.filter(enrollment__in=[e.pk for e in enrollments]).values_list(
        "enrollment_id", "lesson_id"
    )
    for enrollment_id, lesson_id in rows:
        done[enrollment_id].append(lesson_id)
    return {e.pk: Part(tuple(done[e.pk]), e.course.lesson_count) for e in enrollments}


register_requirement("lessons", lessons_requirement)


def progress_for(enrollments: Sequence) -> dict[int, Progress]:
    """Progress of each enrollment (its `course` should be loaded): one query per requirement."""
    enrollments = list(enrollments)
    if not enrollments:
        return {}
    parts: dict[int, dict[str, Part]] = {e.pk: {} for e in enrollments}
    for name, requirement in _requirements.items():
        for enrollment_id, part in requirement(enrollments).items():
            parts[enrollment_id][name] = part
    return {pk: Progress(p) for pk, p in parts.items()}
