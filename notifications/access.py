"""Who may do what with a notification or a course's announcements, in one place. The helpers fetch
by the id a client sent and authorize the caller in one call; the services re-check with the
predicates below, so a caller that forgets is still refused.

Notifications, needs:
- "own" (the only one): the notification's recipient. Anyone else, admins included: 404 (an
  inbox is private, and a notification's existence is nobody else's business).

A course's announcements (`announcement_course_for`), needs:
- "read": the course is visible to them (else 404) and they may open its content
  (courses.access "learn": enrolled students, its instructor, admins); else 403 `not_enrolled`.
- "announce": the course is visible to them (else 404) and they are its own instructor, while they
  hold the instructor role (an admin who is the course's instructor too); else 403
  `not_course_instructor`. Admins manage every course but do not speak in its instructor's name.
"""

from typing import Literal

from django.utils.translation import gettext_lazy as _

from courses.access import can_manage_course, course_for
from courses.models import Course
from lms.access import check_need, object_or_404
from lms.errors import NotPermitted

from .models import Notification
from .selectors import notification_list_for_user

NotificationNeed = Literal["own"]
NOTIFICATION_NEEDS: tuple[NotificationNeed, ...] = ("own",)
AnnouncementNeed = Literal["read", "announce"]
ANNOUNCEMENT_NEEDS: tuple[AnnouncementNeed, ...] = ("read", "announce")

READ_DENIED = _("Only enrolled students can read announcements.")
ANNOUNCE_DENIED = _("Only the course's instructor can make announcements.")


def can_announce(user, course: Course) -> bool:
    """The course's own instructor, while they may manage it (a demoted instructor may not)."""
    return can_manage_course(user, course) and course.instructor_id == user.pk


def is_recipient(user, notification: Notification) -> bool:
    return bool(user and user.is_authenticated) and notification.recipient_id == user.pk


def notification_for(user, notification_id, *, need: NotificationNeed = "own") -> Notification:
    """The notification `notification_id` when `user` is its recipient; otherwise 404."""
    check_need(need, NOTIFICATION_NEEDS)
    return object_or_404(notification_list_for_user(user=user), notification_id)


def announcement_course_for(user, course_id, *, need: AnnouncementNeed = "read") -> Course:
    """The course `course_id`, for reading (`need="read"`) or making (`"announce"`) its
    announcements (see the module docstring): 404 when they may not see it, 403 otherwise."""
    check_need(need, ANNOUNCEMENT_NEEDS)
    if need == "read":
        return course_for(user, course_id, need="learn", message=READ_DENIED)
    course = course_for(user, course_id)
    if not can_announce(user, course):
        raise NotPermitted(ANNOUNCE_DENIED, code="not_course_instructor")
    return course
