import django_filters
from django.shortcuts import get_object_or_404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from courses.api.filters import StableOrderingFilter
from courses.selectors import course_list_for_user
from lms.api.filters import BooleanFilter as StrictBooleanFilter
from lms.api.pagination import PageNumberPagination
from lms.api.permissions import IsInstructor, IsStudent
from lms.api.responses import body, ok, page, paginated
from lms.api.responses import errors as shared_errors
from reviews import selectors, services
from reviews.models import InstructorReply, Review

from . import examples as ex
from .serializers import (
    InstructorReplyInputSerializer,
    InstructorReplySerializer,
    InstructorReviewSerializer,
    ReviewInputSerializer,
    ReviewSerializer,
)


def errors(*statuses: int):
    return shared_errors(*statuses, r409="Already done once.")


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


class CourseReviewsView(APIView):
    def get_permissions(self):
        return [AllowAny()] if self.request.method == "GET" else [IsAuthenticated(), IsStudent()]

    def _course(self, request, course_id):
        return get_object_or_404(course_list_for_user(request.user), pk=course_id)

    @extend_schema(
        parameters=[
            OpenApiParameter("rating", int, description="Only reviews with this many stars."),
            OpenApiParameter("ordering", str, enum=["created_at", "-created_at", "rating", "-rating"]),
            OpenApiParameter("page", int),
            OpenApiParameter("page_size", int),
        ],
        responses={200: paginated(ReviewSerializer, "ReviewPage"), **errors(400, 404)},
        examples=[ok(page(ex.REVIEW, count=2))],
        summary="A course's reviews (?rating=, ?ordering=-created_at|rating|-rating)",
        tags=["reviews"],
    )
    def get(self, request, course_id):
        course = self._course(request, course_id)
        queryset = _filtered(ReviewFilter, request, selectors.review_list_for_course(course))
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(queryset, request, view=self)
        return paginator.get_paginated_response(ReviewSerializer(page, many=True).data)

    @extend_schema(
        request=ReviewInputSerializer,
        responses={201: ReviewSerializer, **errors(400, 401, 403, 404, 409)},
        examples=[body({"rating": 4, "comment": ex.NEW_REVIEW["comment"]}), ok(ex.NEW_REVIEW, status=201)],
        summary="Review a course I am enrolled in (once)",
        tags=["reviews"],
    )
    def post(self, request, course_id):
        course = self._course(request, course_id)
        review = services.review_create(course=course, student=request.user, **ReviewInputSerializer.validated(request))
        return Response(ReviewSerializer(review).data, status=status.HTTP_201_CREATED)


class ReviewViewSet(viewsets.GenericViewSet):
    queryset = Review.objects.none()  # for the schema; requests use get_queryset
    serializer_class = ReviewSerializer
    permission_classes = [IsAuthenticated]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return selectors.review_list_for_user(self.request.user)

    @extend_schema(
        request=ReviewInputSerializer,
        responses={200: ReviewSerializer, **errors(400, 401, 403, 404)},
        examples=[
            body({"rating": 4, "comment": "Clear and practical; more exercises please."}),
            ok({**ex.REVIEW, "rating": 4, "comment": "Clear and practical; more exercises please."}),
        ],
        summary="Edit my review",
        tags=["reviews"],
    )
    def partial_update(self, request, pk=None):
        review = self.get_object()
        if review.student_id != request.user.pk:
            raise PermissionDenied("Only the author can edit a review.")
        data = ReviewInputSerializer.validated(request, partial=True)
        return Response(ReviewSerializer(services.review_update(review=review, data=data)).data)

    @extend_schema(
        responses={204: None, **errors(401, 403, 404)},
        summary="Delete (the author, or an admin)",
        tags=["reviews"],
    )
    def destroy(self, request, pk=None):
        review = self.get_object()
        if review.student_id != request.user.pk and request.user.role != "admin":
            raise PermissionDenied("Only the author or an admin can delete a review.")
        services.review_delete(review=review)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        methods=["POST"],
        request=InstructorReplyInputSerializer,
        responses={201: InstructorReplySerializer, **errors(400, 401, 403, 404, 409)},
        examples=[body({"body": ex.REPLY["body"]}), ok(ex.REPLY, status=201)],
        summary="Reply to a review of my course (once)",
        tags=["reviews"],
    )
    @extend_schema(
        methods=["PATCH"],
        request=InstructorReplyInputSerializer,
        responses={200: InstructorReplySerializer, **errors(400, 401, 403, 404)},
        examples=[
            body({"body": "Thank you! The new exercises are in section 2."}),
            ok(
                {
                    **ex.REPLY,
                    "body": "Thank you! The new exercises are in section 2.",
                    "updated_at": "2026-11-25T08:00:00Z",
                }
            ),
        ],
        summary="Edit my reply",
        tags=["reviews"],
    )
    @extend_schema(
        methods=["DELETE"],
        responses={204: None, **errors(401, 403, 404)},
        summary="Delete my reply",
        tags=["reviews"],
    )
    @action(detail=True, methods=["post", "patch", "delete"])
    def reply(self, request, pk=None):
        review = self.get_object()
        if request.method == "POST":
            reply = services.reply_create(
                review=review, author=request.user, **InstructorReplyInputSerializer.validated(request)
            )
            return Response(InstructorReplySerializer(reply).data, status=status.HTTP_201_CREATED)
        if not services.may_reply(request.user, review.course):
            raise PermissionDenied("Only the course's instructor manages replies to its reviews.")
        reply = get_object_or_404(InstructorReply, review=review)
        if request.method == "DELETE":
            services.reply_delete(reply=reply)
            return Response(status=status.HTTP_204_NO_CONTENT)
        reply = services.reply_update(reply=reply, **InstructorReplyInputSerializer.validated(request))
        return Response(InstructorReplySerializer(reply).data)


class InstructorReviewViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = Review.objects.none()  # for the schema; requests use get_queryset
    serializer_class = InstructorReviewSerializer
    permission_classes = [IsAuthenticated, IsInstructor]
    filter_backends = [DjangoFilterBackend]
    filterset_class = InstructorReviewFilter

    def get_queryset(self):
        return selectors.review_list_for_instructor(self.request.user)

    @extend_schema(
        examples=[ok(ex.INSTRUCTOR_REVIEW)],
        summary="Reviews of my courses (?unanswered=true, ?course=, ?rating=)",
        responses={200: InstructorReviewSerializer(many=True), **errors(400, 401, 403, 404)},
        tags=["reviews"],
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)
