"""The OpenAPI description of reports/api/views.py (drf-spectacular), one `described` class
decorator per view class: parameters, every status code each operation answers, and examples
(examples.py). Kept apart from the views so these read as behaviour."""

import datetime

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema

from lms.api.responses import described, json_or_csv, ok
from lms.api.responses import errors as shared_errors
from reports import selectors

from . import examples as ex
from .serializers import (
    AdminDashboardSerializer,
    InstructorDashboardSerializer,
    StudentDashboardSerializer,
    TimeSeriesReportSerializer,
)


def errors(*statuses: int, **descriptions: str):
    return shared_errors(*statuses, **{"r403": "Not allowed for this role.", **descriptions})


STUDENT_DASHBOARD = described(
    "dashboards",
    get=extend_schema(
        responses={200: StudentDashboardSerializer, **errors(401, 403)},
        examples=[ok(ex.STUDENT_DASHBOARD)],
        summary="My learning at a glance (student)",
    ),
)

INSTRUCTOR_DASHBOARD = described(
    "dashboards",
    get=extend_schema(
        responses={200: InstructorDashboardSerializer, **errors(401, 403)},
        examples=[ok(ex.INSTRUCTOR_DASHBOARD)],
        summary="My courses at a glance (instructor)",
    ),
)

ADMIN_DASHBOARD = described(
    "dashboards",
    get=extend_schema(
        responses={200: AdminDashboardSerializer, **errors(401, 403)},
        examples=[ok(ex.ADMIN_DASHBOARD)],
        summary="The platform at a glance (admin)",
    ),
)


REPORT_PARAMETERS = [
    OpenApiParameter("name", str, OpenApiParameter.PATH, enum=sorted(selectors.REPORTS)),
    OpenApiParameter("from", datetime.date, description="First day (inclusive). Default: 29 days before `to`."),
    OpenApiParameter("to", datetime.date, description="Last day (inclusive). Default: today (UTC)."),
    OpenApiParameter("interval", str, enum=["day", "week", "month"], description="Default: day."),
    OpenApiParameter("currency", str, description="Revenue: orders in this currency (default DEFAULT_CURRENCY)."),
    OpenApiParameter("format", str, enum=["json", "csv"], description="csv: a file download."),
]


CSV = OpenApiResponse(
    OpenApiTypes.STR,
    examples=[OpenApiExample("CSV", value=ex.REPORT_CSV, response_only=True, status_codes=["200"])],
)


def report_responses(r404: str) -> dict:
    """JSON, or CSV (reports.api.renderers: the report as `period,value` rows)."""
    json_ok = OpenApiResponse(
        TimeSeriesReportSerializer,
        description="The report; as CSV (`Accept: text/csv` or `?format=csv`): `period,value` rows, a file "
        "download. An error as CSV is `field,message` rows.",
    )
    return json_or_csv(
        json_ok,
        CSV,
        400,
        401,
        403,
        404,
        r400="Bad range, interval or currency.",
        r403="Not allowed for this role.",
        r404=r404,
    )


ADMIN_REPORT = described(
    "reports",
    get=extend_schema(
        parameters=REPORT_PARAMETERS,
        responses=report_responses("No such report."),
        examples=[ok(ex.REPORT)],
        summary="A report over time (admin): signups, enrollments, revenue, completions, quiz-attempts, submissions, "
        "grading-turnaround, cohort-fill, active-users",
    ),
)

INSTRUCTOR_REPORT = described(
    "reports",
    get=extend_schema(
        parameters=REPORT_PARAMETERS,
        responses=report_responses("No such report for instructors."),
        examples=[ok(ex.REPORT)],
        summary="A report over my courses (instructor): enrollments, revenue, completions, quiz-attempts, submissions, "
        "grading-turnaround, cohort-fill",
    ),
)
