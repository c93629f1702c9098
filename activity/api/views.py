from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import mixins, viewsets
from rest_framework.permissions import IsAuthenticated

from activity.models import ActivityEvent
from activity.selectors import activity_list_for_admin
from lms.api.pagination import CursorPagination
from lms.api.permissions import IsAdmin

from . import schema
from .filters import ActivityFilter
from .serializers import ActivityEventSerializer


class ActivityPagination(CursorPagination):
    ordering = ("-created_at", "-id")


@schema.ADMIN_ACTIVITY
class AdminActivityViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = ActivityEvent.objects.none()  # for the schema; requests use get_queryset
    serializer_class = ActivityEventSerializer
    permission_classes = [IsAuthenticated, IsAdmin]
    pagination_class = ActivityPagination
    filter_backends = [DjangoFilterBackend]
    filterset_class = ActivityFilter

    def get_queryset(self):
        return activity_list_for_admin()
