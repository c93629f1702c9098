"""The documented shape of activity events (a oneOf by `verb`, each with its metadata's keys) holds
for what the services really record."""

import pytest

from activity.models import ActivityEvent, Verb
from activity.tests.helpers import ACTIVITY
from lms.tests.openapi import component, schema_errors
from notifications.tests.journey import run_journey

pytestmark = pytest.mark.django_db


def _variant(verb: str) -> str:
    return verb.title().replace("_", "") + "Event"


def test_the_event_schema_is_a_oneof_by_verb_over_every_verb():
    union = component("ActivityEvent")
    mapping = union["discriminator"]["mapping"]
    assert union["discriminator"]["propertyName"] == "verb"
    assert set(mapping) == set(Verb.values)
    for verb, ref in mapping.items():
        assert ref == f"#/components/schemas/{_variant(verb)}"
        verb_enum = component(_variant(verb))["properties"]["verb"]["$ref"].rsplit("/", 1)[1]
        assert component(verb_enum)["enum"] == [verb]


def test_every_event_recorded_matches_the_schema_of_its_verb(clients, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run_journey()

    assert set(ActivityEvent.objects.values_list("verb", flat=True)) == set(Verb)
    items, url = [], ACTIVITY
    while url:
        response = clients["admin"].get(url, {"page_size": 100} if url == ACTIVITY else None)
        assert response.status_code == 200
        items += response.json()["results"]
        url = response.json()["next"]
    assert len(items) == ActivityEvent.objects.count()
    for item in items:
        assert schema_errors(item, _variant(item["verb"])) == [], item
        assert schema_errors(item, "ActivityEvent") == [], item


def test_metadata_the_schema_lacks_fails_the_check():
    item = {
        "id": 9,
        "actor": None,
        "verb": "review_created",
        "target": {"type": "review", "id": "2"},
        "course": 1,
        "metadata": {"rating": 4},
        "ip": None,
        "user_agent": "",
        "created_at": "2026-11-30T11:20:00Z",
    }
    assert schema_errors(item, "ActivityEvent") == []
    assert schema_errors({**item, "metadata": {"rating": 4, "comment": "x"}}, "ActivityEvent")
    assert schema_errors({**item, "metadata": {}}, "ReviewCreatedEvent")
    assert schema_errors({**item, "verb": "user_logged_in"}, "UserLoggedInEvent")
    assert schema_errors({**item, "verb": "user_logged_in", "metadata": {}}, "ActivityEvent") == []
