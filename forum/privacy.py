"""What the forum holds about a person, for their export and their erasure (privacy.registry; README
"Privacy"): the threads and comments they wrote, their votes, their reports, and the moderation
actions they took."""

from privacy.registry import Eraser, Exporter

from .models import Comment, ModerationLog, Post, Report, Vote
from .selectors import (
    comment_list_by_author,
    moderation_log_list_by_actor,
    post_list_by_author,
    report_list_by_reporter,
    vote_list_by_user,
)
from .services import forum_erase_for_user


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def export(user) -> dict:
    return {
        "posts": [
            {
                "id": post.pk,
                "course_id": post.course_id,
                "course_title": post.course.title,
                "title": post.title,
                "body": post.body,
                "is_pinned": post.is_pinned,
                "is_locked": post.is_locked,
                "is_hidden": post.is_hidden,
                "is_removed": post.is_removed,
                "comment_count": post.comment_count,
                "vote_count": post.vote_count,
                "created_at": _iso(post.created_at),
                "updated_at": _iso(post.updated_at),
            }
            for post in post_list_by_author(user).iterator(chunk_size=500)
        ],
        "comments": [
            {
                "id": comment.pk,
                "post_id": comment.post_id,
                "parent_id": comment.parent_id,
                "body": comment.body,
                "is_hidden": comment.is_hidden,
                "is_removed": comment.is_removed,
                "created_at": _iso(comment.created_at),
                "updated_at": _iso(comment.updated_at),
            }
            for comment in comment_list_by_author(user).iterator(chunk_size=500)
        ],
        "votes": [
            {"post_id": vote.post_id, "created_at": _iso(vote.created_at)}
            for vote in vote_list_by_user(user).iterator(chunk_size=500)
        ],
        "reports": [
            {
                "id": report.pk,
                "course_id": report.course_id,
                "post_id": report.post_id,
                "comment_id": report.comment_id,
                "reason": report.reason,
                "status": report.status,
                "resolution": report.resolution,
                "resolved_at": _iso(report.resolved_at),
                "created_at": _iso(report.created_at),
            }
            for report in report_list_by_reporter(user).iterator(chunk_size=500)
        ],
        "moderation_actions": [
            {
                "id": entry.pk,
                "course_id": entry.course_id,
                "action": entry.action,
                "post_id": entry.post_id,
                "comment_id": entry.comment_id,
                "report_id": entry.report_id,
                "note": entry.note,
                "created_at": _iso(entry.created_at),
            }
            for entry in moderation_log_list_by_actor(user).iterator(chunk_size=500)
        ],
    }


DESCRIBE = {
    "posts.id": "A forum thread you started.",
    "posts.course_id": "The course whose forum it is in.",
    "posts.course_title": "The course's title.",
    "posts.title": 'The thread\'s title as stored ("[removed]" once deleted).',
    "posts.body": 'The thread\'s text as stored ("[removed]" once deleted).',
    "posts.is_pinned": "Whether a moderator pinned it to the top of the forum.",
    "posts.is_locked": "Whether a moderator closed it to new comments.",
    "posts.is_hidden": "Whether it is hidden by moderation (or after readers' reports).",
    "posts.is_removed": "Whether it was deleted (the thread stays, its text is gone).",
    "posts.comment_count": "How many comments it has.",
    "posts.vote_count": "How many readers voted for it.",
    "posts.created_at": "When you posted it.",
    "posts.updated_at": "When it was last changed.",
    "comments.id": "A comment or reply you wrote.",
    "comments.post_id": "The thread it is in.",
    "comments.parent_id": "The comment it replies to, or null for a comment on the thread itself.",
    "comments.body": 'Its text as stored ("[removed]" once deleted).',
    "comments.is_hidden": "Whether it is hidden by moderation (or after readers' reports).",
    "comments.is_removed": "Whether it was deleted.",
    "comments.created_at": "When you wrote it.",
    "comments.updated_at": "When it was last changed.",
    "votes.post_id": "A thread you voted for.",
    "votes.created_at": "When you voted.",
    "reports.id": "A report you made about a post or comment.",
    "reports.course_id": "The course whose forum it is in.",
    "reports.post_id": "The thread you reported, or null.",
    "reports.comment_id": "The comment you reported, or null.",
    "reports.reason": "The reason you gave.",
    "reports.status": "open or resolved.",
    "reports.resolution": "What the moderators decided: hide, restore or dismiss (empty while open).",
    "reports.resolved_at": "When it was resolved.",
    "reports.created_at": "When you reported it.",
    "moderation_actions.id": "A moderation action you took as a course's moderator.",
    "moderation_actions.course_id": "The course whose forum it was in.",
    "moderation_actions.action": "What you did: pin, unpin, lock, unlock, hide, restore, dismiss, delete.",
    "moderation_actions.post_id": "The thread acted on, or null.",
    "moderation_actions.comment_id": "The comment acted on, or null.",
    "moderation_actions.report_id": "The report you resolved, or null.",
    "moderation_actions.note": "The note kept with the action.",
    "moderation_actions.created_at": "When you did it.",
}

NAMED = "their e-mail address and name (first, last, full; whole words, any case) replaced by [removed]"

POLICY = {
    "Post.author": 'kept, pseudonymised: threads stay, by "Deleted user", so the course\'s discussion stays readable',
    "Post.title, Post.body": f"kept (part of the course's discussion), {NAMED}",
    "Comment.author": 'kept, pseudonymised: comments stay, by "Deleted user", so threads stay whole',
    "Comment.body": (
        f"kept (others answered it), {NAMED}; also in others' comments in their threads and replies to theirs "
        "(mentions elsewhere in the forum are not searched)"
    ),
    "Vote.user": (
        "kept, pseudonymised: a vote holds no text, and keeping it keeps other people's threads' vote counts "
        "as they were"
    ),
    "Report.reporter": "kept, pseudonymised: the moderation record (an open report still counts towards hiding)",
    "Report.reason": f"kept (the moderators' record), {NAMED}; also in others' reports on their writing",
    "Report.resolved_by": "kept, pseudonymised: the moderation record of who decided",
    "ModerationLog.actor": "kept, pseudonymised: the append-only moderation log of who did what",
    "Notification (forum_reply, forum_report sent to others)": (
        'rewritten: replies to others by them read "Deleted user replied in ..."; every notification whose text '
        "was rewritten above gets the new text (or the thread's hidden/deleted marker), e-mails still queued too"
    ),
}

EXPORTER = Exporter(name="forum", models=(Post, Comment, Vote, Report, ModerationLog), export=export, describe=DESCRIBE)

ERASER = Eraser(
    name="forum",
    models=(Post, Comment, Vote, Report, ModerationLog),
    erase=lambda user: forum_erase_for_user(user=user),
    policy=POLICY,
)
