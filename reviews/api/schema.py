"""The OpenAPI description of the reviews operations (drf-spectacular), one `described` class decorator
per view class of views.py: request and response bodies, every status code each operation answers, and
examples (examples.py). Kept apart from the views so these read as behaviour."""

from drf_spectacular.utils import OpenApiParameter, extend_schema

from lms.api.responses import body, described, ok, page, paginated
from lms.api.responses import errors as shared_errors

from . import examples as ex
from .serializers import (
    InstructorReplyInputSerializer,
    InstructorReplySerializer,
    InstructorReviewSerializer,
    ReviewInputSerializer,
    ReviewSerializer,
)


def errors(*statuses: int):
    return shared_errors(*statuses, r409="Already done once.")


WRITE = errors(400, 401, 403, 404)
REMOVE = errors(401, 403, 404)


COURSE_REVIEWS = described(
    "reviews",
    get=extend_schema(
        parameters=[
            OpenApiParameter("rating", int, description="Only reviews with this many stars."),
            OpenApiParameter("ordering", str, enum=["created_at", "-created_at", "rating", "-rating"]),
            OpenApiParameter("page", int),
            OpenApiParameter("page_size", int),
        ],
        responses={200: paginated(ReviewSerializer), **errors(400, 401, 404)},
        examples=[ok(page(ex.REVIEW, count=2))],
        summary="A course's reviews (?rating=, ?ordering=-created_at|rating|-rating)",
    ),
    post=extend_schema(
        request=ReviewInputSerializer,
        responses={201: ReviewSerializer, **errors(400, 401, 403, 404, 409)},
        examples=[body(ex.NEW_REVIEW_BODY), ok(ex.NEW_REVIEW, status=201)],
        summary="Review a course I am enrolled in (once)",
    ),
)

REVIEWS = described(
    "reviews",
    partial_update=extend_schema(
        request=ReviewInputSerializer,
        responses={200: ReviewSerializer, **WRITE},
        examples=[body(ex.EDITED_REVIEW_BODY), ok(ex.EDITED_REVIEW)],
        summary="Edit my review",
    ),
    destroy=extend_schema(responses={204: None, **REMOVE}, summary="Delete (the author, or an admin)"),
    reply=[
        extend_schema(
            methods=["POST"],
            request=InstructorReplyInputSerializer,
            responses={201: InstructorReplySerializer, **errors(400, 401, 403, 404, 409)},
            examples=[body(ex.REPLY_BODY), ok(ex.REPLY, status=201)],
            summary="Reply to a review of my course (once)",
        ),
        extend_schema(
            methods=["PATCH"],
            request=InstructorReplyInputSerializer,
            responses={200: InstructorReplySerializer, **WRITE},
            examples=[body(ex.EDITED_REPLY_BODY), ok(ex.EDITED_REPLY)],
            summary="Edit my reply",
        ),
        extend_schema(methods=["DELETE"], responses={204: None, **REMOVE}, summary="Delete my reply"),
    ],
)

INSTRUCTOR_REVIEWS = described(
    "reviews",
    list=extend_schema(
        examples=[ok(ex.INSTRUCTOR_REVIEW)],
        summary="Reviews of my courses (?unanswered=true, ?course=, ?rating=)",
        responses={200: InstructorReviewSerializer(many=True), **WRITE},
    ),
)
