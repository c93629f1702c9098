"""The OpenAPI description of gradebook/api/views.py (drf-spectacular)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema

from lms.api.responses import body, described, errors, json_or_csv, ok

from . import examples as ex
from .serializers import GradebookSerializer, GradingInputSerializer, GradingSerializer, MyGradesSerializer

GRADING = described(
    "gradebook",
    get=extend_schema(
        summary="A course's grading scheme",
        description="The course's instructor or an admin. Until changed: quizzes and assignments weigh 50 each, "
        "pass at 60%, letters A-F by tens.",
        responses={200: GradingSerializer, **errors(401, 403, 404)},
        examples=[ok(ex.GRADING)],
    ),
    patch=extend_schema(
        summary="Change a course's grading scheme",
        description="The course's instructor or an admin; send any of the three. `weights` add up to 100; "
        "`letter_scale` has distinct letters and starting percents, one of them 0 (it is stored highest first). "
        "The gradebook is computed on every read, so the change shows at once.",
        request=GradingInputSerializer,
        responses={200: GradingSerializer, **errors(400, 401, 403, 404)},
        examples=[body({"weights": {"quizzes": 40, "assignments": 60}}), ok(ex.GRADING)],
    ),
)


GRADEBOOK_RESPONSES = json_or_csv(
    OpenApiResponse(GradebookSerializer, description="A page of the gradebook."),
    OpenApiResponse(
        OpenApiTypes.STR,
        description="Every student (no pages), as `manage.py export_gradebook` writes it: a file download.",
        examples=[OpenApiExample("CSV", value=ex.GRADEBOOK_CSV, response_only=True, status_codes=["200"])],
    ),
    400,
    401,
    403,
    404,
)


GRADEBOOK = described(
    "gradebook",
    get=extend_schema(
        summary="A course's gradebook",
        description="The course's instructor or an admin. `items` are the quizzes (the attempt each quiz's "
        "`scoring_policy` counts: best or last) and the assignments (the latest graded attempt, after the late "
        "penalty), in curriculum order; `rows` one per active student, by name, with points per item (null: not "
        "attempted or not graded yet). Category percents are over the scored items; `percent` weighs the scored "
        "categories by the course's weights. Paginated by student (`page`, `page_size`); `?format=csv` "
        "downloads every student at once.",
        parameters=[
            OpenApiParameter("page", int),
            OpenApiParameter("page_size", int),
            OpenApiParameter("format", str, enum=["json", "csv"], description="csv: every student, a file download."),
        ],
        responses=GRADEBOOK_RESPONSES,
        examples=[ok(ex.GRADEBOOK)],
    ),
)

MY_GRADES = described(
    "gradebook",
    get=extend_schema(
        summary="My grades in a course",
        description="An enrolled student: their own gradebook row with every item. A quiz that shows students "
        "pass or fail only has its score withheld (`score_hidden`), and so are the totals while it is scored.",
        responses={200: MyGradesSerializer, **errors(401, 403, 404)},
        examples=[ok(ex.MY_GRADES)],
    ),
)
