"""Assignments, submissions and grading. Every object is resolved through assignments.access
(assignment_for, submission_for) or courses.access.section_for, with the need each action names."""

from django.utils.translation import gettext as _
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from courses import release
from courses.access import section_for
from lms.api.access import AccessViewSetMixin
from lms.api.pagination import PageNumberPagination
from lms.errors import NotFound

from .. import selectors, services
from ..access import READ_DENIED, assignment_for, can_manage_assignment, submission_for
from ..models import Assignment, Submission
from . import schema
from .serializers import (
    AssignmentInputSerializer,
    AssignmentSerializer,
    GradeInputSerializer,
    GradeSerializer,
    SubmissionArchiveSerializer,
    SubmissionInputSerializer,
    SubmissionQuerySerializer,
    SubmissionSerializer,
)


@schema.SECTION_ASSIGNMENTS
class SectionAssignmentsView(APIView):
    permission_classes = [IsAuthenticated]

    def get(self, request, section_id):
        section = section_for(request.user, section_id, need="learn", message=READ_DENIED)
        assignments = list(selectors.assignment_list_for_section(section))
        context = {"schedule": release.schedule_for(user=request.user, course=section.course, items=assignments)}
        return Response(AssignmentSerializer(assignments, many=True, context=context).data)

    def post(self, request, section_id):
        section = section_for(request.user, section_id, need="manage")
        serializer = AssignmentInputSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        assignment = services.assignment_create(actor=request.user, section=section, **serializer.to_service())
        return Response(
            AssignmentSerializer(selectors.assignment_get(assignment.pk)).data, status=status.HTTP_201_CREATED
        )


@schema.ASSIGNMENTS
class AssignmentViewSet(
    AccessViewSetMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    queryset = Assignment.objects.none()  # for the schema; requests resolve it through assignment_for
    serializer_class = AssignmentSerializer
    permission_classes = [IsAuthenticated]
    access = staticmethod(assignment_for)
    needs = {
        "update": "manage",
        "partial_update": "manage",
        "destroy": "manage",
        "next_ungraded": "manage",
        "archive": "manage",
    }

    def retrieve(self, request, *args, **kwargs):
        assignment = self.get_object()
        schedule = release.schedule_for(user=request.user, course=assignment.course, items=[assignment])
        # Its instructions are its content: a locked assignment is refused.
        release.check_open(schedule.state(assignment), _("This assignment is not open yet."))
        return Response(AssignmentSerializer(assignment, context={"schedule": schedule}).data)

    def update(self, request, *args, **kwargs):
        assignment = self.get_object()
        serializer = AssignmentInputSerializer(
            data=request.data, partial=kwargs.pop("partial", False), context={"request": request}
        )
        serializer.is_valid(raise_exception=True)
        services.assignment_update(actor=request.user, assignment=assignment, data=serializer.to_service())
        return Response(AssignmentSerializer(selectors.assignment_get(assignment.pk)).data)

    def destroy(self, request, *args, **kwargs):
        services.assignment_delete(actor=request.user, assignment=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @action(detail=True, methods=["get", "post"])
    def submissions(self, request, pk=None):
        if request.method == "POST":
            assignment = assignment_for(request.user, pk, need="submit")
            data = SubmissionInputSerializer.validated(request)
            submission = services.submission_create(student=request.user, assignment=assignment, **data)
            submission = selectors.submission_list_for_assignment(assignment).get(pk=submission.pk)
            return Response(
                SubmissionSerializer(submission, context={"request": request}).data, status=status.HTTP_201_CREATED
            )
        assignment = assignment_for(request.user, pk, need="read")
        status_filter = SubmissionQuerySerializer.from_query(request).get("status")
        # The course's staff read everyone's; a student reads their own.
        student = None if can_manage_assignment(request.user, assignment) else request.user
        queryset = selectors.submission_list_for_assignment(assignment, student=student, status=status_filter or None)
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(queryset, request, view=self)
        return paginator.get_paginated_response(
            SubmissionSerializer(page, many=True, context={"request": request}).data
        )

    @action(detail=True, methods=["get"], url_path="next-ungraded")
    def next_ungraded(self, request, pk=None):
        submission = selectors.submission_get_next_ungraded(self.get_object())
        if submission is None:
            return Response(status=status.HTTP_204_NO_CONTENT)
        return Response(SubmissionSerializer(submission, context={"request": request}).data)

    @action(detail=True, methods=["get", "post"], url_path="archive")
    def archive(self, request, pk=None):
        assignment = self.get_object()
        if request.method == "POST":
            archive = services.archive_request(actor=request.user, assignment=assignment)
            # Jobs run inline without a broker: the archive may already be built.
            archive = selectors.archive_get(archive.pk)
            return Response(
                SubmissionArchiveSerializer(archive, context={"request": request}).data, status=status.HTTP_202_ACCEPTED
            )
        archive = selectors.archive_get_latest(assignment)
        if archive is None:
            raise NotFound(_("No archive has been requested for this assignment."), code="no_archive")
        return Response(SubmissionArchiveSerializer(archive, context={"request": request}).data)


@schema.SUBMISSIONS
class SubmissionViewSet(AccessViewSetMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    queryset = Submission.objects.none()  # for the schema; requests resolve it through submission_for
    serializer_class = SubmissionSerializer
    permission_classes = [IsAuthenticated]
    access = staticmethod(submission_for)
    needs = {"grade": "grade"}

    @action(detail=True, methods=["post"])
    def grade(self, request, pk=None):
        submission = self.get_object()
        data = GradeInputSerializer.validated(request)
        if "rubric_scores" in data:
            data["rubric_scores"] = [dict(s) for s in data["rubric_scores"]]
        grade = services.submission_grade(actor=request.user, submission=submission, **data)
        return Response(GradeSerializer(grade).data)
