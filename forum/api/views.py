import django_filters
from django.shortcuts import get_object_or_404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from courses.access import can_manage_course, can_read_content
from courses.selectors import course_list_for_user
from forum import selectors, services
from forum.models import Comment, ModerationLog, Post, Report, ReportStatus
from lms.api.pagination import PAGE_SIZE_DESCRIPTION, CursorPagination, PageNumberPagination
from lms.api.responses import body, ok, page, paginated
from lms.api.responses import errors as shared_errors

from . import examples as ex
from .serializers import (
    CommentInputSerializer,
    CommentSerializer,
    CommentUpdateInputSerializer,
    ModerationLogSerializer,
    PostInputSerializer,
    PostSerializer,
    ReplySerializer,
    ReportInputSerializer,
    ReportSerializer,
    ResolveInputSerializer,
    VoteResultSerializer,
)


def errors(*statuses: int):
    return shared_errors(
        *statuses,
        r403="Not a reader of this forum, not allowed, or the post is locked.",
        r409="Already done (reported), or the item was deleted.",
    )


WRITE = errors(400, 401, 403, 404)


class PostFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(method="filter_search", max_length=200, help_text="Words in titles and bodies.")

    class Meta:
        model = Post
        fields = ["search"]

    def filter_search(self, queryset, name, value):
        return selectors.post_search(queryset, value)


class ThreadPagination(CursorPagination):
    ordering = ("-sort_key", "-id")  # pinned first, then by last activity


def _require_reader(user, course) -> None:
    if not can_read_content(user, course):
        raise PermissionDenied("Only enrolled students, the course's instructor and admins read its forum.")


def _context(user, course) -> dict:
    return {"viewer": user, "is_moderator": can_manage_course(user, course)}


class CourseForumPostsView(APIView):
    permission_classes = [IsAuthenticated]

    def _course(self, request, course_id):
        course = get_object_or_404(course_list_for_user(request.user), pk=course_id)
        _require_reader(request.user, course)
        return course

    @extend_schema(
        parameters=[
            OpenApiParameter("search", str, description="Words in titles and bodies."),
            OpenApiParameter("cursor", str),
            OpenApiParameter("page_size", str, description=PAGE_SIZE_DESCRIPTION),
        ],
        responses={200: paginated(PostSerializer, "PostPage", cursor=True), **errors(400, 401, 403, 404)},
        examples=[
            ok(page(ex.POST, next_page="https://api.example.com/api/v1/courses/1/forum/posts/?cursor=cD0yMDI2LTExLTIw"))
        ],
        summary="The course's threads: pinned first, then by last activity",
        tags=["forum"],
    )
    def get(self, request, course_id):
        course = self._course(request, course_id)
        filterset = PostFilter(request.query_params, queryset=selectors.post_list_for_user(request.user, course=course))
        if not filterset.is_valid():
            raise ValidationError(filterset.errors)
        queryset = filterset.qs
        paginator = ThreadPagination()
        page = paginator.paginate_queryset(queryset, request, view=self)
        return paginator.get_paginated_response(PostSerializer(page, many=True).data)

    @extend_schema(
        request=PostInputSerializer,
        responses={201: PostSerializer, **WRITE},
        examples=[body({"title": ex.NEW_POST["title"], "body": ex.NEW_POST["body"]}), ok(ex.NEW_POST, status=201)],
        summary="Start a thread",
        tags=["forum"],
    )
    def post(self, request, course_id):
        course = self._course(request, course_id)
        post = services.post_create(course=course, author=request.user, **PostInputSerializer.validated(request))
        return Response(PostSerializer(post).data, status=status.HTTP_201_CREATED)


class PostViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    queryset = Post.objects.none()  # for the schema; requests use get_queryset
    serializer_class = PostSerializer
    permission_classes = [IsAuthenticated]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return selectors.post_list_for_user(self.request.user)

    def get_object(self) -> Post:
        post = super().get_object()
        _require_reader(self.request.user, post.course)
        return post

    @extend_schema(responses={200: PostSerializer, **errors(401, 403, 404)}, examples=[ok(ex.POST)], tags=["forum"])
    def retrieve(self, request, *args, **kwargs):
        return Response(PostSerializer(self.get_object()).data)

    @extend_schema(
        request=PostInputSerializer,
        responses={200: PostSerializer, **WRITE, **errors(409)},
        examples=[body({"body": "My while loop never ends."}), ok({**ex.POST, "body": "My while loop never ends."})],
        summary="Edit my post",
        tags=["forum"],
    )
    def partial_update(self, request, *args, **kwargs):
        post = self.get_object()
        if post.author_id != request.user.pk:
            raise PermissionDenied("Only the author can edit a post.")
        data = PostInputSerializer.validated(request, partial=True)
        return Response(PostSerializer(services.post_update(post=post, data=data)).data)

    @extend_schema(
        responses={204: None, **errors(401, 403, 404)},
        summary="Delete (author, course instructor, admin): the text is removed, the thread stays",
        tags=["forum"],
    )
    def destroy(self, request, *args, **kwargs):
        post = self.get_object()
        if post.author_id != request.user.pk and not services.is_moderator(request.user, post.course):
            raise PermissionDenied("Only the author or a moderator can delete a post.")
        services.post_delete(post=post, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        methods=["GET"],
        parameters=[OpenApiParameter("page", int), OpenApiParameter("page_size", int)],
        responses={200: paginated(CommentSerializer, "CommentPage"), **errors(401, 403, 404)},
        examples=[ok(page(ex.COMMENT, count=1))],
        summary="Comments in order, each with its replies",
        tags=["forum"],
    )
    @extend_schema(
        methods=["POST"],
        request=CommentInputSerializer,
        responses={201: ReplySerializer, **WRITE},
        examples=[body({"body": ex.NEW_REPLY["body"], "parent": 1}), ok(ex.NEW_REPLY, status=201)],
        summary="Comment, or reply to a comment with `parent`",
        tags=["forum"],
    )
    @action(detail=True, methods=["get", "post"])
    def comments(self, request, pk=None):
        post = self.get_object()
        context = _context(request.user, post.course)
        if request.method == "GET":
            paginator = PageNumberPagination()
            page = paginator.paginate_queryset(selectors.comment_list_for_post(post), request, view=self)
            return paginator.get_paginated_response(CommentSerializer(page, many=True, context=context).data)
        data = CommentInputSerializer.validated(request)
        parent = None
        if data.get("parent") is not None:
            parent = Comment.objects.filter(pk=data["parent"]).first()
            if parent is None:
                return Response({"parent": ["No such comment."]}, status=status.HTTP_400_BAD_REQUEST)
        comment = services.comment_create(post=post, author=request.user, body=data["body"], parent=parent)
        return Response(ReplySerializer(comment, context=context).data, status=status.HTTP_201_CREATED)

    def _flag(self, flag: str, value: bool):
        post = services.post_set_flag(post=self.get_object(), actor=self.request.user, flag=flag, value=value)
        return Response(PostSerializer(post).data)

    @extend_schema(
        request=None,
        responses={200: PostSerializer, **errors(401, 403, 404)},
        examples=[ok({**ex.POST, "is_pinned": True})],
        summary="Pin (course instructor, admin)",
        tags=["forum"],
    )
    @action(detail=True, methods=["post"])
    def pin(self, request, pk=None):
        return self._flag("is_pinned", True)

    @extend_schema(
        request=None,
        responses={200: PostSerializer, **errors(401, 403, 404)},
        examples=[ok(ex.POST)],
        summary="Unpin (course instructor, admin)",
        tags=["forum"],
    )
    @action(detail=True, methods=["post"])
    def unpin(self, request, pk=None):
        return self._flag("is_pinned", False)

    @extend_schema(
        request=None,
        responses={200: PostSerializer, **errors(401, 403, 404)},
        examples=[ok({**ex.POST, "is_locked": True})],
        summary="Lock: no more comments (course instructor, admin)",
        tags=["forum"],
    )
    @action(detail=True, methods=["post"])
    def lock(self, request, pk=None):
        return self._flag("is_locked", True)

    @extend_schema(
        request=None,
        responses={200: PostSerializer, **errors(401, 403, 404)},
        examples=[ok(ex.POST)],
        summary="Unlock (course instructor, admin)",
        tags=["forum"],
    )
    @action(detail=True, methods=["post"])
    def unlock(self, request, pk=None):
        return self._flag("is_locked", False)

    @extend_schema(
        request=None,
        responses={200: VoteResultSerializer, **errors(401, 403, 404)},
        examples=[ok({"voted": True, "vote_count": 4})],
        summary="Toggle my upvote",
        tags=["forum"],
    )
    @action(detail=True, methods=["post"])
    def upvote(self, request, pk=None):
        post = self.get_object()
        voted = services.vote_toggle(post=post, user=request.user)
        post.refresh_from_db(fields=["vote_count"])
        return Response({"voted": voted, "vote_count": post.vote_count})

    @extend_schema(
        request=ReportInputSerializer,
        responses={201: ReportSerializer, **WRITE, **errors(409)},
        examples=[body({"reason": ex.REPORT["reason"]}), ok(ex.REPORT, status=201)],
        summary="Report this post to the moderators (once)",
        tags=["forum"],
    )
    @action(detail=True, methods=["post"])
    def report(self, request, pk=None):
        report = services.report_create(
            reporter=request.user, post=self.get_object(), **ReportInputSerializer.validated(request)
        )
        return Response(ReportSerializer(report, context={"viewer": request.user}).data, status=status.HTTP_201_CREATED)


class CommentViewSet(viewsets.GenericViewSet):
    queryset = Comment.objects.none()  # for the schema; requests use get_queryset
    serializer_class = ReplySerializer
    permission_classes = [IsAuthenticated]
    http_method_names = ["post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return selectors.comment_list_for_user(self.request.user)

    def get_object(self) -> Comment:
        comment = super().get_object()
        _require_reader(self.request.user, comment.post.course)
        return comment

    @extend_schema(
        request=CommentUpdateInputSerializer,
        responses={200: ReplySerializer, **WRITE, **errors(409)},
        examples=[body({"body": ex.EDITED_COMMENT["body"]}), ok(ex.EDITED_COMMENT)],
        summary="Edit my comment",
        tags=["forum"],
    )
    def partial_update(self, request, *args, **kwargs):
        comment = self.get_object()
        if comment.author_id != request.user.pk:
            raise PermissionDenied("Only the author can edit a comment.")
        comment = services.comment_update(comment=comment, **CommentUpdateInputSerializer.validated(request))
        return Response(ReplySerializer(comment, context=_context(request.user, comment.post.course)).data)

    @extend_schema(
        responses={204: None, **errors(401, 403, 404)},
        summary="Delete (author, course instructor, admin): the text is removed, replies stay",
        tags=["forum"],
    )
    def destroy(self, request, *args, **kwargs):
        comment = self.get_object()
        if comment.author_id != request.user.pk and not services.is_moderator(request.user, comment.post.course):
            raise PermissionDenied("Only the author or a moderator can delete a comment.")
        services.comment_delete(comment=comment, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        request=ReportInputSerializer,
        responses={201: ReportSerializer, **WRITE, **errors(409)},
        examples=[body({"reason": "Spam link"}), ok(ex.COMMENT_REPORT, status=201)],
        summary="Report this comment to the moderators (once)",
        tags=["forum"],
    )
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


class ReportViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Reports on the forums the caller moderates (their courses; every course for admins)."""

    queryset = Report.objects.none()  # for the schema; requests use get_queryset
    serializer_class = ReportSerializer
    permission_classes = [IsAuthenticated]
    filter_backends = [DjangoFilterBackend]
    filterset_class = ReportFilter

    def get_queryset(self):
        if self.request.user.role not in ("instructor", "admin"):
            raise PermissionDenied("Only instructors and admins moderate forums.")
        return selectors.report_list_for_moderator(self.request.user)

    @extend_schema(
        examples=[ok(ex.REPORT)],
        summary="Reports to moderate (?status=open)",
        responses={200: ReportSerializer(many=True), **errors(400, 401, 403, 404)},
        tags=["forum moderation"],
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(
        request=ResolveInputSerializer,
        responses={200: ReportSerializer, **WRITE},
        examples=[body({"action": "hide"}), ok(ex.RESOLVED_REPORT)],
        summary="Resolve: hide the item, restore it, or dismiss the report(s)",
        tags=["forum moderation"],
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def resolve(self, request, pk=None):
        data = ResolveInputSerializer.validated(request)
        report = services.report_resolve(report=self.get_object(), actor=request.user, resolution=data["action"])
        return Response(ReportSerializer(report, context={"viewer": request.user}).data)


class ModerationLogViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = ModerationLog.objects.none()  # for the schema; requests use get_queryset
    serializer_class = ModerationLogSerializer
    permission_classes = [IsAuthenticated]
    filter_backends = [DjangoFilterBackend]
    filterset_fields = ["course", "action"]

    def get_queryset(self):
        if self.request.user.role not in ("instructor", "admin"):
            raise PermissionDenied("Only instructors and admins moderate forums.")
        return selectors.moderation_log_list_for_moderator(self.request.user)

    @extend_schema(
        examples=[ok(ex.MODERATION_LOG)],
        summary="The moderation audit log of the forums I moderate",
        responses={200: ModerationLogSerializer(many=True), **errors(400, 401, 403, 404)},
        tags=["forum moderation"],
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)
