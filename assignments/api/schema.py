"""The OpenAPI description of assignments/api/views.py (drf-spectacular)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema

from courses.api.schema import ITEM_LOCKED
from lms.api.responses import ErrorSerializer, body, described, error_of, errors, ok, page, paginated

from . import examples as ex
from .serializers import (
    AssignmentInputSerializer,
    AssignmentSerializer,
    GradeInputSerializer,
    GradeSerializer,
    SubmissionArchiveSerializer,
    SubmissionInputSerializer,
    SubmissionSerializer,
)

STATUS = OpenApiParameter(
    "status", OpenApiTypes.STR, enum=["submitted", "graded"], description="Only submissions in this status."
)

SECTION_ASSIGNMENTS = described(
    "assignments",
    get=extend_schema(
        summary="A section's assignments",
        description="Enrolled students and the course's staff.",
        responses={200: AssignmentSerializer(many=True), **errors(401, 403, 404)},
        examples=[ok(ex.ASSIGNMENT)],
    ),
    post=extend_schema(
        summary="Add an assignment to a section",
        description="The course's instructor or an admin. `rubric` criteria are optional; a rubric lets graders "
        "score by criterion.",
        request=AssignmentInputSerializer,
        responses={201: AssignmentSerializer, **errors(400, 401, 403, 404)},
        examples=[body(ex.ASSIGNMENT_INPUT), ok(ex.ASSIGNMENT, status=201)],
    ),
)

ASSIGNMENTS = described(
    "assignments",
    retrieve=extend_schema(
        summary="An assignment",
        responses={200: AssignmentSerializer, **errors(401, 403, 404), **ITEM_LOCKED},
        examples=[ok(ex.ASSIGNMENT)],
    ),
    update=extend_schema(
        summary="Replace an assignment",
        description="The course's instructor or an admin. `rubric`, when sent, replaces the rubric; grades given "
        "keep their scores.",
        request=AssignmentInputSerializer,
        responses={200: AssignmentSerializer, **errors(400, 401, 403, 404)},
        examples=[body(ex.ASSIGNMENT_INPUT), ok(ex.ASSIGNMENT)],
    ),
    partial_update=extend_schema(
        summary="Change an assignment",
        request=AssignmentInputSerializer,
        responses={200: AssignmentSerializer, **errors(400, 401, 403, 404)},
        examples=[body({"points": 50}), ok(ex.ASSIGNMENT)],
    ),
    destroy=extend_schema(
        summary="Delete an assignment",
        description="Only while nobody has submitted to it (409 `has_submissions`).",
        responses={204: None, **errors(401, 403, 404, 409)},
    ),
    submissions=[
        extend_schema(
            methods=["GET"],
            summary="Submissions to an assignment",
            description="The course's staff: every student's (`?status=submitted|graded`); a student: their own "
            "attempts. Oldest first.",
            parameters=[STATUS, OpenApiParameter("page", int), OpenApiParameter("page_size", int)],
            responses={200: paginated(SubmissionSerializer), **errors(400, 401, 403, 404)},
            examples=[ok(page(ex.SUBMISSION, count=1))],
        ),
        extend_schema(
            methods=["POST"],
            summary="Submit work",
            description="An enrolled student, as their next attempt. 409: `cutoff_passed`, `past_due` (late work not "
            "taken), `attempts_used`, `already_graded` (no attempt limit: resubmit until graded). The instructor "
            "is notified (`submission_received`).",
            request=SubmissionInputSerializer,
            responses={201: SubmissionSerializer, **errors(400, 401, 403, 404, 409), **ITEM_LOCKED},
            examples=[
                body({"text": "My client is attached.", "files": [ex.SUBMISSION["files"][0]["id"]]}),
                ok(ex.SUBMISSION, status=201),
            ],
        ),
    ],
    archive=[
        extend_schema(
            methods=["GET"],
            summary="The latest download of all submissions",
            description="The course's instructor or an admin. The most recently requested archive: `pending` while "
            "it is built, `ready` with `url` (a signed link that expires: read this again for a fresh one), or "
            "`failed` with `error`. A ready zip is kept for 7 days. 404 `no_archive` when none was requested.",
            responses={
                200: SubmissionArchiveSerializer,
                **errors(401, 403),
                **error_of(
                    404,
                    ErrorSerializer,
                    "No archive was requested for this assignment (`no_archive`), or the assignment is unknown.",
                    {"No archive yet": ex.NO_ARCHIVE, "Not found": {"detail": "Not found."}},
                ),
            },
            examples=[
                ok(ex.ARCHIVE_READY, "Ready"),
                ok(ex.ARCHIVE_PENDING, "Being built"),
                ok(ex.ARCHIVE_FAILED, "Failed"),
            ],
        ),
        extend_schema(
            methods=["POST"],
            summary="Download all submissions (a zip built in the background)",
            description="The course's instructor or an admin. Queues a zip of every attempt of every student: "
            "`<Last-First-id>/attempt-<n>/` with `text.txt`, `url.txt` and the files under their own names, and "
            "`submissions.csv` (the figures of each attempt). 202 with the archive; read it with GET until it "
            "is `ready`. While one is being built, asking again returns that one.",
            request=None,
            responses={202: SubmissionArchiveSerializer, **errors(401, 403, 404)},
            examples=[ok(ex.ARCHIVE_PENDING, status=202)],
        ),
    ],
    next_ungraded=extend_schema(
        summary="The next submission to grade",
        description="The oldest submission still to grade, or 204 when none is left (SpeedGrader's next).",
        responses={200: SubmissionSerializer, 204: None, **errors(401, 403, 404)},
        examples=[ok(ex.SUBMISSION)],
    ),
)

SUBMISSIONS = described(
    "assignments",
    retrieve=extend_schema(
        summary="A submission",
        description="Its student, or the course's staff. Files come as signed, expiring links.",
        responses={200: SubmissionSerializer, **errors(401, 404)},
        examples=[ok(ex.GRADED)],
    ),
    grade=extend_schema(
        summary="Grade a submission",
        description="The course's instructor or an admin: `score` (0 to the assignment's points) or `rubric_scores` "
        "(every criterion, within its points). The late penalty is applied; a re-grade keeps the history. The "
        "student is notified (`assignment_graded`).",
        request=GradeInputSerializer,
        responses={200: GradeSerializer, **errors(400, 401, 403, 404)},
        examples=[
            body(
                {
                    "rubric_scores": [{"criterion": 21, "points": "50"}, {"criterion": 22, "points": "35"}],
                    "feedback": "Solid; handle 401 refreshes.",
                }
            ),
            ok(ex.GRADE),
        ],
    ),
)
