"""Keeping ordered siblings (sections, lessons, quizzes, questions) numbered 1..n."""

from collections.abc import Sequence

from django.db.models import Max, QuerySet
from django.utils.translation import gettext_lazy as _

from lms.errors import InvalidInput


def next_order(siblings: QuerySet) -> int:
    return (siblings.aggregate(m=Max("order"))["m"] or 0) + 1


# One whole sentence per kind of sibling (by model name), so each translates with its own grammar.
INCOMPLETE_ORDER = {
    "section": _("`order` must list the id of every section exactly once."),
    "lesson": _("`order` must list the id of every lesson exactly once."),
    "quiz": _("`order` must list the id of every quiz exactly once."),
    "question": _("`order` must list the id of every question exactly once."),
}
INCOMPLETE_ORDER_OTHER = _("`order` must list the id of every item exactly once.")


def reorder(siblings: QuerySet, ids: Sequence[int], what: str = "") -> None:
    """Renumbers siblings in the order of `ids`, which must list every sibling exactly once. The
    refusal names the siblings' kind (their model; `what` is no longer needed)."""
    items = {item.pk: item for item in siblings.select_for_update()}
    if len(ids) != len(set(ids)) or set(ids) != set(items):
        message = INCOMPLETE_ORDER.get(siblings.model._meta.model_name, INCOMPLETE_ORDER_OTHER)
        raise InvalidInput(message, code="invalid_order", extra={"field": "order"})
    for position, pk in enumerate(ids, start=1):
        items[pk].order = position
    siblings.model.objects.bulk_update(items.values(), ["order"])


def move(item, siblings: QuerySet, order: int) -> None:
    """Puts `item` at 1-based position `order` among its siblings and renumbers them all."""
    ordered = [s.pk for s in siblings.exclude(pk=item.pk).order_by("order", "id")]
    position = max(1, min(order, len(ordered) + 1))
    ordered.insert(position - 1, item.pk)
    reorder(siblings, ordered)
