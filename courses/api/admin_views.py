"""/api/v1/admin/courses/: every course in any status, for admins."""

from functools import partial

import django_filters
from django.db.models import Q
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import mixins, status, viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from courses import selectors, services
from courses.access import course_for
from courses.models import Course, CourseStatus
from lms.api.access import AccessViewSetMixin
from lms.api.permissions import IsAdmin

from . import schema
from .serializers import AdminCourseStatusInputSerializer, CourseSerializer


class AdminCourseFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=CourseStatus.choices)
    instructor = django_filters.NumberFilter(field_name="instructor_id")
    search = django_filters.CharFilter(method="filter_search", max_length=200, help_text="Title or slug.")

    class Meta:
        model = Course
        fields = ["status", "instructor"]

    def filter_search(self, queryset, name, value):
        value = value.replace("\x00", "").strip()
        return queryset.filter(Q(title__icontains=value) | Q(slug__icontains=value)) if value else queryset


@schema.ADMIN_COURSES
class AdminCourseViewSet(
    AccessViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    queryset = selectors.course_list_for_admin()
    # Only admins reach these (IsAdmin); course_for still names the need.
    access = staticmethod(partial(course_for, queryset=queryset))
    needs = dict.fromkeys(("retrieve", "partial_update", "destroy"), "manage")
    serializer_class = CourseSerializer
    permission_classes = [IsAuthenticated, IsAdmin]
    filter_backends = [DjangoFilterBackend]
    filterset_class = AdminCourseFilter
    http_method_names = ["get", "patch", "delete", "head", "options"]

    def partial_update(self, request, *args, **kwargs):
        course = self.get_object()
        data = AdminCourseStatusInputSerializer.validated(request)
        services.course_set_status(actor=request.user, course=course, status=data["status"])
        return Response(CourseSerializer(self.get_object()).data)

    def destroy(self, request, *args, **kwargs):
        reason = request.query_params.get("reason", "")[:500]
        services.course_remove(actor=request.user, course=self.get_object(), reason=reason)
        return Response(status=status.HTTP_204_NO_CONTENT)
