"""Every notifications route answers 401 to an anonymous caller."""

import pytest

from courses.tests.factories import PublishedCourseFactory
from notifications.models import Announcement, NotificationPreference
from notifications.tests.api.helpers import (
    NOTIFICATIONS,
    PREFERENCES,
    READ_ALL,
    UNREAD_COUNT,
    announcements_url,
    give,
    read_url,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", NOTIFICATIONS),
        ("get", UNREAD_COUNT),
        ("post", READ_ALL),
        ("get", PREFERENCES),
        ("patch", PREFERENCES),
        ("post", "notification-read"),
        ("get", "announcements"),
        ("post", "announcements"),
    ],
)
def test_anonymous_gets_401_everywhere(clients, student, instructor, method, path):
    course = PublishedCourseFactory(instructor=instructor)
    (notification,) = give(student)
    path = {"notification-read": read_url(notification), "announcements": announcements_url(course)}.get(path, path)
    body = {"preferences": [{"type": "announcement", "email": False}]} if method == "patch" else {}
    if path == announcements_url(course) and method == "post":
        body = {"title": "Hello", "body": "World"}

    response = getattr(clients["anonymous"], method)(path, body, format="json")

    assert response.status_code == 401
    notification.refresh_from_db()
    assert notification.read_at is None
    assert not NotificationPreference.objects.exists()
    assert not Announcement.objects.exists()
