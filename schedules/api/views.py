"""Cohorts and live sessions of a course. The course is resolved through courses.access.course_for,
a cohort through schedules.access.cohort_for, a live session through live_session_for, with the
need each action names."""

from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import SAFE_METHODS, AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from courses.access import course_audience, course_for
from lms.api.access import AccessViewSetMixin
from lms.api.pagination import PageNumberPagination

from .. import selectors, services
from ..access import MANAGE_DENIED, SESSION_MANAGE_DENIED, cohort_for, live_session_for
from ..models import Cohort, LiveSession
from . import schema
from .serializers import (
    AttendanceInputSerializer,
    AttendanceSerializer,
    CohortInputSerializer,
    CohortSerializer,
    LiveSessionInputSerializer,
    LiveSessionSerializer,
)


@schema.COURSE_COHORTS
class CourseCohortsView(APIView):
    def get_permissions(self):
        return [AllowAny()] if self.request.method in SAFE_METHODS else [IsAuthenticated()]

    def get(self, request, course_id):
        course = course_for(request.user, course_id)
        return Response(CohortSerializer(selectors.cohort_list_for_course(course), many=True).data)

    def post(self, request, course_id):
        course = course_for(request.user, course_id, need="manage", message=MANAGE_DENIED)
        cohort = services.cohort_create(actor=request.user, course=course, **CohortInputSerializer.validated(request))
        return Response(CohortSerializer(selectors.cohort_get(cohort.pk)).data, status=status.HTTP_201_CREATED)


@schema.COHORTS
class CohortViewSet(
    AccessViewSetMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    queryset = Cohort.objects.none()  # for the schema; requests resolve it through cohort_for
    serializer_class = CohortSerializer
    access = staticmethod(cohort_for)
    needs = {"update": "manage", "partial_update": "manage", "destroy": "manage"}

    def get_permissions(self):
        return [AllowAny()] if self.request.method in SAFE_METHODS else [IsAuthenticated()]

    def retrieve(self, request, *args, **kwargs):
        return Response(CohortSerializer(selectors.cohort_get(self.get_object().pk)).data)

    def update(self, request, *args, **kwargs):
        cohort = self.get_object()
        data = CohortInputSerializer.validated(request, partial=kwargs.pop("partial", False))
        services.cohort_update(actor=request.user, cohort=cohort, data=data)
        return Response(CohortSerializer(selectors.cohort_get(cohort.pk)).data)

    def destroy(self, request, *args, **kwargs):
        services.cohort_delete(actor=request.user, cohort=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


def _page(request, view, queryset, serializer_class):
    paginator = PageNumberPagination()
    items = paginator.paginate_queryset(queryset, request, view=view)
    return paginator.get_paginated_response(serializer_class(items, many=True).data)


@schema.COURSE_LIVE_SESSIONS
class CourseLiveSessionsView(APIView):
    permission_classes = [IsAuthenticated]

    def get(self, request, course_id):
        course = course_for(request.user, course_id, need="learn")
        manages = course_audience(request.user, course).manages
        sessions = selectors.live_session_list_for_user(course, request.user, manages=manages)
        return _page(request, self, sessions, LiveSessionSerializer)

    def post(self, request, course_id):
        course = course_for(request.user, course_id, need="manage", message=SESSION_MANAGE_DENIED)
        data = LiveSessionInputSerializer.validated(request)
        session = services.live_session_create(
            actor=request.user, course=course, cohort_id=data.pop("cohort", None), **data
        )
        return Response(LiveSessionSerializer(session).data, status=status.HTTP_201_CREATED)


@schema.LIVE_SESSIONS
class LiveSessionViewSet(
    AccessViewSetMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    queryset = LiveSession.objects.none()  # for the schema; requests resolve it through live_session_for
    serializer_class = LiveSessionSerializer
    permission_classes = [IsAuthenticated]
    access = staticmethod(live_session_for)
    needs = {"update": "manage", "partial_update": "manage", "destroy": "manage", "attendance": "manage"}

    def retrieve(self, request, *args, **kwargs):
        return Response(LiveSessionSerializer(self.get_object()).data)

    def update(self, request, *args, **kwargs):
        session = self.get_object()
        data = LiveSessionInputSerializer.validated(request, partial=kwargs.pop("partial", False))
        session = services.live_session_update(actor=request.user, session=session, data=data)
        return Response(LiveSessionSerializer(session).data)

    def destroy(self, request, *args, **kwargs):
        services.live_session_delete(actor=request.user, session=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @action(detail=True, methods=["get", "post"])
    def attendance(self, request, pk=None):
        session = self.get_object()
        if request.method == "POST":
            data = AttendanceInputSerializer.validated(request)
            services.attendance_mark(actor=request.user, session=session, **data)
        return _page(request, self, selectors.attendance_list_for_session(session), AttendanceSerializer)
