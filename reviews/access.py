"""Who may do what with a course's reviews, in one place. The predicates are the rules;
`review_for` and `reply_for` fetch the review a client named by its id and authorize the caller in
one call (lms.access). Views resolve reviews through them, and reviews.services re-checks with the
predicates, so a caller that forgets is still refused.

Reviews (`review_for`), a review existing for a user (otherwise 404) when its course is visible to
them (courses.access "read") and it counts (its author holds an active enrollment, or it counted
when its author's account was erased), or it is their own, or they are an admin
(reviews.selectors.review_list_for_user):
- "read": nothing more.
- "edit": they wrote it: 403 `not_author`, "Only the author can edit a review." (Admins edit
  reviews in the admin site, not the API.)
- "delete": they wrote it, or they are an admin: 403 `not_author`.
- "reply": they may answer it (may_reply: the course's instructor while they hold the instructor
  role): 403 `not_course_instructor`.

The instructor's reply (`reply_for`, by its review's id, as the URL names it):
- "manage" (edit, delete): they may answer the review: 403 `not_course_instructor`, "Only the
  course's instructor manages replies to its reviews."; 404 when the review has no reply."""

from typing import Literal

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.roles import is_admin
from courses.access import can_manage_course
from courses.models import Course
from lms.access import check_need, object_or_404
from lms.errors import NotFound, NotPermitted

from .models import InstructorReply, Review
from .selectors import review_list_for_user

ReviewNeed = Literal["read", "edit", "delete", "reply"]
REVIEW_NEEDS: tuple[ReviewNeed, ...] = ("read", "edit", "delete", "reply")
ReplyNeed = Literal["manage"]
REPLY_NEEDS: tuple[ReplyNeed, ...] = ("manage",)

EDIT_DENIED = _("Only the author can edit a review.")
DELETE_DENIED = _("Only the author or an admin can delete a review.")
REPLY_DENIED = _("Only the course's instructor can reply to its reviews.")
MANAGE_REPLY_DENIED = _("Only the course's instructor manages replies to its reviews.")


def is_author(user, review: Review) -> bool:
    return bool(user and user.is_authenticated and review.student_id == user.pk)


def may_delete(user, review: Review) -> bool:
    return is_author(user, review) or is_admin(user)


def may_reply(user, course: Course) -> bool:
    """Replies are the course's instructor's, while they hold the instructor role (a demoted
    instructor's course is frozen: courses.access.can_manage_course). Admins manage the course but
    do not answer for its instructor."""
    return bool(user and user.is_authenticated) and course.instructor_id == user.pk and can_manage_course(user, course)


def review_for(user, review_id, *, need: ReviewNeed = "read") -> Review:
    """The review `review_id` as `user` may use it for `need` (see the module docstring), with its
    author, course and reply loaded."""
    check_need(need, REVIEW_NEEDS)
    review = object_or_404(review_list_for_user(user), review_id)
    if need == "edit" and not is_author(user, review):
        raise NotPermitted(EDIT_DENIED, code="not_author")
    if need == "delete" and not may_delete(user, review):
        raise NotPermitted(DELETE_DENIED, code="not_author")
    if need == "reply" and not may_reply(user, review.course):
        raise NotPermitted(REPLY_DENIED, code="not_course_instructor")
    return review


def reply_for(user, review_id, *, need: ReplyNeed = "manage") -> InstructorReply:
    """The instructor's reply to review `review_id`, for its course's instructor (see the module
    docstring)."""
    check_need(need, REPLY_NEEDS)
    review = review_for(user, review_id)
    if not may_reply(user, review.course):
        raise NotPermitted(MANAGE_REPLY_DENIED, code="not_course_instructor")
    try:
        reply = review.reply
    except InstructorReply.DoesNotExist:
        raise NotFound(gettext("Not found.")) from None
    reply.review = review
    return reply
