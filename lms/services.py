"""Write helpers shared by every app's services (HackSoft-Example's common/services.py)."""

from collections.abc import Callable
from typing import Any, TypeVar

from django.db.models import Model, QuerySet

M = TypeVar("M", bound=Model)


def model_update(*, instance: M, fields: list[str] | tuple[str, ...], data: dict[str, Any]) -> tuple[M, bool]:
    """Sets each of `fields` present in `data` on `instance` and saves only those that changed
    (plus `updated_at` when the model has one). Returns the instance and whether anything changed.
    The caller validates `data` (an input serializer did) and holds whatever lock the change needs;
    nothing here checks who may write."""
    changed = []
    for field in fields:
        if field in data and getattr(instance, field) != data[field]:
            setattr(instance, field, data[field])
            changed.append(field)
    if changed:
        if any(f.name == "updated_at" for f in instance._meta.concrete_fields):
            changed.append("updated_at")
        instance.save(update_fields=changed)
    return instance, bool(changed)


def delete_in_batches(queryset: QuerySet, *, batch_size: int, on_batch: Callable[[int], None] | None = None) -> int:
    """Deletes the rows of `queryset` `batch_size` at a time (a short statement each, no long table
    lock), calling `on_batch(deleted)` after each (a progress bar). Returns how many were deleted.
    For rows nobody changes once written (logs): the caller takes no lock."""
    deleted = 0
    while True:
        ids = list(queryset.values_list("pk", flat=True)[:batch_size])
        if not ids:
            return deleted
        batch = queryset.model.objects.filter(pk__in=ids).delete()[0]
        deleted += batch
        if on_batch is not None:
            on_batch(batch)
