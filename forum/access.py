"""Who may do what in a course's forum, in one place. The predicates are the rules; `post_for`,
`comment_for` and `report_for` fetch the object a client named by its id and authorize the caller
in one call (lms.access, in the style of Zulip's `access_stream_by_id`). Views resolve every post,
comment and report through them, and the services (forum.services) re-check with the predicates,
so a caller that forgets is still refused.

Posts and comments (`post_for`, `comment_for`), each need including the ones above it:
- "read": the user opens the thread. A post (or a comment in it) exists for them when its course
  is visible to them (courses.access "read") and the thread is open to them: not hidden, or theirs,
  or in a course they moderate (forum.selectors.post_list_for_user); otherwise 404. They must take
  part in the course (courses.access "learn": an active enrollment, or they manage the course);
  otherwise 403 `not_enrolled`, "Only enrolled students, the course's instructor and admins read
  its forum."
- "edit": read, and they wrote it. Nobody edits someone else's words through the API, moderators
  included (they hide or delete): 403 `not_author`.
- "delete": read, and they wrote it or moderate the course: 403 `not_author`.
- "moderate" (posts): read, and they moderate the course (pin, lock): 403 `not_course_staff`.

Reports (`report_for`):
- "moderate": the report is on an item of a course the user moderates; to anyone else it does not
  exist (404): reports are read and resolved by moderators only.

Moderators of a course are those who manage it (courses.access.can_manage_course): its instructor
while they hold the instructor role, and admins."""

from typing import Literal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from courses.access import can_manage_course, course_require
from courses.models import Course
from lms.access import check_need, object_or_404
from lms.errors import NotFound, NotPermitted

from .models import Comment, Post, Report
from .selectors import comment_list_for_user, post_list_for_user, report_list_for_moderator

PostNeed = Literal["read", "edit", "delete", "moderate"]
POST_NEEDS: tuple[PostNeed, ...] = ("read", "edit", "delete", "moderate")
CommentNeed = Literal["read", "edit", "delete"]
COMMENT_NEEDS: tuple[CommentNeed, ...] = ("read", "edit", "delete")
ReportNeed = Literal["moderate"]
REPORT_NEEDS: tuple[ReportNeed, ...] = ("moderate",)

READ_DENIED = _("Only enrolled students, the course's instructor and admins read its forum.")
MODERATE_DENIED = _("Only the course's instructor and admins moderate its forum.")
# By the item's kind ("post", "comment"): one whole sentence each.
EDIT_DENIED = {
    "post": _("Only the author can edit a post."),
    "comment": _("Only the author can edit a comment."),
}
DELETE_DENIED = {
    "post": _("Only the author or a moderator can delete a post."),
    "comment": _("Only the author or a moderator can delete a comment."),
}


def is_moderator(user, course: Course) -> bool:
    """Moderates the course's forum: pins, locks, hides, resolves reports, deletes anyone's writing."""
    return can_manage_course(user, course)


def is_author(user, item: Post | Comment) -> bool:
    return bool(user and user.is_authenticated and item.author_id == user.pk)


def may_open(user, post: Post) -> bool:
    """A hidden thread is opened by its author and the course's moderators only; to anyone else it
    (and every comment in it) does not exist, as in forum.selectors.post_list_for_user."""
    return not post.is_hidden or is_author(user, post) or is_moderator(user, post.course)


def may_delete(user, item: Post | Comment, course: Course) -> bool:
    """Deleting (a soft delete) is for the author and the course's moderators."""
    return is_author(user, item) or is_moderator(user, course)


def _require(user, item: Post | Comment, course: Course, need: str, noun: str) -> None:
    course_require(user, course, need="learn", message=READ_DENIED)
    if need == "edit" and not is_author(user, item):
        raise NotPermitted(EDIT_DENIED[noun], code="not_author")
    if need == "delete" and not may_delete(user, item, course):
        raise NotPermitted(DELETE_DENIED[noun], code="not_author")
    if need == "moderate" and not is_moderator(user, course):
        raise NotPermitted(MODERATE_DENIED, code="not_course_staff")


def post_for(user, post_id, *, need: PostNeed = "read") -> Post:
    """The post `post_id` as `user` may use it for `need` (see the module docstring), with its
    author, its course and the user's vote (`has_voted`) loaded."""
    check_need(need, POST_NEEDS)
    post = object_or_404(post_list_for_user(user), post_id)
    _require(user, post, post.course, need, "post")
    return post


def comment_for(user, comment_id, *, need: CommentNeed = "read") -> Comment:
    """The comment `comment_id` as `user` may use it for `need` (see the module docstring), with its
    author, its post and the post's course loaded."""
    check_need(need, COMMENT_NEEDS)
    comment = object_or_404(comment_list_for_user(user), comment_id)
    _require(user, comment, comment.post.course, need, "comment")
    return comment


def reply_parent_for(user, parent_id) -> Comment | None:
    """The comment a new comment answers (`parent`, an id from the request body), or None for a
    top-level comment. It is a field of the input, not the object of the URL, so a comment the user
    cannot see is a bad field (400 "No such comment."), like an id that does not exist;
    forum.services.comment_create checks it belongs to the post and is a top-level comment."""
    if parent_id is None:
        return None
    try:
        return object_or_404(comment_list_for_user(user), parent_id)
    except NotFound:
        raise ValidationError({"parent": [gettext("No such comment.")]}) from None


def report_for(user, report_id, *, need: ReportNeed = "moderate") -> Report:
    """The report `report_id`, for a moderator of its course (see the module docstring), with its
    item, reporter and course loaded."""
    check_need(need, REPORT_NEEDS)
    report = object_or_404(report_list_for_moderator(user), report_id)
    if not is_moderator(user, report.course):  # the selector already scopes to moderated courses
        raise NotPermitted(MODERATE_DENIED, code="not_course_staff")
    return report
