"""Who may do what with a course, in one place. The predicates are the rules; `course_for` fetches a
course by the id a client sent and authorizes the caller in one call (lms.access). Views resolve
courses through it, and services re-check with the predicates, so a caller that forgets is still
refused.

The needs, from least to most:
- "read": the course is visible to the user (course_list_for_user): published, their own, one they
  hold an active enrollment in, or any course for admins. Otherwise it does not exist for them: 404.
- "learn": read, and they may open its content (lessons, quizzes, forum): an active enrollment, or
  they manage it. Otherwise 403 `not_enrolled`.
- "manage": read, and they may change it and read what only its staff reads (results, coupons,
  announcements): its instructor while they hold the instructor role, or an admin. Otherwise 403
  `not_course_staff`.
"""

from typing import Literal

from django.db.models import QuerySet

from accounts.roles import is_admin, is_instructor
from lms.access import check_need, object_or_404
from lms.errors import NotPermitted

from .models import Course
from .selectors import course_visible_q, enrollment_active_exists

Need = Literal["read", "learn", "manage"]
NEEDS: tuple[Need, ...] = ("read", "learn", "manage")

LEARN_DENIED = "Enroll in this course to open it."
MANAGE_DENIED = "Only the course's instructor or an admin can do this."


def can_manage_course(user, course: Course) -> bool:
    """Admins, and the course's instructor while they hold the instructor role. A demoted
    instructor's courses are frozen until an admin reassigns them (services.course_reassign)."""
    return is_admin(user) or (is_instructor(user) and course.instructor_id == user.pk)


def is_course_instructor(user, course: Course) -> bool:
    """Whether `user` is (or was, before a demotion) the course's instructor, whatever their role
    now: such a user never enrolls in, buys or reviews it."""
    return bool(user and user.is_authenticated and course.instructor_id == user.pk)


def can_read_content(user, course: Course) -> bool:
    """Full content (lessons, quizzes, the forum): those who manage the course and students with an
    active enrollment."""
    if not (user and user.is_authenticated):
        return False
    return can_manage_course(user, course) or enrollment_active_exists(student=user, course=course)


def course_require(user, course: Course, *, need: Need, message: str | None = None) -> Course:
    """Checks `need` (beyond "read") on a course already in hand, e.g. the course of a post or a
    quiz. Raises NotPermitted; returns the course."""
    check_need(need, NEEDS)
    if need == "learn" and not can_read_content(user, course):
        raise NotPermitted(message or LEARN_DENIED, code="not_enrolled")
    if need == "manage" and not can_manage_course(user, course):
        raise NotPermitted(message or MANAGE_DENIED, code="not_course_staff")
    return course


def course_for(
    user, course_id, *, need: Need = "read", message: str | None = None, queryset: QuerySet[Course] | None = None
) -> Course:
    """The course `course_id` as `user` may use it for `need` (see the module docstring): 404 when
    they may not see it, 403 (with `message` when given) when they see it but lack the need.
    `queryset` adds loading (select_related, prefetch, annotations); visibility is applied to it."""
    check_need(need, NEEDS)
    queryset = Course.objects.all() if queryset is None else queryset
    course = object_or_404(queryset.filter(course_visible_q(user)), course_id)
    return course_require(user, course, need=need, message=message)
