from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.permissions import IsAuthenticated

from activity.models import ActivityEvent
from activity.selectors import activity_list_for_admin
from lms.api.pagination import CursorPagination
from lms.api.permissions import IsAdmin
from lms.api.responses import errors, ok

from . import examples as ex
from .filters import ActivityFilter
from .serializers import ActivityEventSerializer


class ActivityPagination(CursorPagination):
    ordering = ("-created_at", "-id")


@extend_schema(tags=["admin"])
@extend_schema_view(
    list=extend_schema(
        examples=[ok(ex.ACTIVITY_EVENT)],
        summary="The activity log (admin), newest first",
        responses={200: ActivityEventSerializer(many=True), **errors(400, 401, 403, 404)},
    )
)
class AdminActivityViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = ActivityEvent.objects.none()  # for the schema; requests use get_queryset
    serializer_class = ActivityEventSerializer
    permission_classes = [IsAuthenticated, IsAdmin]
    pagination_class = ActivityPagination
    filter_backends = [DjangoFilterBackend]
    filterset_class = ActivityFilter

    def get_queryset(self):
        return activity_list_for_admin()
