"""Cohorts and live sessions of a course. The course is resolved through courses.access.course_for,
a cohort through schedules.access.cohort_for, a live session through live_session_for, with the
need each action names."""

from datetime import timedelta
from functools import partial
from urllib.parse import urlencode

from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import SAFE_METHODS, AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from courses.access import course_audience, course_for
from lms.api.access import AccessViewSetMixin
from lms.api.negotiation import FileOrJSONErrors
from lms.api.pagination import PageNumberPagination
from lms.errors import NotFound
from lms.http_cache import PublicReadsMixin
from lms.i18n import language_of

from .. import calendar, ics, selectors, services
from ..access import MANAGE_DENIED, SESSION_MANAGE_DENIED, cohort_for, live_session_for
from ..models import Cohort, LiveSession
from . import schema
from .serializers import (
    AttendanceInputSerializer,
    AttendanceSerializer,
    CalendarEventSerializer,
    CalendarFeedSerializer,
    CalendarQuerySerializer,
    CohortInputSerializer,
    CohortSerializer,
    LiveSessionInputSerializer,
    LiveSessionSerializer,
)


@schema.COURSE_COHORTS
class CourseCohortsView(PublicReadsMixin, APIView):
    public_actions = frozenset({"get"})

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
    PublicReadsMixin,
    AccessViewSetMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    public_actions = frozenset({"retrieve"})
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


# --- calendar ------------------------------------------------------------------------------------
DETAIL_ROUTES = {
    calendar.LESSON_RELEASE: "lesson-detail",
    calendar.QUIZ_DUE: "quiz-detail",
    calendar.ASSIGNMENT_DUE: "assignment-detail",
    calendar.COHORT_START: "cohort-detail",
}
FEED_PAST = timedelta(days=30)  # what the feed holds: the last 30 days and the next year
FEED_AHEAD = timedelta(days=365)


def _event_url(request, event: calendar.Event) -> str:
    if event.type == calendar.LIVE_SESSION:
        return event.join_url
    return request.build_absolute_uri(reverse(DETAIL_ROUTES[event.type], args=[event.id]))


def _event_data(request, event: calendar.Event) -> dict:
    course = event.course
    return {
        "type": event.type,
        "id": event.id,
        "course": {"id": course.pk, "slug": course.slug, "title": course.title},
        "title": event.title,
        "at": event.at,
        "ends_at": event.ends_at,
        "url": _event_url(request, event),
    }


@schema.MY_CALENDAR
class MyCalendarView(APIView):
    permission_classes = [IsAuthenticated]

    def get(self, request):
        query = CalendarQuerySerializer.from_query(request)
        events = calendar.events_for_user(request.user, query["from"], query["to"])
        return Response(CalendarEventSerializer([_event_data(request, e) for e in events], many=True).data)


@schema.MY_CALENDAR_TOKEN
class MyCalendarTokenView(APIView):
    permission_classes = [IsAuthenticated]

    def post(self, request):
        token = services.calendar_feed_issue(user=request.user)
        url = f"{request.build_absolute_uri(reverse('my-calendar-feed'))}?{urlencode({'token': token})}"
        return Response(CalendarFeedSerializer({"token": token, "url": url}).data, status=status.HTTP_201_CREATED)


@schema.MY_CALENDAR_FEED
class MyCalendarFeedView(APIView):
    """The feed's token is its only credential (calendar apps send no header): a bearer token is
    neither needed nor read. Calendar apps fetch it without the owner's session or language, so it
    is written in the owner's profile language (an error, with no owner known, in the request's)."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    content_negotiation_class = FileOrJSONErrors

    def get(self, request):
        user = selectors.calendar_feed_user(request.query_params.get("token", ""))
        if user is None:
            raise NotFound(_("No calendar feed has this token: issue a new one."), code="not_found")
        now = timezone.now()
        events = calendar.events_for_user(user, now - FEED_PAST, now + FEED_AHEAD)
        language = language_of(user)
        with translation.override(language):
            name = _("{name}: courses").format(name=user.get_full_name() or user.email)
            body = ics.feed(events, name=name, url_for=partial(_event_url, request))
        response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
        response["Content-Language"] = language
        response["Content-Disposition"] = 'inline; filename="calendar.ics"'
        response["Cache-Control"] = "private, max-age=900"
        return response
