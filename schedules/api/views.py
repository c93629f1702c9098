"""Cohorts of a course. The course is resolved through courses.access.course_for, a cohort through
schedules.access.cohort_for, with the need each action names."""

from rest_framework import mixins, status, viewsets
from rest_framework.permissions import SAFE_METHODS, AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from courses.access import course_for
from lms.api.access import AccessViewSetMixin

from .. import selectors, services
from ..access import MANAGE_DENIED, cohort_for
from ..models import Cohort
from . import schema
from .serializers import CohortInputSerializer, CohortSerializer


@schema.COURSE_COHORTS
class CourseCohortsView(APIView):
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
    AccessViewSetMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
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
