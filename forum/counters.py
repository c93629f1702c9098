"""The thread figures the forum services keep: comment_count (comment_create, comment_delete) and
vote_count (vote_toggle). See lms/counters.py."""

from django.db.models import Count, Q

from lms.counters import Counter, Figure, register

from .models import Post

COMMENT_COUNT = register(
    Counter(
        name="forum.comment_count",
        model=Post,
        figures={"comment_count": Figure(Count("comments", filter=Q(comments__is_removed=False)))},
        definition=(
            "Post.comment_count: the thread's comments and replies that are not deleted (hidden ones count: "
            "moderation hides the text, not the comment)."
        ),
    )
)

VOTE_COUNT = register(
    Counter(
        name="forum.vote_count",
        model=Post,
        figures={"vote_count": Figure(Count("votes"))},
        definition="Post.vote_count: the thread's votes (one per reader).",
    )
)
