"""/api/v1/admin/users/: staff tools for accounts (admins only)."""

import django_filters
from django.db.models import Q
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import mixins, status, viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from accounts import selectors, services
from accounts.access import user_for
from accounts.models import Role, User
from lms.api.access import AccessViewSetMixin
from lms.api.filters import BooleanFilter as StrictBooleanFilter
from lms.api.permissions import IsAdmin
from lms.audit import personal_data_read

from . import schema
from .serializers import AdminUserSerializer, AdminUserUpdateInputSerializer


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


@schema.ADMIN_USERS
class AdminUserViewSet(
    AccessViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Every account on the platform (admins only)."""

    queryset = selectors.user_list_for_admin()
    serializer_class = AdminUserSerializer
    permission_classes = [IsAuthenticated, IsAdmin]
    filter_backends = [DjangoFilterBackend]
    filterset_class = AdminUserFilter
    http_method_names = ["get", "patch", "delete", "head", "options"]
    access = staticmethod(user_for)
    needs = {"retrieve": "administer", "partial_update": "administer", "destroy": "administer"}

    def retrieve(self, request, *args, **kwargs):
        user = self.get_object()
        personal_data_read(
            actor=request.user,
            subject=user,
            action="api.read",
            target=f"accounts.user:{user.pk}",
            reason=request.headers.get("X-Audit-Reason", "")[:500],
            path=request.path,
        )
        return Response(AdminUserSerializer(user).data)

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
