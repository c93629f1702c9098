"""The reviews API. Courses are resolved through courses.access (`course_for`), reviews and replies
through reviews.access (`review_for`, `reply_for`) with the need each action documents; the
services re-check. Each view's OpenAPI description is in schema.py."""

import django_filters
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from courses.access import course_for
from lms.api.access import AccessViewSetMixin
from lms.api.filters import BooleanFilter as StrictBooleanFilter
from lms.api.filters import StableOrderingFilter
from lms.api.pagination import PageNumberPagination
from lms.api.permissions import IsInstructor, IsStudent
from lms.http_cache import PublicReadsMixin
from reviews import selectors, services
from reviews.access import reply_for, review_for
from reviews.models import Review

from . import schema
from .serializers import (
    InstructorReplyInputSerializer,
    InstructorReplySerializer,
    InstructorReviewSerializer,
    ReviewInputSerializer,
    ReviewSerializer,
)


class ReviewFilter(django_filters.FilterSet):
    rating = django_filters.ChoiceFilter(choices=[(n, str(n)) for n in range(1, 6)])
    ordering = StableOrderingFilter(fields=(("created_at", "created_at"), ("rating", "rating")))

    class Meta:
        model = Review
        fields = ["rating"]


class InstructorReviewFilter(ReviewFilter):
    unanswered = StrictBooleanFilter(field_name="reply", lookup_expr="isnull", help_text="Without a reply.")
    course = django_filters.NumberFilter(field_name="course_id")

    class Meta:
        model = Review
        fields = ["rating", "course"]


def _filtered(filterset_class, request, queryset):
    filterset = filterset_class(request.query_params, queryset=queryset)
    if not filterset.is_valid():
        raise ValidationError(filterset.errors)
    queryset = filterset.qs
    return queryset if queryset.query.order_by else queryset.order_by("-created_at", "-id")


@schema.COURSE_REVIEWS
class CourseReviewsView(PublicReadsMixin, APIView):
    public_actions = frozenset({"get"})

    def get_permissions(self):
        return [AllowAny()] if self.request.method == "GET" else [IsAuthenticated(), IsStudent()]

    def get(self, request, course_id):
        course = course_for(request.user, course_id)
        queryset = _filtered(ReviewFilter, request, selectors.review_list_for_course(course))
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(queryset, request, view=self)
        return paginator.get_paginated_response(ReviewSerializer(page, many=True).data)

    def post(self, request, course_id):
        course = course_for(request.user, course_id)
        review = services.review_create(course=course, student=request.user, **ReviewInputSerializer.validated(request))
        return Response(ReviewSerializer(review).data, status=status.HTTP_201_CREATED)


@schema.REVIEWS
class ReviewViewSet(AccessViewSetMixin, viewsets.GenericViewSet):
    """A review: edited by its author, deleted by its author or an admin, answered by the course's
    instructor."""

    queryset = Review.objects.none()  # for the schema; objects come from review_for
    serializer_class = ReviewSerializer
    permission_classes = [IsAuthenticated]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    access = staticmethod(review_for)
    needs = {"partial_update": "edit", "destroy": "delete", "reply": "reply"}  # PATCH/DELETE reply: reply_for

    def partial_update(self, request, pk=None):
        review = self.get_object()
        data = ReviewInputSerializer.validated(request, partial=True)
        return Response(ReviewSerializer(services.review_update(review=review, actor=request.user, data=data)).data)

    def destroy(self, request, pk=None):
        services.review_delete(review=self.get_object(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @action(detail=True, methods=["post", "patch", "delete"])
    def reply(self, request, pk=None):
        if request.method == "POST":
            review = self.get_object()
            data = InstructorReplyInputSerializer.validated(request)
            reply = services.reply_create(review=review, author=request.user, **data)
            return Response(InstructorReplySerializer(reply).data, status=status.HTTP_201_CREATED)
        reply = reply_for(request.user, pk, need="manage")
        if request.method == "DELETE":
            services.reply_delete(reply=reply, actor=request.user)
            return Response(status=status.HTTP_204_NO_CONTENT)
        data = InstructorReplyInputSerializer.validated(request)
        reply = services.reply_update(reply=reply, actor=request.user, **data)
        return Response(InstructorReplySerializer(reply).data)


@schema.INSTRUCTOR_REVIEWS
class InstructorReviewViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = Review.objects.none()  # for the schema; requests use get_queryset
    serializer_class = InstructorReviewSerializer
    permission_classes = [IsAuthenticated, IsInstructor]
    filter_backends = [DjangoFilterBackend]
    filterset_class = InstructorReviewFilter

    def get_queryset(self):
        return selectors.review_list_for_instructor(self.request.user)
