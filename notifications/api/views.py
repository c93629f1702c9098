import django_filters
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from lms.api.access import AccessViewSetMixin
from lms.api.filters import BooleanFilter as StrictBooleanFilter
from lms.api.pagination import CursorPagination, PageNumberPagination
from notifications import selectors, services
from notifications.access import announcement_course_for, notification_for
from notifications.models import Notification

from . import schema
from .serializers import (
    AnnouncementInputSerializer,
    AnnouncementSerializer,
    NotificationSerializer,
    PreferencesInputSerializer,
)


class NotificationPagination(CursorPagination):
    ordering = ("-created_at", "-id")


class NotificationFilter(django_filters.FilterSet):
    unread = StrictBooleanFilter(field_name="read_at", lookup_expr="isnull", help_text="Only unread ones.")

    class Meta:
        model = Notification
        fields = ["type"]


@schema.NOTIFICATIONS
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

    @action(detail=False, methods=["get", "patch"], filter_backends=[], pagination_class=None)
    def preferences(self, request):
        if request.method == "PATCH":
            changes = PreferencesInputSerializer.validated(request)["preferences"]
            return Response({"preferences": services.preferences_update(user=request.user, changes=changes)})
        return Response({"preferences": services.preferences_for(request.user)})


@schema.COURSE_ANNOUNCEMENTS
class CourseAnnouncementsView(APIView):
    permission_classes = [IsAuthenticated]
    pagination_class = PageNumberPagination

    def get(self, request, course_id):
        course = announcement_course_for(request.user, course_id, need="read")
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(selectors.announcement_list_for_course(course=course), request, view=self)
        return paginator.get_paginated_response(AnnouncementSerializer(page, many=True).data)

    def post(self, request, course_id):
        course = announcement_course_for(request.user, course_id, need="announce")
        data = AnnouncementInputSerializer.validated(request)
        announcement = services.announcement_create(course=course, author=request.user, **data)
        announcement.refresh_from_db()
        return Response(AnnouncementSerializer(announcement).data, status=status.HTTP_202_ACCEPTED)
