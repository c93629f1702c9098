"""A course's grading scheme, its gradebook, and a student's own grades. The course is resolved
through courses.access (course_for with need "manage"; enrollment_for for a student's own)."""

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from courses.access import course_for, enrollment_for
from lms.api.pagination import PageNumberPagination

from .. import selectors, services
from ..export import gradebook_table
from . import schema
from .renderers import GradebookCSVRenderer
from .serializers import (
    GradebookSerializer,
    GradingInputSerializer,
    GradingSerializer,
    MyGradesSerializer,
    item_data,
    row_data,
)

GRADING_DENIED = _("Only the course's instructor or an admin can see or change its grading.")


@schema.GRADING
class CourseGradingView(APIView):
    permission_classes = [IsAuthenticated]

    def get(self, request, course_id):
        course = course_for(request.user, course_id, need="manage", message=GRADING_DENIED)
        return Response(GradingSerializer(selectors.scheme_get(course)).data)

    def patch(self, request, course_id):
        course = course_for(request.user, course_id, need="manage", message=GRADING_DENIED)
        services.grading_update(actor=request.user, course=course, **GradingInputSerializer.validated(request))
        return Response(GradingSerializer(selectors.scheme_get(course)).data)


@schema.GRADEBOOK
class GradebookView(APIView):
    permission_classes = [IsAuthenticated]
    renderer_classes = [JSONRenderer, GradebookCSVRenderer]

    def get(self, request, course_id):
        course = course_for(request.user, course_id, need="manage", message=GRADING_DENIED)
        if request.accepted_renderer.format == "csv":
            return Response(gradebook_table(course))
        scheme = selectors.scheme_get(course)
        items = selectors.item_list_for_course(course)
        paginator = PageNumberPagination()
        enrollments = paginator.paginate_queryset(selectors.enrollment_list_for_gradebook(course), request, view=self)
        rows = selectors.row_list(students=[e.student for e in enrollments], items=items, scheme=scheme)
        gradebook = {
            "count": paginator.page.paginator.count,
            "next": paginator.get_next_link(),
            "previous": paginator.get_previous_link(),
            "items": [item_data(item) for item in items],
            "rows": [row_data(row) for row in rows],
        }
        return Response(GradebookSerializer(gradebook).data)


@schema.MY_GRADES
class MyGradesView(APIView):
    permission_classes = [IsAuthenticated]

    def get(self, request, course_id):
        enrollment = enrollment_for(request.user, course_id)
        scheme = selectors.scheme_get(enrollment.course)
        items, row = selectors.row_for_student(course=enrollment.course, student=request.user, scheme=scheme)
        grades = {
            **row_data(row),
            "course": enrollment.course_id,
            "items": [
                {**item_data(item), "score": row.scores[item.id], "score_hidden": item.hidden_from_student}
                for item in items
            ],
            "pass_percent": scheme.pass_percent,
        }
        return Response(MyGradesSerializer(grades).data)
