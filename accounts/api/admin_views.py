"""/api/v1/admin/users/: staff tools for accounts (admins only)."""

import django_filters
from django.db.models import Q
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from accounts import services
from accounts.access import user_for
from accounts.models import Role, User
from lms.api.access import AccessViewSetMixin
from lms.api.filters import BooleanFilter as StrictBooleanFilter
from lms.api.permissions import IsAdmin
from lms.api.responses import body, errors, ok
from lms.api.serializers import InputSerializer

from . import examples as ex


class AdminUserSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "email", "first_name", "last_name", "role", "is_active", "date_joined", "last_login"]
        read_only_fields = fields


class AdminUserUpdateInputSerializer(InputSerializer):
    role = serializers.ChoiceField(choices=Role.choices, required=False)
    is_active = serializers.BooleanField(required=False)


class AdminUserFilter(django_filters.FilterSet):
    role = django_filters.ChoiceFilter(choices=Role.choices)
    is_active = StrictBooleanFilter()
    search = django_filters.CharFilter(method="filter_search", max_length=200, help_text="E-mail or name.")

    class Meta:
        model = User
        fields = ["role", "is_active"]

    def filter_search(self, queryset, name, value):
        value = value.replace("\x00", "").strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(email__icontains=value) | Q(first_name__icontains=value) | Q(last_name__icontains=value)
        )


R = errors(400, 401, 403, 404, 409)


@extend_schema(tags=["admin"])
@extend_schema_view(
    list=extend_schema(
        summary="Users (?role=, ?is_active=, ?search=)",
        examples=[ok(ex.ADMIN_USER)],
        responses={200: AdminUserSerializer(many=True), **errors(400, 401, 403, 404)},
    ),
    retrieve=extend_schema(responses={200: AdminUserSerializer, **errors(401, 403, 404)}, examples=[ok(ex.ADMIN_USER)]),
    partial_update=extend_schema(
        request=AdminUserUpdateInputSerializer,
        responses={200: AdminUserSerializer, **R},
        summary="Promote, demote, deactivate or reactivate",
        examples=[body(ex.ADMIN_USER_PATCH), ok({**ex.ADMIN_USER, **ex.ADMIN_USER_PATCH})],
    ),
    destroy=extend_schema(responses={204: None, **R}, summary="Deactivate (records are kept; tokens stop working)"),
)
class AdminUserViewSet(
    AccessViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Every account on the platform (admins only)."""

    queryset = User.objects.order_by("-date_joined", "-id")
    serializer_class = AdminUserSerializer
    permission_classes = [IsAuthenticated, IsAdmin]
    filter_backends = [DjangoFilterBackend]
    filterset_class = AdminUserFilter
    http_method_names = ["get", "patch", "delete", "head", "options"]
    access = staticmethod(user_for)
    needs = {"retrieve": "administer", "partial_update": "administer", "destroy": "administer"}

    def partial_update(self, request, *args, **kwargs):
        user = self.get_object()
        data = AdminUserUpdateInputSerializer.validated(request, partial=True)
        services.user_admin_update(
            actor=request.user, user=user, role=data.get("role"), is_active=data.get("is_active")
        )
        user.refresh_from_db()
        return Response(AdminUserSerializer(user).data)

    def destroy(self, request, *args, **kwargs):
        user = self.get_object()
        if user.is_active:
            services.user_deactivate(actor=request.user, user=user)
        return Response(status=status.HTTP_204_NO_CONTENT)
