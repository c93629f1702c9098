"""The catalogue of domain events (lms.events) stays true to the code: every type is published by a
service, and every publish() names a type of the catalogue (the webhooks' event list and README table
are built from it)."""

import ast
from pathlib import Path

import pytest
from django.conf import settings

from lms import events

APPS = ("accounts", "courses", "payments", "certificates", "reviews", "assignments", "schedules", "quizzes")


def published_types() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for app in APPS:
        for path in sorted(Path(settings.BASE_DIR, app).rglob("*.py")):
            if "tests" in path.parts or "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
                if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "publish" and node.args:
                    first = node.args[0]
                    assert isinstance(first, ast.Constant), f"{path}:{node.lineno}: publish() takes a literal type"
                    found.setdefault(first.value, []).append(f"{path.relative_to(settings.BASE_DIR)}:{node.lineno}")
    return found


def test_every_event_type_is_published_and_every_publish_is_catalogued():
    found = published_types()
    assert set(found) - set(events.EVENT_TYPES) == set(), "publish() of a type missing from lms.events.EVENT_TYPES"
    assert set(events.EVENT_TYPES) - set(found) == set(), "a catalogued event type that no service publishes"


def test_publish_refuses_an_unknown_type_and_calls_each_subscriber(monkeypatch):
    heard = []
    monkeypatch.setattr(events, "_subscribers", [lambda kind, subject: heard.append((kind, subject))])
    events.publish("review.created", "the review")
    assert heard == [("review.created", "the review")]
    with pytest.raises(ValueError, match="unknown event type"):
        events.publish("review.deleted", "the review")
    assert len(heard) == 1
