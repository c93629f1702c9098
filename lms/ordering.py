"""Keeping ordered siblings (sections, lessons, quizzes, questions) numbered 1..n."""

from collections.abc import Sequence

from django.db.models import Max, QuerySet

from lms.errors import InvalidInput


def next_order(siblings: QuerySet) -> int:
    return (siblings.aggregate(m=Max("order"))["m"] or 0) + 1


def reorder(siblings: QuerySet, ids: Sequence[int], what: str) -> None:
    """Renumbers siblings in the order of `ids`, which must list every sibling exactly once."""
    items = {item.pk: item for item in siblings.select_for_update()}
    if len(ids) != len(set(ids)) or set(ids) != set(items):
        raise InvalidInput(
            f"`order` must list the id of every {what} exactly once.", code="invalid_order", extra={"field": "order"}
        )
    for position, pk in enumerate(ids, start=1):
        items[pk].order = position
    siblings.model.objects.bulk_update(items.values(), ["order"])


def move(item, siblings: QuerySet, order: int) -> None:
    """Puts `item` at 1-based position `order` among its siblings and renumbers them all."""
    ordered = [s.pk for s in siblings.exclude(pk=item.pk).order_by("order", "id")]
    position = max(1, min(order, len(ordered) + 1))
    ordered.insert(position - 1, item.pk)
    reorder(siblings, ordered, siblings.model._meta.verbose_name)
