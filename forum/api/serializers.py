from django.utils.translation import gettext_lazy as _
from drf_spectacular.helpers import lazy_serializer
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.api.serializers import PublicUserSerializer
from forum.access import is_moderator
from forum.models import Comment, ModerationLog, Post, Report, Resolution
from lms.api.serializers import InputSerializer, WholeInputSerializer

# Shown instead of hidden text, and of deleted text (stored as forum.models.REMOVED), in the reader's language.
HIDDEN = _("[hidden by a moderator]")
REMOVED = _("[removed]")


class PostInputSerializer(InputSerializer):
    title = serializers.CharField(max_length=200)
    body = serializers.CharField(max_length=20000)


class CommentInputSerializer(InputSerializer):
    body = serializers.CharField(max_length=10000)
    parent = serializers.IntegerField(required=False, allow_null=True, help_text="A top-level comment to reply to.")


class CommentUpdateInputSerializer(WholeInputSerializer):
    body = serializers.CharField(max_length=10000)


class ReportInputSerializer(InputSerializer):
    reason = serializers.CharField(max_length=1000)


class ResolveInputSerializer(InputSerializer):
    action = serializers.ChoiceField(choices=Resolution.choices)


class PostSerializer(serializers.ModelSerializer):
    author = PublicUserSerializer()
    has_voted = serializers.BooleanField(default=False)

    class Meta:
        model = Post
        fields = [
            "id",
            "course",
            "author",
            "title",
            "body",
            "is_pinned",
            "is_locked",
            "is_hidden",
            "is_removed",
            "comment_count",
            "vote_count",
            "has_voted",
            "created_at",
            "updated_at",
            "last_activity_at",
        ]
        read_only_fields = fields

    def to_representation(self, post):
        data = super().to_representation(post)
        if post.is_removed:  # the stored marker, in the reader's language
            data["title"] = data["body"] = str(REMOVED)
        return data


class CommentSerializer(serializers.ModelSerializer):
    """A comment, with its replies (a reply's own `replies` is always []: replies go one level deep).
    A hidden one shows its text only to moderators and its author."""

    # Context: `viewer` and the thread's `course` (whose moderators see hidden text). Replies are read
    # from `comment.replies.all()`: prefetched in order with their authors by comment_list_for_post.

    author = PublicUserSerializer()
    body = serializers.SerializerMethodField()
    replies = serializers.SerializerMethodField()

    class Meta:
        model = Comment
        fields = [
            "id",
            "post",
            "parent",
            "author",
            "body",
            "is_hidden",
            "is_removed",
            "created_at",
            "updated_at",
            "replies",
        ]
        read_only_fields = fields

    def get_body(self, comment) -> str:
        viewer = self.context.get("viewer")
        own = comment.author_id == getattr(viewer, "pk", None)
        if comment.is_hidden and not (own or self._moderates()):
            return str(HIDDEN)
        if comment.is_removed:
            return str(REMOVED)
        return comment.body

    @extend_schema_field(lazy_serializer("forum.api.serializers.CommentSerializer")(many=True))
    def get_replies(self, comment):
        if comment.parent_id is not None:
            return []
        return CommentSerializer(comment.replies.all(), many=True, context=self.context).data

    def _moderates(self) -> bool:
        course = self.context.get("course")
        return course is not None and is_moderator(self.context.get("viewer"), course)


class VoteResultSerializer(serializers.Serializer):
    voted = serializers.BooleanField()
    vote_count = serializers.IntegerField()


class ReportSerializer(serializers.ModelSerializer):
    reporter = PublicUserSerializer()
    resolved_by = PublicUserSerializer(allow_null=True)
    excerpt = serializers.SerializerMethodField()
    resolution = serializers.ChoiceField(
        choices=Resolution.choices, allow_blank=True, help_text="Empty while the report is open."
    )

    class Meta:
        model = Report
        fields = [
            "id",
            "course",
            "post",
            "comment",
            "reporter",
            "reason",
            "excerpt",
            "status",
            "resolution",
            "resolved_by",
            "resolved_at",
            "created_at",
        ]
        read_only_fields = fields

    def get_excerpt(self, report) -> str:
        """The start of the reported text (a post's title). Hidden text (a hidden item, or a comment
        in a hidden thread) is for the course's moderators only: anyone else gets the marker."""
        item = report.post or report.comment
        if item is None:
            return ""
        if not self._moderates(report.course) and _hidden(report):
            return str(HIDDEN)
        if item.is_removed:
            return str(REMOVED)
        return (getattr(item, "title", "") or item.body)[:200]

    def _moderates(self, course) -> bool:
        viewer = self.context.get("viewer") or getattr(self.context.get("request"), "user", None)
        return viewer is not None and is_moderator(viewer, course)


def _hidden(report) -> bool:
    if report.post_id:
        return report.post.is_hidden
    return report.comment.is_hidden or report.comment.post.is_hidden


class ModerationLogSerializer(serializers.ModelSerializer):
    actor = PublicUserSerializer(allow_null=True, help_text="null: done automatically.")

    class Meta:
        model = ModerationLog
        fields = ["id", "course", "actor", "action", "post", "comment", "report", "note", "created_at"]
        read_only_fields = fields
