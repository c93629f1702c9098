import datetime

from django.conf import settings
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from lms.api.permissions import IsAdmin, IsInstructor, IsStudent
from lms.api.responses import errors as shared_errors
from lms.api.responses import ok
from reports import selectors
from reports.access import report_for

from . import examples as ex
from .renderers import ReportCSVRenderer
from .serializers import (
    AdminDashboardSerializer,
    InstructorDashboardSerializer,
    ReportQuerySerializer,
    StudentDashboardSerializer,
    TimeSeriesReportSerializer,
)


def errors(*statuses: int):
    return shared_errors(*statuses, r403="Not allowed for this role.")


@extend_schema(tags=["dashboards"])
class StudentDashboardView(APIView):
    permission_classes = [IsAuthenticated, IsStudent]

    @extend_schema(
        responses={200: StudentDashboardSerializer, **errors(401, 403)},
        examples=[ok(ex.STUDENT_DASHBOARD)],
        summary="My learning at a glance (student)",
    )
    def get(self, request):
        data = selectors.dashboard_for_student(request.user)
        context = {"progress": data["progress"], "request": request}
        return Response(StudentDashboardSerializer(data, context=context).data)


@extend_schema(tags=["dashboards"])
class InstructorDashboardView(APIView):
    permission_classes = [IsAuthenticated, IsInstructor]

    @extend_schema(
        responses={200: InstructorDashboardSerializer, **errors(401, 403)},
        examples=[ok(ex.INSTRUCTOR_DASHBOARD)],
        summary="My courses at a glance (instructor)",
    )
    def get(self, request):
        return Response(InstructorDashboardSerializer(selectors.dashboard_for_instructor(request.user)).data)


@extend_schema(tags=["dashboards"])
class AdminDashboardView(APIView):
    permission_classes = [IsAuthenticated, IsAdmin]

    @extend_schema(
        responses={200: AdminDashboardSerializer, **errors(401, 403)},
        examples=[ok(ex.ADMIN_DASHBOARD)],
        summary="The platform at a glance (admin)",
    )
    def get(self, request):
        return Response(AdminDashboardSerializer(selectors.dashboard_for_admin()).data)


REPORT_PARAMETERS = [
    OpenApiParameter("name", str, OpenApiParameter.PATH, enum=sorted(selectors.REPORTS)),
    OpenApiParameter("from", datetime.date, description="First day (inclusive). Default: 29 days before `to`."),
    OpenApiParameter("to", datetime.date, description="Last day (inclusive). Default: today (UTC)."),
    OpenApiParameter("interval", str, enum=["day", "week", "month"], description="Default: day."),
    OpenApiParameter("currency", str, description="Revenue: orders in this currency (default DEFAULT_CURRENCY)."),
    OpenApiParameter("format", str, enum=["json", "csv"], description="csv: a file download."),
]


def report_responses(r404: str) -> dict:
    return {
        200: TimeSeriesReportSerializer,
        400: OpenApiResponse(description="Bad range or interval."),
        404: OpenApiResponse(description=r404),
        **errors(401, 403),
    }


class BaseReportView(APIView):
    renderer_classes = [JSONRenderer, ReportCSVRenderer]

    def render_report(self, request, name: str, *, instructor=None):
        """`name` was authorized by reports.access.report_for; `instructor` scopes it to their courses."""
        query = ReportQuerySerializer.from_query(request)
        start, end = selectors.report_range(start=query.get("from"), end=query.get("to"), interval=query["interval"])
        report = selectors.report_build(
            name=name,
            start=start,
            end=end,
            interval=query["interval"],
            instructor=instructor,
            currency=(query.get("currency") or settings.DEFAULT_CURRENCY).upper(),
        )
        return Response(TimeSeriesReportSerializer(report).data)


@extend_schema(tags=["reports"])
@extend_schema_view(
    get=extend_schema(
        parameters=REPORT_PARAMETERS,
        responses=report_responses("No such report."),
        examples=[ok(ex.REPORT)],
        summary="A report over time (admin): signups, enrollments, revenue, completions, quiz-attempts, active-users",
    )
)
class AdminReportView(BaseReportView):
    permission_classes = [IsAuthenticated, IsAdmin]

    def get(self, request, name):
        report_for(request.user, name, need="admin")
        return self.render_report(request, name)


@extend_schema(tags=["reports"])
@extend_schema_view(
    get=extend_schema(
        parameters=REPORT_PARAMETERS,
        responses=report_responses("No such report for instructors."),
        examples=[ok(ex.REPORT)],
        summary="A report over my courses (instructor): enrollments, revenue, completions, quiz-attempts",
    )
)
class InstructorReportView(BaseReportView):
    permission_classes = [IsAuthenticated, IsInstructor]

    def get(self, request, name):
        report_for(request.user, name, need="instructor")
        return self.render_report(request, name, instructor=request.user)
