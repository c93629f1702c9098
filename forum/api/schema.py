"""The OpenAPI description of the forum's operations (drf-spectacular), one `described` class decorator
per view class of views.py: request and response bodies, every status code each operation answers, and
examples (examples.py). Kept apart from the views so these read as behaviour."""

from drf_spectacular.utils import OpenApiParameter, extend_schema

from lms.api.pagination import PAGE_SIZE_DESCRIPTION
from lms.api.responses import body, described, ok, page, paginated
from lms.api.responses import errors as shared_errors

from . import examples as ex
from .serializers import (
    CommentInputSerializer,
    CommentSerializer,
    CommentUpdateInputSerializer,
    ModerationLogSerializer,
    PostInputSerializer,
    PostSerializer,
    ReportInputSerializer,
    ReportSerializer,
    ResolveInputSerializer,
    VoteResultSerializer,
)


def errors(*statuses: int):
    return shared_errors(
        *statuses,
        r403="Not a reader of this forum, not allowed, or the post is locked.",
        r409="Already done (reported), or the item was deleted.",
    )


READ = errors(401, 403, 404)
WRITE = errors(400, 401, 403, 404)
EDIT = {**WRITE, **errors(409)}


def _flag(summary: str, example: dict):
    return extend_schema(request=None, responses={200: PostSerializer, **READ}, examples=[ok(example)], summary=summary)


def _report(summary: str, request_body: dict, example: dict):
    return extend_schema(
        request=ReportInputSerializer,
        responses={201: ReportSerializer, **EDIT},
        examples=[body(request_body), ok(example, status=201)],
        summary=summary,
    )


COURSE_FORUM_POSTS = described(
    "forum",
    get=extend_schema(
        parameters=[
            OpenApiParameter("search", str, description="Words in titles and bodies."),
            OpenApiParameter("cursor", str),
            OpenApiParameter("page_size", int, description=PAGE_SIZE_DESCRIPTION),
        ],
        responses={200: paginated(PostSerializer, cursor=True), **WRITE},
        examples=[ok(page(ex.POST, next_page=ex.THREADS_NEXT))],
        summary="The course's threads: pinned first, then by last activity",
    ),
    post=extend_schema(
        request=PostInputSerializer,
        responses={201: PostSerializer, **WRITE},
        examples=[body(ex.NEW_POST_BODY), ok(ex.NEW_POST, status=201)],
        summary="Start a thread",
    ),
)

POSTS = described(
    "forum",
    retrieve=extend_schema(responses={200: PostSerializer, **READ}, examples=[ok(ex.POST)]),
    partial_update=extend_schema(
        request=PostInputSerializer,
        responses={200: PostSerializer, **EDIT},
        examples=[body(ex.EDITED_POST_BODY), ok(ex.EDITED_POST)],
        summary="Edit my post",
    ),
    destroy=extend_schema(
        responses={204: None, **READ},
        summary="Delete (author, course instructor, admin): the text is removed, the thread stays",
    ),
    comments=[
        extend_schema(
            methods=["GET"],
            parameters=[OpenApiParameter("page", int), OpenApiParameter("page_size", int)],
            responses={200: paginated(CommentSerializer), **READ},
            examples=[ok(page(ex.COMMENT, count=1))],
            summary="Comments in order, each with its replies",
        ),
        extend_schema(
            methods=["POST"],
            request=CommentInputSerializer,
            responses={201: CommentSerializer, **WRITE},
            examples=[body(ex.NEW_REPLY_BODY), ok(ex.NEW_REPLY, status=201)],
            summary="Comment, or reply to a comment with `parent`",
        ),
    ],
    pin=_flag("Pin (course instructor, admin)", {**ex.POST, "is_pinned": True}),
    unpin=_flag("Unpin (course instructor, admin)", ex.POST),
    lock=_flag("Lock: no more comments (course instructor, admin)", {**ex.POST, "is_locked": True}),
    unlock=_flag("Unlock (course instructor, admin)", ex.POST),
    upvote=extend_schema(
        request=None,
        responses={200: VoteResultSerializer, **READ},
        examples=[ok(ex.VOTE_RESULT)],
        summary="Toggle my upvote",
    ),
    report=_report("Report this post to the moderators (once)", ex.REPORT_BODY, ex.REPORT),
)

COMMENTS = described(
    "forum",
    partial_update=extend_schema(
        request=CommentUpdateInputSerializer,
        responses={200: CommentSerializer, **EDIT},
        examples=[body(ex.EDITED_COMMENT_BODY), ok(ex.EDITED_COMMENT)],
        summary="Edit my comment",
    ),
    destroy=extend_schema(
        responses={204: None, **READ},
        summary="Delete (author, course instructor, admin): the text is removed, replies stay",
    ),
    report=_report("Report this comment to the moderators (once)", ex.COMMENT_REPORT_BODY, ex.COMMENT_REPORT),
)

REPORTS = described(
    "forum moderation",
    list=extend_schema(
        examples=[ok(ex.REPORT)],
        summary="Reports to moderate (?status=open)",
        responses={200: ReportSerializer(many=True), **WRITE},
    ),
    resolve=extend_schema(
        request=ResolveInputSerializer,
        responses={200: ReportSerializer, **WRITE},
        examples=[body(ex.RESOLVE_BODY), ok(ex.RESOLVED_REPORT)],
        summary="Resolve: hide the item, restore it, or dismiss the report(s)",
    ),
)

MODERATION_LOG = described(
    "forum moderation",
    list=extend_schema(
        examples=[ok(ex.MODERATION_LOG)],
        summary="The moderation audit log of the forums I moderate",
        responses={200: ModerationLogSerializer(many=True), **WRITE},
    ),
)
