import django_filters
from django.shortcuts import get_object_or_404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from courses.access import can_manage_course, can_read_content
from courses.selectors import course_list_for_user
from lms.api.filters import BooleanFilter as StrictBooleanFilter
from lms.api.pagination import CursorPagination, PageNumberPagination
from lms.api.responses import body, ok, page, paginated
from lms.api.responses import errors as shared_errors
from notifications import selectors, services
from notifications.models import Notification

from . import examples as ex
from .serializers import (
    AnnouncementInputSerializer,
    AnnouncementSerializer,
    MarkedReadSerializer,
    NotificationSerializer,
    PreferencesInputSerializer,
    PreferencesSerializer,
    UnreadCountSerializer,
)


def errors(*statuses: int):
    return shared_errors(*statuses, r404="Unknown, or not yours.")


class NotificationPagination(CursorPagination):
    ordering = ("-created_at", "-id")


class NotificationFilter(django_filters.FilterSet):
    unread = StrictBooleanFilter(field_name="read_at", lookup_expr="isnull", help_text="Only unread ones.")

    class Meta:
        model = Notification
        fields = ["type"]


class NotificationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The signed-in user's own notifications; anybody else's answer 404."""

    queryset = Notification.objects.none()  # for the schema; requests use get_queryset
    serializer_class = NotificationSerializer
    permission_classes = [IsAuthenticated]
    pagination_class = NotificationPagination
    filter_backends = [DjangoFilterBackend]
    filterset_class = NotificationFilter

    def get_queryset(self):
        return selectors.notification_list_for_user(user=self.request.user)

    @extend_schema(
        examples=[ok(ex.NOTIFICATION)],
        summary="My notifications, newest first",
        responses={200: NotificationSerializer(many=True), **errors(400, 401, 404)},
        tags=["notifications"],
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(
        responses={200: UnreadCountSerializer, **errors(401)},
        examples=[ok({"count": 2})],
        summary="How many are unread",
        tags=["notifications"],
    )
    @action(detail=False, methods=["get"], url_path="unread-count", filter_backends=[], pagination_class=None)
    def unread_count(self, request):
        return Response({"count": selectors.notification_unread_count(user=request.user)})

    @extend_schema(
        request=None,
        responses={200: NotificationSerializer, **errors(401, 404)},
        examples=[ok({**ex.NOTIFICATION, "read_at": "2026-11-30T12:01:09Z"})],
        summary="Mark one read",
        tags=["notifications"],
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def read(self, request, pk=None):
        notification = services.notification_mark_read(notification=self.get_object())
        return Response(NotificationSerializer(notification).data)

    @extend_schema(
        request=None,
        responses={200: MarkedReadSerializer, **errors(401)},
        examples=[ok({"updated": 3})],
        summary="Mark all read",
        tags=["notifications"],
    )
    @action(detail=False, methods=["post"], url_path="read-all", filter_backends=[], pagination_class=None)
    def read_all(self, request):
        return Response({"updated": services.notifications_mark_all_read(user=request.user)})

    @extend_schema(
        methods=["GET"],
        responses={200: PreferencesSerializer, **errors(401)},
        examples=[ok(ex.PREFERENCES)],
        summary="My channels (in-app, e-mail) per notification type",
        tags=["notifications"],
    )
    @extend_schema(
        methods=["PATCH"],
        request=PreferencesInputSerializer,
        responses={200: PreferencesSerializer, **errors(400, 401)},
        examples=[
            body({"preferences": [{"type": "announcement", "in_app": True, "email": False}]}),
            ok(ex.PREFERENCES),
        ],
        summary="Switch channels per type; types left out keep their setting",
        tags=["notifications"],
    )
    @action(detail=False, methods=["get", "patch"], filter_backends=[], pagination_class=None)
    def preferences(self, request):
        if request.method == "PATCH":
            changes = PreferencesInputSerializer.validated(request)["preferences"]
            return Response({"preferences": services.preferences_update(user=request.user, changes=changes)})
        return Response({"preferences": services.preferences_for(request.user)})


class CourseAnnouncementsView(APIView):
    permission_classes = [IsAuthenticated]
    pagination_class = PageNumberPagination

    def _course(self, request, course_id):
        return get_object_or_404(course_list_for_user(request.user), pk=course_id)

    @extend_schema(
        responses={200: paginated(AnnouncementSerializer, "AnnouncementPage"), **errors(401, 403, 404)},
        examples=[ok(page(ex.ANNOUNCEMENT, count=1))],
        summary="The course's announcements (enrolled students, owner, admin)",
        tags=["notifications"],
    )
    def get(self, request, course_id):
        course = self._course(request, course_id)
        if not can_read_content(request.user, course):
            return Response({"detail": "Only enrolled students can read announcements."}, status=403)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(selectors.announcement_list_for_course(course=course), request, view=self)
        return paginator.get_paginated_response(AnnouncementSerializer(page, many=True).data)

    @extend_schema(
        request=AnnouncementInputSerializer,
        responses={202: AnnouncementSerializer, **errors(400, 401, 403, 404)},
        examples=[body(ex.ANNOUNCEMENT_INPUT), ok(ex.QUEUED_ANNOUNCEMENT, status=202)],
        summary="Announce to every enrolled student (owner; delivered in the background)",
        tags=["notifications"],
    )
    def post(self, request, course_id):
        course = self._course(request, course_id)
        if not (can_manage_course(request.user, course) and course.instructor_id == request.user.pk):
            return Response({"detail": "Only the course's instructor can make announcements."}, status=403)
        data = AnnouncementInputSerializer.validated(request)
        announcement = services.announcement_create(course=course, author=request.user, **data)
        announcement.refresh_from_db()
        return Response(AnnouncementSerializer(announcement).data, status=status.HTTP_202_ACCEPTED)
