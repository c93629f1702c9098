"""The documented shape of notifications (a oneOf by `type`, each with its payload's keys) and of
announcements holds for what the services really send."""

import pytest

from conftest import client_for
from courses.tests.factories import PublishedCourseFactory
from lms.tests.openapi import component, schema_errors
from notifications import services
from notifications.models import Notification, NotificationType
from notifications.tests.journey import run_journey

pytestmark = pytest.mark.django_db


def _variant(notification_type: str) -> str:
    return notification_type.title().replace("_", "") + "Notification"


def test_the_notification_schema_is_a_oneof_by_type_over_every_type():
    union = component("Notification")
    mapping = union["discriminator"]["mapping"]
    assert union["discriminator"]["propertyName"] == "type"
    assert set(mapping) == set(NotificationType.values)
    assert [ref["$ref"] for ref in union["oneOf"]] == list(mapping.values())
    for notification_type, ref in mapping.items():
        assert ref == f"#/components/schemas/{_variant(notification_type)}"
        type_enum = component(_variant(notification_type))["properties"]["type"]["$ref"].rsplit("/", 1)[1]
        assert component(type_enum)["enum"] == [notification_type]


def test_every_notification_sent_matches_the_schema_of_its_type(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run_journey()

    # Every type is sent by some service, except payment_failed (documented as free-form).
    assert set(Notification.objects.values_list("type", flat=True)) == set(NotificationType) - {"payment_failed"}
    assert Notification.objects.filter(type="forum_report", payload__has_key="comment_id").exists()
    assert Notification.objects.filter(type="forum_report").exclude(payload__has_key="comment_id").exists()
    checked = 0
    for recipient in {n.recipient for n in Notification.objects.select_related("recipient")}:
        response = client_for(recipient).get("/api/v1/notifications/", {"page_size": 100})
        assert response.status_code == 200
        assert response.json()["next"] is None
        for item in response.json()["results"]:
            assert schema_errors(item, _variant(item["type"])) == [], item
            assert schema_errors(item, "Notification") == [], item
            checked += 1
    assert checked == Notification.objects.count()


def test_a_payload_with_a_key_the_schema_lacks_fails_the_check():
    item = {
        "id": 1,
        "type": "new_review",
        "title": "A new review",
        "body": "",
        "payload": {"course_id": 1, "review_id": 2},
        "read_at": None,
        "created_at": "2026-11-30T09:00:04Z",
    }
    assert schema_errors(item, "Notification") == []
    assert schema_errors({**item, "payload": {"course_id": 1, "review_id": 2, "rating": 5}}, "Notification")
    assert schema_errors({**item, "payload": {"course_id": 1}}, "NewReviewNotification")
    assert schema_errors({**item, "type": "forum_reply"}, "Notification")


@pytest.mark.parametrize("status", ["queued", "sent"])
def test_announcements_render_their_status_as_the_documented_enum(clients, instructor, status):
    course = PublishedCourseFactory(instructor=instructor)
    announcement = services.announcement_create(course=course, author=instructor, title="Hi", body="Hello")
    if status == "sent":
        services.announcement_send(announcement_id=announcement.pk)
    response = clients["instructor"].get(f"/api/v1/courses/{course.pk}/announcements/")
    [item] = response.json()["results"]
    assert item["status"] == status
    assert schema_errors(item, "Announcement") == []
    assert schema_errors({**item, "status": "draft"}, "Announcement")
