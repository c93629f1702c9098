from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop, pgettext_lazy

# Stored in place of deleted text (the msgid: the API shows it translated: forum.api.serializers.REMOVED).
REMOVED = gettext_noop("[removed]")


class Post(models.Model):
    """A thread in a course's forum. `sort_key` orders the thread list (pinned first, then by last
    activity) as one indexed column, so the list can be cursor-paginated."""

    course = models.ForeignKey(
        "courses.Course", on_delete=models.CASCADE, related_name="forum_posts", verbose_name=_("course")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="forum_posts", verbose_name=_("author")
    )
    title = models.CharField(verbose_name=_("title"), max_length=200)
    body = models.TextField(verbose_name=_("body"), max_length=20000)
    is_pinned = models.BooleanField(verbose_name=_("pinned"), default=False)
    is_locked = models.BooleanField(verbose_name=_("locked"), default=False)
    is_hidden = models.BooleanField(
        verbose_name=_("hidden"), default=False, help_text=_("Hidden by moderation (or by reports).")
    )
    is_removed = models.BooleanField(
        verbose_name=_("deleted"), default=False, help_text=_("Deleted: the text is gone, the thread stays.")
    )
    comment_count = models.PositiveIntegerField(verbose_name=_("comments"), default=0)
    vote_count = models.PositiveIntegerField(verbose_name=_("votes"), default=0)
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(verbose_name=_("updated at"), auto_now=True)
    last_activity_at = models.DateTimeField(verbose_name=_("last activity at"))
    sort_key = models.DateTimeField(verbose_name=_("sort key"), editable=False)

    class Meta:
        verbose_name = _("forum post")
        verbose_name_plural = _("forum posts")
        ordering = ["-sort_key", "-id"]
        indexes = [models.Index(fields=["course", "-sort_key", "-id"], name="forum_post_thread_list")]

    def __str__(self):
        return self.title


class Comment(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="comments", verbose_name=_("post"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="forum_comments", verbose_name=_("author")
    )
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="replies",
        verbose_name=_("reply to"),
    )
    body = models.TextField(verbose_name=_("body"), max_length=10000)
    is_hidden = models.BooleanField(verbose_name=_("hidden"), default=False)
    is_removed = models.BooleanField(verbose_name=_("deleted"), default=False)
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(verbose_name=_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("forum comment")
        verbose_name_plural = _("forum comments")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["post", "parent", "created_at"])]

    def __str__(self):
        return self.body[:60]


class Vote(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="votes", verbose_name=_("post"))
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        constraints = [models.UniqueConstraint(fields=["user", "post"], name="forum_vote_once")]

    def __str__(self):
        return _("{user} votes for {post}").format(user=self.user_id, post=self.post_id)


class ReportStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("forum report status", "Open")
    RESOLVED = "resolved", _("Resolved")


class Resolution(models.TextChoices):
    HIDE = "hide", _("Hidden")
    RESTORE = "restore", _("Restored")
    DISMISS = "dismiss", _("Dismissed")


class Report(models.Model):
    """A reader's flag on a post or a comment (exactly one), once per reader and item."""

    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("reporter")
    )
    course = models.ForeignKey("courses.Course", on_delete=models.CASCADE, related_name="+", verbose_name=_("course"))
    post = models.ForeignKey(
        Post, null=True, blank=True, on_delete=models.CASCADE, related_name="reports", verbose_name=_("post")
    )
    comment = models.ForeignKey(
        Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="reports", verbose_name=_("comment")
    )
    reason = models.CharField(verbose_name=_("reason"), max_length=1000)
    counts_toward_hide = models.BooleanField(
        verbose_name=_("counts toward hiding"),
        default=True,
        help_text=_(
            "Counted towards hiding the item automatically: when it was made, the reporter moderated the "
            "course, or their account and enrollment were old enough (FORUM_REPORT_MIN_*_AGE_DAYS)."
        ),
    )
    status = models.CharField(
        verbose_name=_("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.OPEN
    )
    resolution = models.CharField(verbose_name=_("resolution"), max_length=10, choices=Resolution.choices, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("resolved by"),
    )
    resolved_at = models.DateTimeField(verbose_name=_("resolved at"), null=True, blank=True)
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("forum report")
        verbose_name_plural = _("forum reports")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(post__isnull=False) & Q(comment__isnull=True))
                | (Q(post__isnull=True) & Q(comment__isnull=False)),
                name="forum_report_one_target",
            ),
            models.UniqueConstraint(
                fields=["reporter", "post"], condition=Q(post__isnull=False), name="forum_report_post_once"
            ),
            models.UniqueConstraint(
                fields=["reporter", "comment"], condition=Q(comment__isnull=False), name="forum_report_comment_once"
            ),
        ]
        indexes = [models.Index(fields=["course", "status", "-created_at"])]

    def __str__(self):
        return _("Report {id} ({status})").format(id=self.pk, status=self.status)


class ModerationAction(models.TextChoices):
    PIN = "pin", _("Pinned")
    UNPIN = "unpin", _("Unpinned")
    LOCK = "lock", _("Locked")
    UNLOCK = "unlock", _("Unlocked")
    HIDE = "hide", _("Hidden")
    RESTORE = "restore", _("Restored")
    DISMISS = "dismiss", _("Report dismissed")
    AUTO_HIDE = "auto_hide", _("Hidden automatically after reports")
    DELETE = "delete", _("Deleted by a moderator")


class ModerationLog(models.Model):
    """Every moderation action: who did what to which item, and when. Never edited."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("actor"),
    )
    course = models.ForeignKey("courses.Course", on_delete=models.CASCADE, related_name="+", verbose_name=_("course"))
    action = models.CharField(verbose_name=_("action"), max_length=12, choices=ModerationAction.choices)
    post = models.ForeignKey(
        Post, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("post")
    )
    comment = models.ForeignKey(
        Comment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("comment")
    )
    report = models.ForeignKey(
        Report, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("report")
    )
    note = models.CharField(verbose_name=_("note"), max_length=500, blank=True)
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("moderation log entry")
        verbose_name_plural = _("moderation log entries")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["course", "-created_at"])]

    def __str__(self):
        return _("{action} by {actor}").format(action=self.action, actor=self.actor_id)
