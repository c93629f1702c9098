from django.conf import settings
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from lms.api.permissions import IsAdmin, IsInstructor, IsStudent
from reports import selectors
from reports.access import report_for

from . import schema
from .renderers import ReportCSVRenderer
from .serializers import (
    AdminDashboardSerializer,
    ReportQuerySerializer,
    TimeSeriesReportSerializer,
    instructor_dashboard_data,
    student_dashboard_data,
)


@schema.STUDENT_DASHBOARD
class StudentDashboardView(APIView):
    permission_classes = [IsAuthenticated, IsStudent]

    def get(self, request):
        # StudentDashboardSerializer's representation (the schema's), built from rows without it.
        return Response(student_dashboard_data(selectors.dashboard_for_student(request.user), request))


@schema.INSTRUCTOR_DASHBOARD
class InstructorDashboardView(APIView):
    permission_classes = [IsAuthenticated, IsInstructor]

    def get(self, request):
        # InstructorDashboardSerializer's representation (the schema's), built without it.
        return Response(instructor_dashboard_data(selectors.dashboard_for_instructor(request.user)))


@schema.ADMIN_DASHBOARD
class AdminDashboardView(APIView):
    permission_classes = [IsAuthenticated, IsAdmin]

    def get(self, request):
        return Response(AdminDashboardSerializer(selectors.dashboard_for_admin()).data)


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


@schema.ADMIN_REPORT
class AdminReportView(BaseReportView):
    permission_classes = [IsAuthenticated, IsAdmin]

    def get(self, request, name):
        report_for(request.user, name, need="admin")
        return self.render_report(request, name)


@schema.INSTRUCTOR_REPORT
class InstructorReportView(BaseReportView):
    permission_classes = [IsAuthenticated, IsInstructor]

    def get(self, request, name):
        report_for(request.user, name, need="instructor")
        return self.render_report(request, name, instructor=request.user)
