from django.conf import settings
from django.db import models
from django.db.models import Q

REMOVED = "[removed]"


class Post(models.Model):
    """A thread in a course's forum. `sort_key` orders the thread list (pinned first, then by last
    activity) as one indexed column, so the list can be cursor-paginated."""

    course = models.ForeignKey("courses.Course", on_delete=models.CASCADE, related_name="forum_posts")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="forum_posts")
    title = models.CharField(max_length=200)
    body = models.TextField(max_length=20000)
    is_pinned = models.BooleanField(default=False)
    is_locked = models.BooleanField(default=False)
    is_hidden = models.BooleanField(default=False, help_text="Hidden by moderation (or by reports).")
    is_removed = models.BooleanField(default=False, help_text="Deleted: the text is gone, the thread stays.")
    comment_count = models.PositiveIntegerField(default=0)
    vote_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    last_activity_at = models.DateTimeField()
    sort_key = models.DateTimeField(editable=False)

    class Meta:
        ordering = ["-sort_key", "-id"]
        indexes = [models.Index(fields=["course", "-sort_key", "-id"], name="forum_post_thread_list")]

    def __str__(self):
        return self.title


class Comment(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="forum_comments")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies")
    body = models.TextField(max_length=10000)
    is_hidden = models.BooleanField(default=False)
    is_removed = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["post", "parent", "created_at"])]

    def __str__(self):
        return self.body[:60]


class Vote(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="votes")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "post"], name="forum_vote_once")]

    def __str__(self):
        return f"{self.user_id} votes for {self.post_id}"


class ReportStatus(models.TextChoices):
    OPEN = "open", "Open"
    RESOLVED = "resolved", "Resolved"


class Resolution(models.TextChoices):
    HIDE = "hide", "Hidden"
    RESTORE = "restore", "Restored"
    DISMISS = "dismiss", "Dismissed"


class Report(models.Model):
    """A reader's flag on a post or a comment (exactly one), once per reader and item."""

    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    course = models.ForeignKey("courses.Course", on_delete=models.CASCADE, related_name="+")
    post = models.ForeignKey(Post, null=True, blank=True, on_delete=models.CASCADE, related_name="reports")
    comment = models.ForeignKey(Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="reports")
    reason = models.CharField(max_length=1000)
    counts_toward_hide = models.BooleanField(
        default=True,
        help_text="Counted towards hiding the item automatically: when it was made, the reporter moderated the "
        "course, or their account and enrollment were old enough (FORUM_REPORT_MIN_*_AGE_DAYS).",
    )
    status = models.CharField(max_length=10, choices=ReportStatus.choices, default=ReportStatus.OPEN)
    resolution = models.CharField(max_length=10, choices=Resolution.choices, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
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
        return f"Report {self.pk} ({self.status})"


class ModerationAction(models.TextChoices):
    PIN = "pin", "Pinned"
    UNPIN = "unpin", "Unpinned"
    LOCK = "lock", "Locked"
    UNLOCK = "unlock", "Unlocked"
    HIDE = "hide", "Hidden"
    RESTORE = "restore", "Restored"
    DISMISS = "dismiss", "Report dismissed"
    AUTO_HIDE = "auto_hide", "Hidden automatically after reports"
    DELETE = "delete", "Deleted by a moderator"


class ModerationLog(models.Model):
    """Every moderation action: who did what to which item, and when. Never edited."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    course = models.ForeignKey("courses.Course", on_delete=models.CASCADE, related_name="+")
    action = models.CharField(max_length=12, choices=ModerationAction.choices)
    post = models.ForeignKey(Post, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    comment = models.ForeignKey(Comment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    report = models.ForeignKey(Report, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["course", "-created_at"])]

    def __str__(self):
        return f"{self.action} by {self.actor_id}"
