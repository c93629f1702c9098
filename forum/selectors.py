"""Reads of the forum, scoped to the reader."""

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from accounts.roles import is_admin
from courses.access import can_manage_course
from courses.selectors import course_list_for_manager, course_list_for_user

from .models import Comment, ModerationLog, Post, Report, Vote


def _open_threads(user, prefix: str = "") -> Q:
    """Posts (through `prefix`, e.g. "post__") the user may open in the courses they can see: those
    not hidden, their own, and every post of a course they moderate (course_list_for_manager: a demoted
    instructor moderates nothing). Admins open every post; anonymous users only those not hidden."""
    if is_admin(user):
        return Q()
    if not (user and user.is_authenticated):
        return Q(**{f"{prefix}is_hidden": False})
    return (
        Q(**{f"{prefix}is_hidden": False})
        | Q(**{f"{prefix}author": user})
        | Q(**{f"{prefix}course__in": course_list_for_manager(user)})
    )


def post_list_for_user(user, *, course=None) -> QuerySet[Post]:
    """Posts of courses the user can open, with author and the user's vote loaded. Hidden posts are
    shown to moderators and their authors only. (Whether the user may read the forum at all is
    checked per course: forum.access.)"""
    if course is not None:  # the caller has checked this course is open to the user
        queryset = Post.objects.filter(course=course)
        if not can_manage_course(user, course):
            queryset = queryset.filter(Q(is_hidden=False) | Q(author=user.pk))
    else:
        queryset = Post.objects.filter(course__in=course_list_for_user(user)).filter(_open_threads(user))
    return queryset.select_related("author", "course").annotate(
        has_voted=Exists(Vote.objects.filter(post=OuterRef("pk"), user=user.pk))
    )


def post_search(queryset: QuerySet[Post], query: str) -> QuerySet[Post]:
    query = query.replace("\x00", "").strip()[:200]
    if not query:
        return queryset
    return queryset.filter(Q(title__icontains=query) | Q(body__icontains=query))


def comment_list_for_post(post: Post) -> QuerySet[Comment]:
    """Top-level comments in order with their replies: two queries for any number of comments."""
    replies = Prefetch("replies", queryset=Comment.objects.select_related("author").order_by("created_at", "id"))
    return (
        Comment.objects.filter(post=post, parent__isnull=True)
        .select_related("author")
        .prefetch_related(replies)
        .order_by("created_at", "id")
    )


def comment_list_for_user(user) -> QuerySet[Comment]:
    """Comments in the threads the user may open (post_list_for_user): a comment in a hidden thread is
    as absent as the thread. (A hidden comment itself is present, its text masked when rendered.)"""
    return (
        Comment.objects.filter(post__course__in=course_list_for_user(user))
        .filter(_open_threads(user, "post__"))
        .select_related("author", "post__course")
    )


def report_list_for_moderator(user) -> QuerySet[Report]:
    queryset = Report.objects.select_related("reporter", "post", "comment", "comment__post", "course", "resolved_by")
    if is_admin(user):
        return queryset
    return queryset.filter(course__in=course_list_for_manager(user))


def moderation_log_list_for_moderator(user) -> QuerySet[ModerationLog]:
    queryset = ModerationLog.objects.select_related("actor")
    if is_admin(user):
        return queryset
    return queryset.filter(course__in=course_list_for_manager(user))


# --- a person's own rows, for their export (privacy) ----------------------------------------------
def post_list_by_author(author) -> QuerySet[Post]:
    """Every post `author` wrote, hidden or deleted ones too, with its course."""
    return Post.objects.filter(author=author).select_related("course").order_by("created_at", "id")


def comment_list_by_author(author) -> QuerySet[Comment]:
    """Every comment and reply `author` wrote, hidden or deleted ones too, with its thread (the forum
    eraser reads the thread's state and the authors it notified)."""
    return Comment.objects.filter(author=author).select_related("post", "parent").order_by("created_at", "id")


def vote_list_by_user(user) -> QuerySet[Vote]:
    """Every vote `user` gave, with the thread voted for."""
    return Vote.objects.filter(user=user).select_related("post").order_by("created_at", "id")


def report_list_by_reporter(reporter) -> QuerySet[Report]:
    """Every report `reporter` made, open or resolved."""
    return Report.objects.filter(reporter=reporter).order_by("created_at", "id")


def moderation_log_list_by_actor(actor) -> QuerySet[ModerationLog]:
    """Every moderation action `actor` took (as a course's moderator, or an admin)."""
    return ModerationLog.objects.filter(actor=actor).order_by("created_at", "id")


def comment_list_about_user(user) -> QuerySet[Comment]:
    """The comments the erasure of `user` reads (forum.services.forum_erase_for_user): theirs, those
    in their threads and the replies to theirs, with thread, parent and author, in pk order."""
    return (
        Comment.objects.filter(Q(author=user) | Q(post__author=user) | Q(parent__author=user))
        .select_related("author", "post", "parent")
        .order_by("pk")
    )


def report_list_about_user(user) -> QuerySet[Report]:
    """The reports the erasure of `user` reads: theirs, and those on their posts and comments."""
    return Report.objects.filter(Q(reporter=user) | Q(post__author=user) | Q(comment__author=user)).order_by("pk")
