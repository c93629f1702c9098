"""What webhooks hold about a person: the endpoints they own (exported; kept without an owner on
erasure) and events about them in the outbox (deleted on erasure, so no receiver gets them after)."""

import pytest

from accounts.tests.factories import StudentFactory
from lms.events import publish
from privacy import registry
from webhooks import privacy
from webhooks.models import Delivery, Endpoint, Event

pytestmark = pytest.mark.django_db


def test_registered_for_export_and_erasure():
    assert any(e.name == "webhooks" and Endpoint in e.models for e in registry.exporters())
    assert any(e.name == "webhooks" and Endpoint in e.models for e in registry.erasers())
    assert "webhooks.Endpoint" not in registry.uncovered()["export"] + registry.uncovered()["erase"]


def test_the_export_lists_the_endpoints_the_person_owns_without_their_secret(make_endpoint, admin_user):
    endpoint = make_endpoint("https://93.184.215.14/hooks", events=["user.created"], description="CRM")
    data = privacy.export(admin_user)
    assert data == {
        "webhook_endpoints": [
            {
                "id": endpoint.pk,
                "url": "https://93.184.215.14/hooks",
                "description": "CRM",
                "events": ["user.created"],
                "is_active": True,
                "created_at": data["webhook_endpoints"][0]["created_at"],
                "disabled_at": None,
            }
        ]
    }
    assert endpoint.secret not in str(data)
    assert privacy.export(StudentFactory()) == {"webhook_endpoints": []}


def test_erasure_keeps_the_endpoints_without_their_owner_and_deletes_events_about_the_person(
    make_endpoint, admin_user, student
):
    endpoint = make_endpoint("https://93.184.215.14/hooks", events=["user.created"])
    other = StudentFactory()
    publish("user.created", student)
    publish("user.created", other)

    privacy.ERASER.erase(admin_user)
    privacy.ERASER.erase(student)
    privacy.ERASER.erase(student)  # idempotent

    endpoint.refresh_from_db()
    assert endpoint.created_by is None and endpoint.is_active
    assert [e.data["user_id"] for e in Event.objects.all()] == [other.pk]
    assert Delivery.objects.count() == 1
