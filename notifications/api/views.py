import django_filters
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from lms.api.access import AccessViewSetMixin
from lms.api.filters import BooleanFilter as StrictBooleanFilter
from lms.api.pagination import CursorPagination, PageNumberPagination
from lms.api.responses import body, ok, page, paginated
from lms.api.responses import errors as shared_errors
from notifications import selectors, services
from notifications.access import announcement_course_for, notification_for
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


@extend_schema(tags=["notifications"])
@extend_schema_view(
    list=extend_schema(
        examples=[ok(ex.NOTIFICATION)],
        summary="My notifications, newest first",
        responses={200: NotificationSerializer(many=True), **errors(400, 401, 404)},
    ),
    unread_count=extend_schema(
        responses={200: UnreadCountSerializer, **errors(401)},
        examples=[ok(ex.UNREAD_COUNT)],
        summary="How many are unread",
    ),
    read=extend_schema(
        request=None,
        responses={200: NotificationSerializer, **errors(401, 404)},
        examples=[ok(ex.READ_NOTIFICATION)],
        summary="Mark one read",
    ),
    read_all=extend_schema(
        request=None,
        responses={200: MarkedReadSerializer, **errors(401)},
        examples=[ok(ex.MARKED_READ)],
        summary="Mark all read",
    ),
)
class NotificationViewSet(AccessViewSetMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """The signed-in user's own notifications; anybody else's answer 404."""

    queryset = Notification.objects.none()  # for the schema; requests use get_queryset
    serializer_class = NotificationSerializer
    permission_classes = [IsAuthenticated]
    pagination_class = NotificationPagination
    filter_backends = [DjangoFilterBackend]
    filterset_class = NotificationFilter
    access = staticmethod(notification_for)
    needs = {"read": "own"}

    def get_queryset(self):
        return selectors.notification_list_for_user(user=self.request.user)

    @action(detail=False, methods=["get"], url_path="unread-count", filter_backends=[], pagination_class=None)
    def unread_count(self, request):
        return Response({"count": selectors.notification_unread_count_for_user(user=request.user)})

    @action(detail=True, methods=["post"], filter_backends=[])
    def read(self, request, pk=None):
        notification = services.notification_mark_read(actor=request.user, notification=self.get_object())
        return Response(NotificationSerializer(notification).data)

    @action(detail=False, methods=["post"], url_path="read-all", filter_backends=[], pagination_class=None)
    def read_all(self, request):
        return Response({"updated": services.notifications_mark_all_read(user=request.user)})

    @extend_schema(
        methods=["GET"],
        responses={200: PreferencesSerializer, **errors(401)},
        examples=[ok(ex.PREFERENCES)],
        summary="My channels (in-app, e-mail) per notification type",
    )
    @extend_schema(
        methods=["PATCH"],
        request=PreferencesInputSerializer,
        responses={200: PreferencesSerializer, **errors(400, 401)},
        examples=[body(ex.PREFERENCES_PATCH), ok(ex.PREFERENCES)],
        summary="Switch channels per type; types left out keep their setting",
    )
    @action(detail=False, methods=["get", "patch"], filter_backends=[], pagination_class=None)
    def preferences(self, request):
        if request.method == "PATCH":
            changes = PreferencesInputSerializer.validated(request)["preferences"]
            return Response({"preferences": services.preferences_update(user=request.user, changes=changes)})
        return Response({"preferences": services.preferences_for(request.user)})


@extend_schema(tags=["notifications"])
class CourseAnnouncementsView(APIView):
    permission_classes = [IsAuthenticated]
    pagination_class = PageNumberPagination

    @extend_schema(
        responses={200: paginated(AnnouncementSerializer, "AnnouncementPage"), **errors(401, 403, 404)},
        examples=[ok(page(ex.ANNOUNCEMENT, count=1))],
        summary="The course's announcements (enrolled students, owner, admin)",
    )
    def get(self, request, course_id):
        course = announcement_course_for(request.user, course_id, need="read")
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(selectors.announcement_list_for_course(course=course), request, view=self)
        return paginator.get_paginated_response(AnnouncementSerializer(page, many=True).data)

    @extend_schema(
        request=AnnouncementInputSerializer,
        responses={202: AnnouncementSerializer, **errors(400, 401, 403, 404)},
        examples=[body(ex.ANNOUNCEMENT_INPUT), ok(ex.QUEUED_ANNOUNCEMENT, status=202)],
        summary="Announce to every enrolled student (owner; delivered in the background)",
    )
    def post(self, request, course_id):
        course = announcement_course_for(request.user, course_id, need="announce")
        data = AnnouncementInputSerializer.validated(request)
        announcement = services.announcement_create(course=course, author=request.user, **data)
        announcement.refresh_from_db()
        return Response(AnnouncementSerializer(announcement).data, status=status.HTTP_202_ACCEPTED)
