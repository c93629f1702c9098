"""Write helpers shared by every app's services (HackSoft-Example's common/services.py)."""

from typing import Any, TypeVar

from django.db.models import Model

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
