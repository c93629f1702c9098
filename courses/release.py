"""Release rules: when a lesson, quiz or assignment opens to a student, and when it is due.

An item (a model with the ReleaseRules fields) opens
- at `available_from`, a time; or `available_after_days` days (to the second) after the student's
  anchor: the start of the cohort they hold a seat in, else their enrollment (`enrolled_at`);
  neither set: at once. Setting both is refused (400).
- once every item in `requires_passing` (`[{kind, id}]`, kind `quiz` or `assignment` of the same
  course) is passed by the student: a quiz attempt that passed, an assignment graded at or above its
  pass percent. A requirement whose item was deleted no longer holds anything back.
Quizzes and assignments are due at `due_at`, or `due_after_days` after the anchor.

A locked item shows in the curriculum with `locked: true`, `available_at` (null while only
requirements hold it) and `locked_reason` (`not_yet_available` when a time rule holds it, else
`prerequisite`); its content, attempts and submissions are refused with 403 and that code. Preview
lessons are never locked (they are shown to anyone), and nothing is locked for the course's
instructor and admins.

Dates are computed per student from the rules and the anchor, with no row per student per item.
Progress (courses.progress) of a student in a cohort leaves out the items whose time rule opens
them only after the cohort's end: they can never be done in that run. An item not yet released
but opening before the end counts as not done, so the course completes once it opened and was done.

Apps whose items may be required register their kind here (`register_kind`) in their
AppConfig.ready(), with how to tell which items a student passed; the schedules app registers the
anchor source (the cohort seat's dates)."""

import datetime
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from lms.errors import Message, NotPermitted

REQUIRABLE_KINDS = ["quiz", "assignment"]  # what requires_passing may name (the schema's RequirableKindEnum)
ITEM_KINDS = ["lesson", "quiz", "assignment"]  # what release rules apply to (ItemKindEnum)
NOT_YET_AVAILABLE = "not_yet_available"
PREREQUISITE = "prerequisite"
LOCKED_REASONS = (NOT_YET_AVAILABLE, PREREQUISITE)
MAX_DAYS = 3650
MAX_REQUIREMENTS = 20


@dataclass(frozen=True)
class Anchor:
    """Where a student's relative dates count from (`start`), and the end of their cohort's run
    (None when self-paced)."""

    start: datetime.datetime
    ends_at: datetime.datetime | None = None


@dataclass(frozen=True)
class Kind:
    model: type[models.Model]
    # passed(student_id, ids) -> the ids among `ids` the student passed (one query)
    passed: Callable[[int, set[int]], set[int]]


# source(enrollments) -> {enrollment id: (cohort starts_at, cohort ends_at)} for those seated in a cohort
AnchorSource = Callable[[Sequence], dict[int, tuple[datetime.datetime, datetime.datetime]]]

_kinds: dict[str, Kind] = {}
_anchor_sources: list[AnchorSource] = []


def register_kind(name: str, model: type[models.Model], passed: Callable[[int, set[int]], set[int]]) -> None:
    _kinds[name] = Kind(model, passed)


def register_anchor_source(source: AnchorSource) -> None:
    if source not in _anchor_sources:
        _anchor_sources.append(source)


def kinds() -> tuple[str, ...]:
    return tuple(sorted(_kinds))


def anchors_for(enrollments: Sequence) -> dict[int, Anchor]:
    """Each enrollment's anchor: its cohort seat's dates where it has one, else its enrolled_at.
    One query per registered source, for any number of enrollments."""
    seats: dict[int, tuple[datetime.datetime, datetime.datetime]] = {}
    if enrollments:
        for source in _anchor_sources:
            seats.update(source(enrollments))
    return {
        e.pk: Anchor(seats[e.pk][0], seats[e.pk][1]) if e.pk in seats else Anchor(e.enrolled_at) for e in enrollments
    }


def opens_at(item, anchor: Anchor | None) -> datetime.datetime | None:
    """When the item's time rule opens it for a student with `anchor` (None: no time rule, or a
    relative rule without an anchor)."""
    return _opening(item.available_from, item.available_after_days, anchor)


def _opening(available_from, available_after_days, anchor: Anchor | None) -> datetime.datetime | None:
    if available_from is not None:
        return available_from
    if available_after_days is not None and anchor is not None:
        return anchor.start + datetime.timedelta(days=available_after_days)
    return None


def due_for(item, anchor: Anchor | None) -> datetime.datetime | None:
    """The item's due date for a student with `anchor`: `due_at`, or `due_after_days` after the
    anchor (None without an anchor)."""
    if getattr(item, "due_at", None) is not None:
        return item.due_at
    days = getattr(item, "due_after_days", None)
    if days is not None and anchor is not None:
        return anchor.start + datetime.timedelta(days=days)
    return None


def reachable(available_from, available_after_days, anchor: Anchor | None) -> bool:
    """Whether an item with these time rules opens before the anchor's cohort ends (always for a
    self-paced student, or without an anchor)."""
    if anchor is None or anchor.ends_at is None:
        return True
    opening = _opening(available_from, available_after_days, anchor)
    return opening is None or opening <= anchor.ends_at


def left_out(enrollments: Sequence, anchors: dict[int, Anchor]) -> dict[int, set[tuple[str, int]]]:
    """For each enrollment whose student is in a cohort, the items (`(kind, id)`) its progress
    leaves out: those whose time rule opens them only after the cohort ends, and those that require
    (directly or through others) an item left out, since they cannot open in that run either.
    Preview lessons are never left out. One query per kind of item, and none when no student is in
    a cohort."""
    from .models import Lesson

    ends = {e.pk: anchors[e.pk] for e in enrollments if anchors.get(e.pk) and anchors[e.pk].ends_at}
    if not ends:
        return {}
    course_ids = {e.course_id for e in enrollments if e.pk in ends}
    items: dict[int, list[tuple]] = {}
    for name, model in {"lesson": Lesson, **{k: kind.model for k, kind in _kinds.items()}}.items():
        fields = ["course_id", "pk", "available_from", "available_after_days", "requires_passing"]
        for course_id, pk, available_from, after_days, requires, *preview in model.objects.filter(
            course_id__in=course_ids
        ).values_list(*fields, *(["is_preview"] if name == "lesson" else [])):
            needs = {(r["kind"], int(r["id"])) for r in requires or ()}
            items.setdefault(course_id, []).append(
                (name, pk, available_from, after_days, needs, bool(preview and preview[0]))
            )
    result = {}
    for enrollment in enrollments:
        if enrollment.pk not in ends:
            continue
        rows = [row for row in items.get(enrollment.course_id, ()) if not row[5]]
        out = {
            (k, pk)
            for k, pk, available_from, days, _needs, _preview in rows
            if not reachable(available_from, days, ends[enrollment.pk])
        }
        grown = True
        while grown:  # what requires an item left out is left out too
            grown = False
            for k, pk, _from, _days, needs, _preview in rows:
                if (k, pk) not in out and needs & out:
                    out.add((k, pk))
                    grown = True
        result[enrollment.pk] = out
    return result


def requirement_pairs(items: Iterable) -> dict[str, set[int]]:
    """The ids each kind's requirements name across `items`."""
    wanted: dict[str, set[int]] = {}
    for item in items:
        for requirement in item.requires_passing or ():
            wanted.setdefault(requirement["kind"], set()).add(int(requirement["id"]))
    return wanted


def has_rules(item) -> bool:
    """Whether any release rule or relative due date is set on the item."""
    return (
        item.available_from is not None
        or item.available_after_days is not None
        or bool(item.requires_passing)
        or getattr(item, "due_after_days", None) is not None
    )


@dataclass(frozen=True)
class ItemState:
    locked: bool = False
    reason: str | None = None
    available_at: datetime.datetime | None = None
    due_at: datetime.datetime | None = None


@dataclass
class Schedule:
    """How one user stands to one course's items. `anchor` None: the rules lock nothing (the
    course's staff, or a user the course's own checks already keep out)."""

    anchor: Anchor | None = None
    passed: dict[str, set[int]] = field(default_factory=dict)
    existing: dict[str, set[int]] = field(default_factory=dict)
    now: datetime.datetime = field(default_factory=timezone.now)

    @property
    def applies(self) -> bool:
        return self.anchor is not None

    def state(self, item) -> ItemState:
        if self.anchor is None:
            return ItemState(due_at=due_for(item, None))
        opening = opens_at(item, self.anchor)
        due = due_for(item, self.anchor)
        if getattr(item, "is_preview", False):
            return ItemState(available_at=opening, due_at=due)
        if opening is not None and self.now < opening:
            return ItemState(True, NOT_YET_AVAILABLE, opening, due)
        for requirement in item.requires_passing or ():
            kind, pk = requirement["kind"], int(requirement["id"])
            if pk in self.existing.get(kind, set()) and pk not in self.passed.get(kind, set()):
                return ItemState(True, PREREQUISITE, opening, due)
        return ItemState(False, None, opening, due)


def schedule_for(*, user, course, items: Iterable = (), manages: bool | None = None, enrollment=None) -> Schedule:
    """The schedule of `user` in `course` for `items` (whose requirements it looks up): open for
    those who manage the course or hold no active enrollment (the course's own checks refuse
    them). Queries: the enrollment (unless the caller passes the active one), the anchor, and per
    kind of requirement named by `items`, the existing and the passed ones."""
    from .access import can_manage_course
    from .selectors import enrollment_get_active

    items = list(items)
    if not (user and user.is_authenticated) or not any(has_rules(item) for item in items):
        return Schedule()  # no rule to apply: no query (a self-paced course without rules costs nothing)
    if manages is None:
        manages = can_manage_course(user, course)
    if manages:
        return Schedule()
    if enrollment is None:
        enrollment = enrollment_get_active(student=user, course=course)
    if enrollment is None:
        return Schedule()
    anchor = anchors_for([enrollment])[enrollment.pk]
    passed: dict[str, set[int]] = {}
    existing: dict[str, set[int]] = {}
    for kind, ids in requirement_pairs(items).items():
        if kind in _kinds:
            existing[kind] = set(
                _kinds[kind].model.objects.filter(pk__in=ids, course=course).values_list("pk", flat=True)
            )
            passed[kind] = _kinds[kind].passed(user.pk, existing[kind]) if existing[kind] else set()
    return Schedule(anchor, passed, existing)


def require_open(*, user, item, course, message: Message, enrollment=None) -> ItemState:
    """Refuses (403, code `not_yet_available` or `prerequisite`, with `available_at`) a student
    whose schedule keeps `item` locked; returns its state otherwise (its due date for them)."""
    return check_open(schedule_for(user=user, course=course, items=[item], enrollment=enrollment).state(item), message)


def check_open(state: ItemState, message: Message) -> ItemState:
    """Raises the 403 of require_open when `state` is locked; returns it otherwise. `message` is a
    sentence of its own ("This quiz is not open yet."); the detail says what opens it after it."""
    if state.locked:
        when = state.available_at
        if state.reason == NOT_YET_AVAILABLE:
            detail = _("{message} It opens at {time}.").format(message=message, time=when.isoformat())
        else:
            detail = _("{message} Pass the items it requires first.").format(message=message)
        raise NotPermitted(
            detail, code=state.reason, extra={"available_at": when.isoformat().replace("+00:00", "Z") if when else None}
        )
    return state


# --- writing the rules ------------------------------------------------------------------------------
RULE_FIELDS = ("available_from", "available_after_days", "requires_passing")


def rules_prepare(*, course, kind: str, data: dict, item=None) -> dict:
    """What a create or update service of an item of `kind` calls with its `data` before writing
    (`item` None on create): checks the rules (rules_clean) and returns `data` with
    `requires_passing` as stored (`[{kind, id}]`, ids as integers). Takes the course's row lock when
    the requirements change, so two edits cannot close a loop together."""
    from .models import Course

    if not any(name in data for name in (*RULE_FIELDS, "due_at", "due_after_days")):
        return data
    data = dict(data)
    if "requires_passing" in data:
        data["requires_passing"] = _requirements_shape(data["requires_passing"])
        Course.objects.select_for_update().filter(pk=course.pk).first()
    rules_clean(course=course, kind=kind, item_id=getattr(item, "pk", None), data=data, current=item)
    return data


def _requirements_shape(value) -> list[dict]:
    """`[{kind, id}]` as stored, from what an API body or an admin's JSON gave (400 otherwise)."""
    message = _("A list of {shape}, at most {limit}.").format(
        shape='{"kind": "quiz" or "assignment", "id": …}', limit=MAX_REQUIREMENTS
    )
    if value is None:
        return []
    if not isinstance(value, list | tuple) or len(value) > MAX_REQUIREMENTS:
        raise ValidationError({"requires_passing": [message]})
    shaped = []
    for requirement in value:
        pk = requirement.get("id") if isinstance(requirement, dict) else None
        kind = requirement.get("kind") if isinstance(requirement, dict) else None
        if kind not in ("quiz", "assignment") or not isinstance(pk, int) or isinstance(pk, bool) or pk < 1:
            raise ValidationError({"requires_passing": [message]})
        shaped.append({"kind": kind, "id": pk})
    return shaped


def rules_clean(*, course, kind: str, item_id: int | None, data: dict, current=None) -> None:
    """Checks the release fields in `data` (a create or an update of an item of `kind` in `course`,
    `current` the item before the update): a time or a number of days, not both; a due date or a
    number of days, not both; requirements naming existing quizzes or assignments of the course,
    not the item itself, at most MAX_REQUIREMENTS, and no loop among them. Raises ValidationError
    (400) naming the field. The caller holds the course's row lock, so two edits cannot close a
    loop together."""
    merged = {
        name: data[name] if name in data else getattr(current, name, None)
        for name in ("available_from", "available_after_days", "due_at", "due_after_days")
    }
    for name in ("available_after_days", "due_after_days"):
        days = data.get(name)
        if days is not None and (not isinstance(days, int) or isinstance(days, bool) or not 0 <= days <= MAX_DAYS):
            raise ValidationError({name: [_("A number of days from 0 to {max}.").format(max=MAX_DAYS)]})
    if merged["available_from"] is not None and merged["available_after_days"] is not None:
        field_name = "available_after_days" if "available_after_days" in data else "available_from"
        raise ValidationError({field_name: [_("Set available_from or available_after_days, not both.")]})
    if merged["due_at"] is not None and merged["due_after_days"] is not None:
        field_name = "due_after_days" if "due_after_days" in data else "due_at"
        raise ValidationError({field_name: [_("Set due_at or due_after_days, not both.")]})
    if "requires_passing" not in data:
        return
    requirements = data["requires_passing"] or []
    seen: set[tuple[str, int]] = set()
    for requirement in requirements:
        pair = (requirement["kind"], int(requirement["id"]))
        if pair == (kind, item_id):
            raise ValidationError({"requires_passing": [_("An item cannot require itself.")]})
        if pair in seen:
            message = _("{kind} {id} is listed twice.").format(kind=pair[0], id=pair[1])
            raise ValidationError({"requires_passing": [message]})
        seen.add(pair)
    graph = _requirement_graph(course)
    for required_kind, pk in seen:
        if (required_kind, pk) not in graph:
            message = _("There is no {kind} {id} in this course.").format(kind=required_kind, id=pk)
            raise ValidationError({"requires_passing": [message]})
    if item_id is not None and kind in _kinds:
        graph[(kind, item_id)] = seen
        if _reaches(graph, start=seen, target=(kind, item_id)):
            raise ValidationError(
                {"requires_passing": [_("These requirements would make a loop: an item would wait for itself.")]}
            )


def _requirement_graph(course) -> dict[tuple[str, int], set[tuple[str, int]]]:
    graph: dict[tuple[str, int], set[tuple[str, int]]] = {}
    for name, kind in _kinds.items():
        for pk, requirements in kind.model.objects.filter(course=course).values_list("pk", "requires_passing"):
            graph[(name, pk)] = {(r["kind"], int(r["id"])) for r in requirements or ()}
    return graph


def _reaches(graph, *, start: set, target) -> bool:
    stack, visited = list(start), set()
    while stack:
        node = stack.pop()
        if node == target:
            return True
        if node in visited:
            continue
        visited.add(node)
        stack.extend(graph.get(node, ()))
    return False
