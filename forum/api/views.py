"""The forum API. Every post, comment and report a request names is resolved through forum.access
(`post_for`, `comment_for`, `report_for`) with the need its action documents; the services re-check.
Each view's OpenAPI description is in schema.py."""

import django_filters
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from courses.access import course_for
from forum import selectors, services
from forum.access import READ_DENIED, comment_for, post_for, reply_parent_for, report_for
from forum.models import Comment, ModerationLog, Post, Report, ReportStatus
from lms.api.access import AccessViewSetMixin
from lms.api.pagination import CursorPagination, PageNumberPagination

from . import schema
from .permissions import ModeratesForums
from .serializers import (
    CommentInputSerializer,
    CommentSerializer,
    CommentUpdateInputSerializer,
    ModerationLogSerializer,
    PostInputSerializer,
    PostSerializer,
    ReportInputSerializer,
    ReportSerializer,
    ResolveInputSerializer,
)


def _context(user, course) -> dict:
    """What CommentSerializer needs to show a hidden comment's text to moderators and its author."""
    return {"viewer": user, "course": course}


class PostFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(method="filter_search", max_length=200, help_text="Words in titles and bodies.")

    class Meta:
        model = Post
        fields = ["search"]

    def filter_search(self, queryset, name, value):
        return selectors.post_search(queryset, value)


class ThreadPagination(CursorPagination):
    ordering = ("-sort_key", "-id")  # pinned first, then by last activity


@schema.COURSE_FORUM_POSTS
class CourseForumPostsView(APIView):
    permission_classes = [IsAuthenticated]

    def _course(self, request, course_id):
        return course_for(request.user, course_id, need="learn", message=READ_DENIED)

    def get(self, request, course_id):
        course = self._course(request, course_id)
        filterset = PostFilter(request.query_params, queryset=selectors.post_list_for_user(request.user, course=course))
        if not filterset.is_valid():
            raise ValidationError(filterset.errors)
        paginator = ThreadPagination()
        page = paginator.paginate_queryset(filterset.qs, request, view=self)
        return paginator.get_paginated_response(PostSerializer(page, many=True).data)

    def post(self, request, course_id):
        course = self._course(request, course_id)
        post = services.post_create(course=course, author=request.user, **PostInputSerializer.validated(request))
        return Response(PostSerializer(post).data, status=status.HTTP_201_CREATED)


@schema.POSTS
class PostViewSet(AccessViewSetMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """A thread of a course's forum, for those who take part in the course."""

    queryset = Post.objects.none()  # for the schema; objects come from post_for
    serializer_class = PostSerializer
    permission_classes = [IsAuthenticated]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    access = staticmethod(post_for)
    needs = {
        "partial_update": "edit",
        "destroy": "delete",
        "pin": "moderate",
        "unpin": "moderate",
        "lock": "moderate",
        "unlock": "moderate",
    }

    def retrieve(self, request, *args, **kwargs):
        return Response(PostSerializer(self.get_object()).data)

    def partial_update(self, request, *args, **kwargs):
        post = self.get_object()
        data = PostInputSerializer.validated(request, partial=True)
        return Response(PostSerializer(services.post_update(post=post, actor=request.user, data=data)).data)

    def destroy(self, request, *args, **kwargs):
        services.post_delete(post=self.get_object(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @action(detail=True, methods=["get", "post"])
    def comments(self, request, pk=None):
        post = self.get_object()
        context = _context(request.user, post.course)
        if request.method == "GET":
            paginator = PageNumberPagination()
            page = paginator.paginate_queryset(selectors.comment_list_for_post(post), request, view=self)
            return paginator.get_paginated_response(CommentSerializer(page, many=True, context=context).data)
        data = CommentInputSerializer.validated(request)
        parent = reply_parent_for(request.user, data.get("parent"))
        comment = services.comment_create(post=post, author=request.user, body=data["body"], parent=parent)
        return Response(CommentSerializer(comment, context=context).data, status=status.HTTP_201_CREATED)

    def _flag(self, flag: str, value: bool):
        post = services.post_set_flag(post=self.get_object(), actor=self.request.user, flag=flag, value=value)
        return Response(PostSerializer(post).data)

    @action(detail=True, methods=["post"])
    def pin(self, request, pk=None):
        return self._flag("is_pinned", True)

    @action(detail=True, methods=["post"])
    def unpin(self, request, pk=None):
        return self._flag("is_pinned", False)

    @action(detail=True, methods=["post"])
    def lock(self, request, pk=None):
        return self._flag("is_locked", True)

    @action(detail=True, methods=["post"])
    def unlock(self, request, pk=None):
        return self._flag("is_locked", False)

    @action(detail=True, methods=["post"])
    def upvote(self, request, pk=None):
        post = self.get_object()
        voted = services.vote_toggle(post=post, user=request.user)
        post.refresh_from_db(fields=["vote_count"])
        return Response({"voted": voted, "vote_count": post.vote_count})

    @action(detail=True, methods=["post"])
    def report(self, request, pk=None):
        report = services.report_create(
            reporter=request.user, post=self.get_object(), **ReportInputSerializer.validated(request)
        )
        return Response(ReportSerializer(report, context={"viewer": request.user}).data, status=status.HTTP_201_CREATED)


@schema.COMMENTS
class CommentViewSet(AccessViewSetMixin, viewsets.GenericViewSet):
    """A comment in a thread (comments are listed and written through their thread)."""

    queryset = Comment.objects.none()  # for the schema; objects come from comment_for
    serializer_class = CommentSerializer
    permission_classes = [IsAuthenticated]
    http_method_names = ["post", "patch", "delete", "head", "options"]
    access = staticmethod(comment_for)
    needs = {"partial_update": "edit", "destroy": "delete"}

    def partial_update(self, request, *args, **kwargs):
        comment = self.get_object()
        data = CommentUpdateInputSerializer.validated(request)
        comment = services.comment_update(comment=comment, actor=request.user, **data)
        post = comment.post
        if comment.parent_id is None:  # with its replies, as the thread shows it
            comment = selectors.comment_list_for_post(post).get(pk=comment.pk)
        return Response(CommentSerializer(comment, context=_context(request.user, post.course)).data)

    def destroy(self, request, *args, **kwargs):
        services.comment_delete(comment=self.get_object(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @action(detail=True, methods=["post"])
    def report(self, request, pk=None):
        report = services.report_create(
            reporter=request.user, comment=self.get_object(), **ReportInputSerializer.validated(request)
        )
        return Response(ReportSerializer(report, context={"viewer": request.user}).data, status=status.HTTP_201_CREATED)


class ReportFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ReportStatus.choices)
    course = django_filters.NumberFilter(field_name="course_id")

    class Meta:
        model = Report
        fields = ["status", "course"]


@schema.REPORTS
class ReportViewSet(AccessViewSetMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Reports on the forums the caller moderates (their courses; every course for admins)."""

    queryset = Report.objects.none()  # for the schema; requests use get_queryset
    serializer_class = ReportSerializer
    permission_classes = [IsAuthenticated, ModeratesForums]
    filter_backends = [DjangoFilterBackend]
    filterset_class = ReportFilter
    access = staticmethod(report_for)
    needs = {"resolve": "moderate"}

    def get_queryset(self):
        return selectors.report_list_for_moderator(self.request.user)

    @action(detail=True, methods=["post"], filter_backends=[])
    def resolve(self, request, pk=None):
        data = ResolveInputSerializer.validated(request)
        report = services.report_resolve(report=self.get_object(), actor=request.user, resolution=data["action"])
        return Response(ReportSerializer(report, context={"viewer": request.user}).data)


@schema.MODERATION_LOG
class ModerationLogViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = ModerationLog.objects.none()  # for the schema; requests use get_queryset
    serializer_class = ModerationLogSerializer
    permission_classes = [IsAuthenticated, ModeratesForums]
    filter_backends = [DjangoFilterBackend]
    filterset_fields = ["course", "action"]

    def get_queryset(self):
        return selectors.moderation_log_list_for_moderator(self.request.user)
