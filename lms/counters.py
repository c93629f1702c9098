"""Stored counters: figures kept on a row so that no list ever counts (Course.lesson_count,
Post.vote_count, Coupon.reserved...). Each is registered here with the definition of its true
value, so drift can be found (`counters_drift`, doctor's counters check) and repaired
(`counters_repair`, `manage.py repair_counters`).

Apps declare their counters in `<app>/counters.py` with `register(Counter(...))`; those modules are
imported on first use, the way the admin finds admin.py (autodiscover_modules). A model field that
looks like a counter but has no definition fails lms/tests/test_counters.py, unless NOT_COUNTERS
says why it is not one.

A true value is an aggregate over one reverse relation of the row (`Count("lessons")`), so one
GROUP BY query per counter checks every row, the database compares, and only drifted rows come
back. The services that recompute a figure from scratch use the same definition through
`true_values` (courses.services.course_recount_lessons, reviews.services.course_rating_refresh).

Repair and the services running meanwhile: the services change a counter relatively
(`F("n") + 1`) or recompute it under the row's lock (ratings), in the transaction that changes the
rows counted. Repair locks a batch of drifted rows (SELECT ... FOR UPDATE, in pk order), then
recounts them in a new statement, then writes what it counted. On PostgreSQL (READ COMMITTED) a
statement sees what committed before it started, so:

- a service that changed the counter before repair took the lock still holds the row: repair waits
  for its commit, then counts its rows too;
- a service that changes it after waits for repair's commit and applies its +1 to the repaired
  value; its rows, uncommitted when repair counted, were rightly left out.

Either way no change is lost. A single `UPDATE ... SET n = (SELECT count(*) ...)` would lose one:
it waits for the lock, then counts with the snapshot taken before it waited. A conditional UPDATE
(compare and set) would not lose one either, but would leave the row drifted whenever a service
touched it meanwhile. SQLite runs one writer at a time, so nothing interleaves there."""

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.db.models import Expression, F, Func, Q
from django.utils.module_loading import autodiscover_modules


@dataclass(frozen=True)
class Figure:
    """One stored field and how to compute its true value.

    `true` is an expression over the row: aggregates of one reverse relation (every figure of a
    counter must use the same one; two relations joined would multiply the rows counted).
    `stored`, when given, is the stored field in the form the database compares with `true`
    (e.g. a decimal as whole cents). `to_stored` turns the fetched true value into the value to
    store (default: as fetched)."""

    true: Expression
    stored: Expression | None = None
    to_stored: Callable[[Any], Any] | None = None

    def value(self, fetched):
        return fetched if self.to_stored is None else self.to_stored(fetched)


@dataclass(eq=False)
class Counter:
    """Stored figures of `model` that services keep current, and their true values.

    `name` is how operators choose it (`repair_counters --counter courses.lesson_count`);
    `definition` says in words what is counted. `repaired(pks)` runs in the repair's transaction
    with the rows it changed, to invalidate what caches them (as the services do)."""

    name: str
    model: type[models.Model]
    figures: dict[str, Figure]
    definition: str
    repaired: Callable[[list], None] | None = None

    @property
    def fields(self) -> list[str]:
        return list(self.figures)

    @property
    def label(self) -> str:
        return self.model._meta.label


@dataclass(frozen=True)
class Drift:
    """A stored value that differs from its true value."""

    counter: str
    model: str  # app_label.Model
    pk: Any
    field: str
    stored: Any
    true: Any

    def __str__(self) -> str:
        return f"{self.model} {self.pk} {self.field}: {self.stored} -> {self.true}"


# Fields named like counters that are not kept current by services, and why.
NOT_COUNTERS: dict[str, str] = {
    "notifications.Announcement.recipient_count": (
        "how many students an announcement went to, recorded once when it was sent; enrollments change "
        "afterwards, so there is nothing to recount"
    ),
    "assignments.SubmissionArchive.submission_count": (
        "how many submissions went into a zip, recorded once when it was built; later submissions are not in "
        "that zip, so there is nothing to recount"
    ),
}

_registry: dict[str, Counter] = {}
_discovered = False


def register(counter: Counter) -> Counter:
    """Adds a counter (from an app's counters.py). A second counter of the same name, or a field
    that another counter already covers, is a programming error."""
    if counter.name in _registry and _registry[counter.name] is not counter:
        raise ValueError(f"A counter named {counter.name} is already registered.")
    for other in _registry.values():
        overlap = set(other.fields) & set(counter.fields)
        if other is not counter and other.model is counter.model and overlap:
            raise ValueError(f"{counter.label}.{sorted(overlap)[0]} is already counted by {other.name}.")
    for name in counter.fields:
        counter.model._meta.get_field(name)  # FieldDoesNotExist for a typo
    _registry[counter.name] = counter
    return counter


def autodiscover() -> None:
    global _discovered
    if not _discovered:
        autodiscover_modules("counters")
        _discovered = True


def counters(names: Iterable[str] | None = None) -> list[Counter]:
    """The registered counters (all, by name), or the ones named; KeyError for an unknown name."""
    autodiscover()
    if names is None:
        return [_registry[name] for name in sorted(_registry)]
    return [_registry[name] for name in names]


# --- reading --------------------------------------------------------------------------------------
def _true_alias(name: str) -> str:
    return f"true__{name}"


def _stored_alias(name: str) -> str:
    return f"stored__{name}"


def _annotated(counter: Counter, queryset: models.QuerySet | None = None) -> models.QuerySet:
    queryset = counter.model._default_manager.all() if queryset is None else queryset
    return queryset.order_by("pk").annotate(
        **{_true_alias(name): figure.true for name, figure in counter.figures.items()}
    )


def _drift_condition(counter: Counter) -> Q:
    same = Q()
    for name, figure in counter.figures.items():
        stored = _stored_alias(name) if figure.stored is not None else name
        same &= Q(**{stored: F(_true_alias(name))})
    return ~same


def drifted(counter: Counter, queryset: models.QuerySet | None = None) -> models.QuerySet:
    """The rows (of `queryset`, default all) where any figure differs from its true value, as
    dicts: pk, the stored fields and their true values (as fetched, see `Figure.to_stored`).
    One query, whatever the number of rows: the database compares."""
    stored = {_stored_alias(n): f.stored for n, f in counter.figures.items() if f.stored is not None}
    return (
        _annotated(counter, queryset)
        .alias(**stored)
        .filter(_drift_condition(counter))
        .values("pk", *counter.fields, *(_true_alias(name) for name in counter.fields))
    )


def _drifts_of_row(counter: Counter, row: dict) -> list[Drift]:
    found = []
    for name, figure in counter.figures.items():
        true = figure.value(row[_true_alias(name)])
        if row[name] != true:
            found.append(Drift(counter.name, counter.label, row["pk"], name, row[name], true))
    return found


def true_values(counter: Counter, pk) -> dict[str, Any]:
    """{field: true value} of one row, computed now in one query (the services' recounts use it)."""
    row = _annotated(counter, counter.model._default_manager.filter(pk=pk)).values(
        *(_true_alias(name) for name in counter.fields)
    )
    fetched = row.get()
    return {name: figure.value(fetched[_true_alias(name)]) for name, figure in counter.figures.items()}


def counter_drift_count(counter: Counter) -> int:
    """How many rows have drifted (one aggregate query)."""
    return drifted(counter).count()


def counters_drift(*, names: Iterable[str] | None = None, limit: int | None = None) -> Iterator[Drift]:
    """Every stored value that differs from its true value, counter by counter, rows in pk order:
    one query per counter (streamed), at most `limit` rows per counter."""
    for counter in counters(names):
        rows = drifted(counter)
        rows = rows[:limit] if limit is not None else rows.iterator(chunk_size=2000)
        for row in rows:
            yield from _drifts_of_row(counter, row)


# --- repairing ------------------------------------------------------------------------------------
def _repair_batch(counter: Counter, pks: list) -> list[Drift]:
    """Locks the rows, recounts them (a statement after the lock: see the module's docstring) and
    writes the true values of those still drifted. The caller holds a transaction."""
    model = counter.model
    locked = list(model._default_manager.select_for_update().filter(pk__in=pks).order_by("pk").values_list("pk"))
    if not locked:
        return []
    rows = list(drifted(counter, model._default_manager.filter(pk__in=pks)))
    found = [drift for row in rows for drift in _drifts_of_row(counter, row)]
    if not rows:
        return found
    fixed = []
    for row in rows:
        values = {name: figure.value(row[_true_alias(name)]) for name, figure in counter.figures.items()}
        fixed.append(model(pk=row["pk"], **values))
    model._default_manager.bulk_update(fixed, counter.fields)
    if counter.repaired is not None:
        counter.repaired([row["pk"] for row in rows])
    return found


def counters_repair(
    *,
    names: Iterable[str] | None = None,
    dry_run: bool = False,
    batch_size: int = 500,
    on_batch: Callable[[list[Drift]], None] | None = None,
) -> list[Drift]:
    """Finds drifted rows (counters_drift) and, unless `dry_run`, sets them to their true values:
    `batch_size` rows per transaction, each row locked while it is recounted and written (safe while
    the services run: see the module's docstring), caches invalidated through `Counter.repaired`.
    Rows that are right by the time they are locked are left alone. Calls on_batch(drifts) after
    each committed batch (for a dry run, once per counter). Returns what was (or would be) fixed."""
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    everything: list[Drift] = []
    for counter in counters(names):
        found = [drift for row in drifted(counter) for drift in _drifts_of_row(counter, row)]
        if dry_run:
            everything += found
            if on_batch is not None:
                on_batch(found)
            continue
        pks = sorted({drift.pk for drift in found})
        for start in range(0, len(pks), batch_size):
            with transaction.atomic():
                fixed = _repair_batch(counter, pks[start : start + batch_size])
            everything += fixed
            if on_batch is not None:
                on_batch(fixed)
    return everything


# --- expressions the app counters share -----------------------------------------------------------
class JSONCanonical(Func):
    """A stored JSON value in the form the database gives a JSON object it builds, so the two
    compare equal when their content does: PostgreSQL's jsonb already is; SQLite keeps the text
    Django wrote (with spaces), which JSON() minifies."""

    output_field = models.JSONField()

    def as_sql(self, compiler, connection, **extra_context):
        return compiler.compile(self.source_expressions[0])

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, function="JSON", **extra_context)
