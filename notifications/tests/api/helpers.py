"""Shared by the notifications API tests: the routes and a way to fill an inbox."""

from notifications import services
from notifications.models import Notification, NotificationType

NOTIFICATIONS = "/api/v1/notifications/"
UNREAD_COUNT = "/api/v1/notifications/unread-count/"
READ_ALL = "/api/v1/notifications/read-all/"
PREFERENCES = "/api/v1/notifications/preferences/"
SIGNED_IN = ("student", "other_student", "instructor", "other_instructor", "admin")


def read_url(notification) -> str:
    return f"{NOTIFICATIONS}{notification.pk}/read/"


def announcements_url(course) -> str:
    return f"/api/v1/courses/{course.pk}/announcements/"


def give(user, count: int = 1, type: str = NotificationType.ANNOUNCEMENT, prefix: str = "Note") -> list[Notification]:
    """`count` notifications for `user`, through the service, oldest first."""
    for n in range(count):
        services.notify(recipients=[user], type=type, title=f"{prefix} {n}", body="Body", payload={"n": n})
    return list(Notification.objects.filter(recipient=user).order_by("id"))


def result_ids(response) -> list[int]:
    return [item["id"] for item in response.data["results"]]
