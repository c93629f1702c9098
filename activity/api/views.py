from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.permissions import IsAuthenticated

from activity.models import ActivityEvent
from activity.selectors import activity_list
from lms.api.pagination import CursorPagination
from lms.api.permissions import IsAdmin
from lms.api.responses import errors, ok

from .filters import ActivityFilter
from .serializers import ActivityEventSerializer


class ActivityPagination(CursorPagination):
    ordering = ("-created_at", "-id")


class AdminActivityViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = ActivityEvent.objects.none()  # for the schema; requests use get_queryset
    serializer_class = ActivityEventSerializer
    permission_classes = [IsAuthenticated, IsAdmin]
    pagination_class = ActivityPagination
    filter_backends = [DjangoFilterBackend]
    filterset_class = ActivityFilter

    def get_queryset(self):
        return activity_list()

    @extend_schema(
        examples=[
            ok(
                {
                    "id": 9,
                    "actor": {"id": 12, "email": "grace@example.com", "full_name": "Grace Hopper"},
                    "verb": "review_created",
                    "target": {"type": "review", "id": "2"},
                    "course": 1,
                    "metadata": {"rating": 4},
                    "ip": "203.0.113.7",
                    "user_agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0",
                    "created_at": "2026-11-30T11:20:00Z",
                }
            )
        ],
        summary="The activity log (admin), newest first",
        responses={200: ActivityEventSerializer(many=True), **errors(400, 401, 403, 404)},
        tags=["admin"],
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)
