"""What each app holds about a person, and how to export and erase it (README "Privacy").

Every app that stores rows pointing at a user registers, in its AppConfig.ready():

- an Exporter: `name` (its file in the export zip: `<name>.json`), the `models` it covers, `export(user)`
  returning JSON-able data (a dict of lists of rows, read through the app's own selectors), `describe`
  (field -> what it means, for the zip's README.txt) and, when the person has files, `files(user)`
  yielding `(path in the zip, storage key)`;
- an Eraser: `name`, the `models` it covers, `erase(user)` (idempotent: a second run, or a run after
  a worker died half way, finds nothing left to do) and `policy` (field -> what erasure does to it,
  for the README's table). Erasers run in `order` (lower first); accounts runs last.

`privacy/tests/test_registry.py` fails for any model with a foreign key to the user model that no
exporter and no eraser covers (or that is registered exempt, with the reason), so a new app cannot
forget its data. This module imports no app: apps import it."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.conf import settings


@dataclass(frozen=True)
class Exporter:
    name: str
    models: tuple
    export: Callable[[Any], dict]
    describe: dict[str, str] = field(default_factory=dict)
    files: Callable[[Any], Iterable[tuple[str, str]]] | None = None


@dataclass(frozen=True)
class Eraser:
    name: str
    models: tuple
    erase: Callable[[Any], None]
    policy: dict[str, str] = field(default_factory=dict)
    order: int = 100


_exporters: dict[str, Exporter] = {}
_erasers: dict[str, Eraser] = {}
_exempt: dict[str, str] = {}


def register_exporter(exporter: Exporter) -> None:
    _exporters[exporter.name] = exporter


def register_eraser(eraser: Eraser) -> None:
    _erasers[eraser.name] = eraser


def register_exempt(model, reason: str) -> None:
    """A model with a user link that holds nothing to export or erase about that user (the reason
    is shown by the coverage test and the README)."""
    _exempt[model._meta.label] = reason


def exporters() -> list[Exporter]:
    return sorted(_exporters.values(), key=lambda e: e.name)


def erasers() -> list[Eraser]:
    return sorted(_erasers.values(), key=lambda e: (e.order, e.name))


def exempt() -> dict[str, str]:
    return dict(_exempt)


def user_linked_models() -> list:
    """Every installed model with a foreign key, one-to-one or many-to-many field to the user model."""
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    return [
        model
        for model in apps.get_models()
        if any(f.is_relation and f.related_model is user_model for f in model._meta.concrete_fields)
        or any(f.related_model is user_model for f in model._meta.many_to_many)
    ]


def uncovered() -> dict[str, list[str]]:
    """{"export": [labels], "erase": [labels]}: user-linked models no exporter / eraser covers."""
    exported = {m._meta.label for e in _exporters.values() for m in e.models}
    erased = {m._meta.label for e in _erasers.values() for m in e.models}
    linked = [m._meta.label for m in user_linked_models() if m._meta.label not in _exempt]
    return {
        "export": sorted(label for label in linked if label not in exported),
        "erase": sorted(label for label in linked if label not in erased),
    }
