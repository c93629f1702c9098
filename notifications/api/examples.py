"""Example bodies for the schema (notifications, preferences, announcements), copied from real
responses."""

from courses.api.examples import INSTRUCTOR

NOTIFICATION = {
    "id": 6,
    "type": "announcement",
    "title": "Lesson 3 is out",
    "body": "Control flow is now live: start with 'If and else'.",
    "payload": {"course_id": 1, "announcement_id": 1},
    "read_at": None,
    "created_at": "2026-11-30T09:00:04Z",
}
PREFERENCES = {
    "preferences": [
        {"type": "enrollment_confirmed", "label": "You enrolled in a course", "in_app": True, "email": True},
        {"type": "announcement", "label": "Announcements from your instructors", "in_app": True, "email": False},
    ]
}
ANNOUNCEMENT_INPUT = {"title": "Lesson 3 is out", "body": "Control flow is now live: start with 'If and else'."}
ANNOUNCEMENT = {
    "id": 1,
    "course": 1,
    "author": INSTRUCTOR,
    **ANNOUNCEMENT_INPUT,
    "status": "sent",
    "recipient_count": 42,
    "created_at": "2026-11-30T09:00:00Z",
    "sent_at": "2026-11-30T09:00:04Z",
}
QUEUED_ANNOUNCEMENT = {**ANNOUNCEMENT, "status": "queued", "recipient_count": 0, "sent_at": None}
UNREAD_COUNT = {"count": 2}
READ_NOTIFICATION = {**NOTIFICATION, "read_at": "2026-11-30T12:01:09Z"}
MARKED_READ = {"updated": 3}
PREFERENCES_PATCH = {"preferences": [{"type": "announcement", "in_app": True, "email": False}]}
