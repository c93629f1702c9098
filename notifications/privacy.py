"""What notifications holds about a person, for privacy's export and erasure (privacy.registry):
their inbox, the channels they chose, and the announcements they wrote to their students.

Erasure deletes the inbox and the choices, and takes their name out of other people's notifications
that name them (notifications.services.notifications_erase_for_user); announcements stay as course
content, their author then reading "Deleted user" and their name in the text replaced by it."""

from privacy.registry import Eraser, Exporter

from .models import Announcement, Notification, NotificationPreference
from .selectors import (
    announcement_list_by_author,
    notification_list_for_user,
    notification_preference_list_for_user,
)
from .services import notifications_erase_for_user


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def notifications_export(user) -> dict:
    """The person's notifications (oldest first), channel choices and announcements, as JSON-able
    rows. Three queries."""
    return {
        "notifications": [
            {
                "id": notification.pk,
                "type": notification.type,
                "title": notification.title,
                "body": notification.body,
                "payload": notification.payload,
                "read_at": _iso(notification.read_at),
                "created_at": _iso(notification.created_at),
            }
            for notification in notification_list_for_user(user=user).reverse()
        ],
        "preferences": [
            {
                "type": preference.type,
                "in_app": preference.in_app,
                "email": preference.email,
                "updated_at": _iso(preference.updated_at),
            }
            for preference in notification_preference_list_for_user(user=user)
        ],
        "announcements": [
            {
                "id": announcement.pk,
                "course_id": announcement.course_id,
                "title": announcement.title,
                "body": announcement.body,
                "created_at": _iso(announcement.created_at),
                "sent_at": _iso(announcement.sent_at),
                "recipient_count": announcement.recipient_count,
            }
            for announcement in announcement_list_by_author(user=user)
        ],
    }


def notifications_erase(user) -> None:
    """notifications.services.notifications_erase_for_user: idempotent (see the service)."""
    notifications_erase_for_user(user=user)


EXPORTER = Exporter(
    name="notifications",
    models=(Notification, NotificationPreference, Announcement),
    export=notifications_export,
    describe={
        "notifications": "The notifications in your inbox, as they were shown to you.",
        "notifications.type": "What the notification was about (e.g. enrollment_confirmed, payment_succeeded, "
        "forum_reply); the same types as your preferences.",
        "notifications.payload": "The ids of the things it links to (a course, an order, a forum post).",
        "notifications.read_at": "When you marked it read (null: unread).",
        "preferences": "The notification types whose channels you changed; the others use the defaults.",
        "preferences.in_app": "Whether notifications of this type appear in your inbox.",
        "preferences.email": "Whether they are also sent to you by e-mail.",
        "announcements": "The announcements you wrote, as an instructor, to the students of your courses.",
        "announcements.sent_at": "When it was delivered (null: not yet).",
        "announcements.recipient_count": "How many students it was delivered to.",
    },
)

ERASER = Eraser(
    name="notifications",
    models=(Notification, NotificationPreference, Announcement),
    erase=notifications_erase,
    # Late, after the apps whose erasure may still notify the person (a revoke, a settled order),
    # before accounts (1000), whose name for the person it still needs.
    order=940,
    policy={
        "Notification (to the person)": "deleted",
        "NotificationPreference": "deleted",
        "Notification.title, .body (to others, naming the person)": "kept, pseudonymised: in notifications about "
        "the person (payload student_id: an enrollment, a submission) or copying their announcement, their name "
        'and e-mail address are replaced with "Deleted user" in the reader\'s language',
        "Announcement.author": "kept, pseudonymised: course content its students received; the author reads "
        '"Deleted user"',
        "Announcement.title, .body": "kept: course content written for its students; the author's name in them "
        '(a signature) is replaced with "Deleted user"',
    },
)
