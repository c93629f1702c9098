"""Who may do what with a course, in one place. The predicates are the rules; `course_for`,
`section_for`, `lesson_for`, `category_for` and `enrollment_for` fetch an object by the id a client
sent and authorize the caller in one call (lms.access). Views resolve objects through them, and
services re-check with the predicates, so a caller that forgets is still refused.

The needs, from least to most:
- "read": the course is visible to the user (course_list_for_user): published, their own, one they
  hold an active enrollment in, or any course for admins. Otherwise it does not exist for them: 404.
- "learn": read, and they may open its content (lessons, quizzes, forum): an active enrollment, or
  they manage it. Otherwise 403 `not_enrolled`.
- "manage": read, and they may change it and read what only its staff reads (results, coupons,
  announcements): its instructor while they hold the instructor role, or an admin. Otherwise 403
  `not_course_staff`.

Sections and lessons have the needs of their course (404 when the course is hidden from the user).
Categories: "read" is anyone; "manage" (rename, delete) is admins only, 403 `not_admin`.
`enrollment_for` is the caller's own active enrollment in a course they see (403 `not_enrolled`).
"""

from typing import Literal, NamedTuple

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.roles import is_admin, is_instructor
from lms.access import check_need, object_or_404
from lms.errors import Message, NotPermitted

from .models import Category, Course, Enrollment, Lesson, Section
from .selectors import course_visible_q, enrollment_active_exists, enrollment_get_active

Need = Literal["read", "learn", "manage"]
NEEDS: tuple[Need, ...] = ("read", "learn", "manage")

LEARN_DENIED = _("Enroll in this course to open it.")
MANAGE_DENIED = _("Only the course's instructor or an admin can do this.")
CHANGE_DENIED = _("Only the course's instructor or an admin can change it.")
ADMIN_DENIED = _("Only an administrator can do this.")
NOT_ENROLLED = _("You are not enrolled in this course.")

CategoryNeed = Literal["read", "manage"]
CATEGORY_NEEDS: tuple[CategoryNeed, ...] = ("read", "manage")


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


def course_require(user, course: Course, *, need: Need, message: Message | None = None) -> Course:
    """Checks `need` (beyond "read") on a course already in hand, e.g. the course of a post or a
    quiz. Raises NotPermitted; returns the course."""
    check_need(need, NEEDS)
    if need == "learn" and not can_read_content(user, course):
        raise NotPermitted(message or LEARN_DENIED, code="not_enrolled")
    if need == "manage" and not can_manage_course(user, course):
        raise NotPermitted(message or MANAGE_DENIED, code="not_course_staff")
    return course


def course_actor_require(actor, course: Course, *, message: Message | None = None) -> None:
    """The write services' re-check that `actor` manages the course (403 `not_course_staff`);
    `actor` None is the platform itself (a task, a command, the seed), which may."""
    if actor is not None:
        course_require(actor, course, need="manage", message=message)


def course_for(
    user, course_id, *, need: Need = "read", message: Message | None = None, queryset: QuerySet[Course] | None = None
) -> Course:
    """The course `course_id` as `user` may use it for `need` (see the module docstring): 404 when
    they may not see it, 403 (with `message` when given) when they see it but lack the need.
    `queryset` adds loading (select_related, prefetch, annotations); visibility is applied to it."""
    check_need(need, NEEDS)
    queryset = Course.objects.all() if queryset is None else queryset
    course = object_or_404(queryset.filter(course_visible_q(user)), course_id)
    return course_require(user, course, need=need, message=message)


def section_for(
    user, section_id, *, need: Need = "read", message: Message | None = None, queryset: QuerySet[Section] | None = None
) -> Section:
    """The section `section_id` (its course loaded) as `user` may use it for `need`: the needs of
    its course. 404 when the course is hidden from them; 403 (for "manage": `message`, or "Only the
    course's instructor or an admin can change it.") when they lack the need."""
    check_need(need, NEEDS)
    queryset = (Section.objects.all() if queryset is None else queryset).select_related("course")
    section = object_or_404(queryset.filter(course__in=Course.objects.filter(course_visible_q(user))), section_id)
    course_require(user, section.course, need=need, message=message or _change_message(need))
    return section


def lesson_for(
    user, lesson_id, *, need: Need = "read", message: Message | None = None, queryset: QuerySet[Lesson] | None = None
) -> Lesson:
    """The lesson `lesson_id` (its course and section loaded) as `user` may use it for `need`: the
    needs of its course, as section_for. Whether its content is shown is `course_audience`'s
    business (a preview is shown to anyone who sees the course)."""
    check_need(need, NEEDS)
    queryset = (Lesson.objects.all() if queryset is None else queryset).select_related("course", "section")
    lesson = object_or_404(queryset.filter(course__in=Course.objects.filter(course_visible_q(user))), lesson_id)
    course_require(user, lesson.course, need=need, message=message or _change_message(need))
    return lesson


def category_for(user, category_id, *, need: CategoryNeed = "read") -> Category:
    """The category `category_id`: anyone reads it (404 when there is none); only admins manage it
    (403 `not_admin`)."""
    check_need(need, CATEGORY_NEEDS)
    category = object_or_404(Category.objects.all(), category_id)
    if need == "manage" and not is_admin(user):
        raise NotPermitted(ADMIN_DENIED, code="not_admin")
    return category


def enrollment_for(user, course_id) -> Enrollment:
    """The caller's own active enrollment in the course `course_id` (its course loaded): 404 when
    they may not see the course, 403 `not_enrolled` when they hold no active enrollment in it (its
    staff included: they are not enrolled)."""
    course = course_for(user, course_id)
    enrollment = enrollment_get_active(student=user, course=course) if user.is_authenticated else None
    if enrollment is None:
        raise NotPermitted(NOT_ENROLLED, code="not_enrolled")
    enrollment.course = course
    return enrollment


class Audience(NamedTuple):
    """How a user who may read a course stands to it."""

    manages: bool
    enrolled: bool

    @property
    def content_visible(self) -> bool:
        """Lesson content and videos are shown (can_read_content)."""
        return self.manages or self.enrolled


def course_audience(user, course: Course) -> Audience:
    """Whether `user` manages the course and whether they hold an active enrollment in it, for a
    view that renders it differently for them (content, `is_enrolled`, what may be cached)."""
    if not (user and user.is_authenticated):
        return Audience(manages=False, enrolled=False)
    return Audience(
        manages=can_manage_course(user, course), enrolled=enrollment_active_exists(student=user, course=course)
    )


def sees_public_course_page(user, *, course_id: int, instructor_id: int) -> bool:
    """Whether `user` gets the page every outsider gets (no content, not enrolled), so a cached copy
    may answer them: anonymous users, and signed-in users who are not an admin, not the course's
    (current or former) instructor and not enrolled in it."""
    if not (user and user.is_authenticated):
        return True
    if is_admin(user) or user.pk == instructor_id:
        return False
    return not enrollment_active_exists(student=user, course=course_id)


def _change_message(need: Need) -> Message | None:
    return CHANGE_DENIED if need == "manage" else None
