"""Every write to the forum, with its rules: who may take part, locks, one vote and one report per
reader, soft deletes that keep threads whole, and an audit log of every moderation action."""

from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext, ngettext_lazy
from django.utils.translation import gettext_lazy as _

from accounts.roles import is_admin
from activity.models import Verb
from activity.services import activity_record
from courses.access import can_read_content
from courses.selectors import enrollment_get_active
from lms.errors import Conflict, InvalidInput, NotFound, NotPermitted
from lms.services import model_update
from notifications.models import NotificationType
from notifications.services import notifications_withdraw, notify
from privacy.redaction import identity_pattern

from .access import DELETE_DENIED, EDIT_DENIED, MODERATE_DENIED, is_author, is_moderator, may_delete, may_open
from .models import (
    REMOVED,
    Comment,
    ModerationAction,
    ModerationLog,
    Post,
    Report,
    ReportStatus,
    Resolution,
    Vote,
)
from .selectors import comment_list_about_user, post_list_by_author, report_list_about_user

# Pinned threads sort above every unpinned one: their sort key is their last activity, far ahead.
PIN_OFFSET = timedelta(days=365 * 1000)

# What forum_reply notifications say instead once the text they carried is hidden: lazy, so that
# notifications_withdraw writes each reader's notifications in the reader's language (and keeps the
# English for e-mail copies still queued, translated when sent).
HIDDEN_REPLY = _("This reply was hidden by a moderator.")
HIDDEN_THREAD_TITLE = _("A reply in a thread hidden by a moderator")
HIDDEN_THREAD = _("This thread was hidden by a moderator.")

# The forum_reply title; "Deleted user" stands for the author once their account is erased.
REPLY_TITLE = _("{author} replied in “{thread}”")
DELETED_USER = _("Deleted user")
REMOVED_THREAD = _("[removed]")  # a deleted thread's title (stored as models.REMOVED), in the reader's language

PARTICIPANTS_ONLY = _("Only enrolled students, the course's instructor and admins take part in its forum.")
POST_DELETED = _("This post was deleted.")
COMMENT_DELETED = _("This comment was deleted.")


def _require_participant(user, course) -> None:
    if not can_read_content(user, course):
        raise NotPermitted(PARTICIPANTS_ONLY, code="not_enrolled")


def _require_moderator(user, course) -> None:
    if not is_moderator(user, course):
        raise NotPermitted(MODERATE_DENIED, code="not_course_staff")


def _require_open(user, post: Post) -> None:
    """A hidden thread does not exist for those who may not open it (forum.access.may_open)."""
    if not may_open(user, post):
        raise NotFound(gettext("No such post."))


def _require_editor(user, item: Post | Comment, course, noun: str) -> None:
    """Text is edited by its author while they take part in the forum, and by admins (the admin
    site). The API is stricter: only the author (forum.access, need "edit")."""
    _require_participant(user, course)
    if not (is_author(user, item) or is_admin(user)):
        raise NotPermitted(EDIT_DENIED[noun], code="not_author")


def _edit(item: Post | Comment, *, fields: tuple[str, ...], data: dict, removed: str):
    """Writes the changed text to the stored row, read under its lock (the caller's copy may be
    stale, or already changed in memory by an admin form), then onto the caller's copy."""
    current = type(item).objects.select_for_update().get(pk=item.pk)
    if current.is_removed:
        raise Conflict(removed, code="removed")
    model_update(instance=current, fields=fields, data=data)
    for field in (*fields, "updated_at"):
        setattr(item, field, getattr(current, field))
    return item


def _require_deleter(user, item: Post | Comment, course, noun: str) -> None:
    _require_participant(user, course)
    if not may_delete(user, item, course):
        raise NotPermitted(DELETE_DENIED[noun], code="not_author")


def _sort_key(post: Post):
    return post.last_activity_at + PIN_OFFSET if post.is_pinned else post.last_activity_at


def _log(*, actor, course_id, action, post=None, comment=None, report=None, note="") -> None:
    ModerationLog.objects.create(
        actor=actor, course_id=course_id, action=action, post=post, comment=comment, report=report, note=note
    )


# --- posts ---------------------------------------------------------------------------------------
@transaction.atomic
def post_create(*, course, author, title: str, body: str) -> Post:
    """Starts a thread and records the activity. `author`: a participant of the course (an active
    enrollment, or they manage it; NotPermitted otherwise). No lock: a new row."""
    _require_participant(author, course)
    now = timezone.now()
    post = Post.objects.create(course=course, author=author, title=title, body=body, last_activity_at=now, sort_key=now)
    activity_record(actor=author, verb=Verb.FORUM_POST_CREATED, target=post, course=course)
    return post


@transaction.atomic
def post_update(*, post: Post, actor, data: dict) -> Post:
    """Edits the title and/or body (those of `data`'s keys present). `actor`: the author while they
    take part in the forum, or an admin (the admin site); anyone else is refused (NotPermitted).
    Takes the post row's lock, so an edit never writes text back into a post deleted meanwhile
    (409 `removed`)."""
    _require_editor(actor, post, post.course, "post")
    return _edit(post, fields=("title", "body"), data=data, removed=POST_DELETED)


@transaction.atomic
def post_delete(*, post: Post, actor) -> Post:
    """A soft delete: the text is replaced by a marker, comments and counts stay. `actor`: the
    author or a moderator of the course, while they take part in it (NotPermitted otherwise); a
    moderator's delete of someone else's post is logged. Takes the post row's lock: deleting twice
    changes nothing the second time."""
    _require_deleter(actor, post, post.course, "post")
    if Post.objects.select_for_update().values_list("is_removed", flat=True).get(pk=post.pk):
        post.is_removed, post.title, post.body = True, REMOVED, REMOVED
        return post
    post.is_removed = True
    post.title = post.body = REMOVED
    post.save(update_fields=["is_removed", "title", "body", "updated_at"])
    if actor.pk != post.author_id:
        _log(actor=actor, course_id=post.course_id, action=ModerationAction.DELETE, post=post)
    return post


@transaction.atomic
def post_set_flag(*, post: Post, actor, flag: str, value: bool) -> Post:
    """Pins/unpins or locks/unlocks, and logs it. `actor`: a moderator of the course (NotPermitted
    otherwise). Takes the post row's lock (comment_create takes it too: the sort key is never
    overwritten by a stale one)."""
    _require_moderator(actor, post.course)
    post = Post.objects.select_for_update(of=("self",)).select_related("course").get(pk=post.pk)
    if getattr(post, flag) != value:
        setattr(post, flag, value)
        post.sort_key = _sort_key(post)
        post.save(update_fields=[flag, "sort_key", "updated_at"])
        action = {
            ("is_pinned", True): ModerationAction.PIN,
            ("is_pinned", False): ModerationAction.UNPIN,
            ("is_locked", True): ModerationAction.LOCK,
            ("is_locked", False): ModerationAction.UNLOCK,
        }[(flag, value)]
        _log(actor=actor, course_id=post.course_id, action=action, post=post)
    return post


@transaction.atomic
def vote_toggle(*, post: Post, user) -> bool:
    """Adds the user's vote, or takes it back. Returns whether the user now votes for the post.
    `user`: a participant who may open the thread (NotPermitted / NotFound otherwise). No lock: the
    unique constraint keeps one vote per reader and the count moves with F()."""
    _require_participant(user, post.course)
    _require_open(user, post)
    deleted, _ = Vote.objects.filter(post=post, user=user).delete()
    if deleted:
        Post.objects.filter(pk=post.pk).update(vote_count=F("vote_count") - 1)
        return False
    try:
        with transaction.atomic():
            Vote.objects.create(post=post, user=user)
    except IntegrityError:  # a concurrent toggle voted first: the vote stands
        return True
    Post.objects.filter(pk=post.pk).update(vote_count=F("vote_count") + 1)
    return True


# --- comments ------------------------------------------------------------------------------------
@transaction.atomic
def comment_create(*, post: Post, author, body: str, parent: Comment | None = None) -> Comment:
    """Comments on a post, or replies to one of its top-level comments (one level of replies).
    Locked or deleted posts take no comments (403), except from moderators on a locked one; a
    hidden one is 404 to all but its author and the moderators. Tells the post's author (and the
    parent comment's author) with `forum_reply`; in a hidden thread, only those who can open it.
    `author`: a participant of the course (NotPermitted otherwise). Takes the post row's lock."""
    course = post.course
    _require_participant(author, course)
    # Lock the thread: its pinned and locked flags and its sort key are read and written under the
    # same lock post_set_flag takes, so a pin landing meanwhile is never overwritten by a stale key.
    post = Post.objects.select_for_update().get(pk=post.pk)
    post.course = course
    _require_open(author, post)
    if post.is_removed:
        raise NotPermitted(POST_DELETED, code="post_removed")
    if post.is_locked and not is_moderator(author, course):
        raise NotPermitted(gettext("This post is locked."), code="post_locked")
    if parent is not None:
        if parent.post_id != post.pk:
            raise ValidationError({"parent": [gettext("This comment belongs to another post.")]})
        if parent.parent_id is not None:
            raise ValidationError({"parent": [gettext("Reply to a top-level comment; replies go one level deep.")]})
    comment = Comment.objects.create(post=post, author=author, body=body, parent=parent)
    now = timezone.now()
    post.last_activity_at = now
    post.sort_key = _sort_key(post)
    Post.objects.filter(pk=post.pk).update(
        comment_count=F("comment_count") + 1, last_activity_at=now, sort_key=post.sort_key
    )
    recipients = {post.author_id}
    if parent is not None and (not post.is_hidden or is_moderator(parent.author, course)):
        recipients.add(parent.author_id)
    recipients.discard(author.pk)
    if recipients:
        notify(
            recipients=recipients,
            type="forum_reply",
            title=format_lazy(REPLY_TITLE, author=author.full_name, thread=post.title),
            body=body[:300],
            payload={"course_id": course.pk, "post_id": post.pk, "comment_id": comment.pk},
        )
    activity_record(actor=author, verb=Verb.FORUM_COMMENT_CREATED, target=comment, course=course)
    return comment


@transaction.atomic
def comment_update(*, comment: Comment, actor, body: str) -> Comment:
    """Edits the body. `actor`: the author while they take part in the forum, or an admin (the
    admin site); anyone else is refused (NotPermitted). Takes the comment row's lock, so an edit
    never writes text back into a comment deleted meanwhile (409 `removed`)."""
    _require_editor(actor, comment, comment.post.course, "comment")
    return _edit(comment, fields=("body",), data={"body": body}, removed=COMMENT_DELETED)


@transaction.atomic
def comment_delete(*, comment: Comment, actor) -> Comment:
    """A soft delete: the text becomes a marker; replies stay under it. `actor`: the author or a
    moderator of the course, while they take part in it (NotPermitted otherwise); a moderator's
    delete of someone else's comment is logged. Takes the comment row's lock, so the thread's
    comment_count drops once however many deletes race."""
    course = comment.post.course
    _require_deleter(actor, comment, course, "comment")
    if Comment.objects.select_for_update().values_list("is_removed", flat=True).get(pk=comment.pk):
        comment.is_removed, comment.body = True, REMOVED
        return comment
    comment.is_removed = True
    comment.body = REMOVED
    comment.save(update_fields=["is_removed", "body", "updated_at"])
    Post.objects.filter(pk=comment.post_id).update(comment_count=F("comment_count") - 1)
    if actor.pk != comment.author_id:
        _log(actor=actor, course_id=course.pk, action=ModerationAction.DELETE, comment=comment)
    return comment


# --- reports and moderation ----------------------------------------------------------------------
def _report_counts(reporter, course) -> bool:
    """Whether a new report by `reporter` counts towards hiding the item automatically: always for
    the course's moderators; for anyone else only from an account FORUM_REPORT_MIN_ACCOUNT_AGE_DAYS
    old, enrolled in the course at least FORUM_REPORT_MIN_ENROLLMENT_AGE_DAYS (so accounts made and
    enrolled in a free course for the purpose cannot hide anything)."""
    if is_moderator(reporter, course):
        return True
    now = timezone.now()
    if reporter.date_joined > now - timedelta(days=settings.FORUM_REPORT_MIN_ACCOUNT_AGE_DAYS):
        return False
    enrollment = enrollment_get_active(student=reporter, course=course)
    return enrollment is not None and enrollment.enrolled_at <= now - timedelta(
        days=settings.FORUM_REPORT_MIN_ENROLLMENT_AGE_DAYS
    )


@transaction.atomic
def report_create(*, reporter, reason: str, post: Post | None = None, comment: Comment | None = None) -> Report:
    """Flags a post or comment, once per reader (409 the second time); in a hidden thread, only its
    author and the moderators can (404). Tells the course's instructor at once (`forum_report`,
    unless they are the reporter). When FORUM_AUTO_HIDE_REPORTS distinct readers whose reports
    count (_report_counts) have an open report on an item, it is hidden until a moderator resolves
    them, and its text is withdrawn from notifications (_withdraw_text); writing by the course's
    moderators is never hidden automatically. `reporter`: a participant who may open the thread.
    Takes the reported item's row lock."""
    course = post.course if post else comment.post.course
    _require_participant(reporter, course)
    # Lock the item: reports on it are counted one at a time, so the threshold is never missed.
    item = type(post or comment).objects.select_for_update().get(pk=(post or comment).pk)
    thread = item if post else Post.objects.get(pk=item.post_id)  # as it is now: hidden or not
    thread.course = course
    _require_open(reporter, thread)
    if item.author_id == reporter.pk:
        raise InvalidInput(gettext("You cannot report your own writing."), code="own_item")
    target = {"post": item} if post else {"comment": item}
    counts = _report_counts(reporter, course)
    try:
        with transaction.atomic():
            report = Report.objects.create(
                reporter=reporter, course=course, reason=reason, counts_toward_hide=counts, **target
            )
    except IntegrityError as exc:
        raise Conflict(gettext("You have already reported this."), code="already_reported") from exc
    hidden_now = False
    if counts and not item.is_hidden:
        open_reports = (
            Report.objects.filter(status=ReportStatus.OPEN, counts_toward_hide=True, **target)
            .values("reporter")
            .distinct()
            .count()
        )
        if open_reports >= settings.FORUM_AUTO_HIDE_REPORTS and not is_moderator(item.author, course):
            type(item).objects.filter(pk=item.pk).update(is_hidden=True)
            item.is_hidden = hidden_now = True
            _log(
                actor=None,
                course_id=course.pk,
                action=ModerationAction.AUTO_HIDE,
                report=report,
                note=f"{open_reports} readers reported it",
                **target,
            )
            _withdraw_text(item)
    _tell_moderators(report=report, item=item, hidden_now=hidden_now)
    return report


def _tell_moderators(*, report: Report, item: Post | Comment, hidden_now: bool) -> None:
    """`forum_report` to the course's instructor, in-app and by e-mail as they chose, unless they
    reported it themselves. It names the item but does not quote it."""
    course = report.course
    if course.instructor_id == report.reporter_id:
        return
    is_post = isinstance(item, Post)
    payload = {"course_id": course.pk, "report_id": report.pk, "post_id": report.post_id or item.post_id}
    if not is_post:
        payload["comment_id"] = item.pk
    body = _report_body(report.reason, hidden_now=hidden_now)
    if is_post:
        title = format_lazy(_("A post was reported in the forum of “{course}”"), course=course.title)
    else:
        title = format_lazy(_("A comment was reported in the forum of “{course}”"), course=course.title)
    notify(
        recipients=[course.instructor_id],
        type=NotificationType.FORUM_REPORT,
        title=title,
        body=body,
        payload=payload,
    )


def _report_body(reason: str, *, hidden_now: bool):
    """The forum_report notification's body: the reason given, and whether the report hid the item.
    Lazy: rendered in the instructor's language (notifications.services.notify)."""
    reason = reason[:300]
    if hidden_now:
        threshold = settings.FORUM_AUTO_HIDE_REPORTS
        return format_lazy(
            ngettext_lazy(
                "Reason given: {reason}\nIt was hidden automatically after {count} report.",
                "Reason given: {reason}\nIt was hidden automatically after {count} reports.",
                threshold,
            ),
            reason=reason,
            count=threshold,
        )
    return format_lazy(_("Reason given: {reason}"), reason=reason)


def _withdraw_text(item: Post | Comment) -> None:
    """Takes the text of a hidden comment, or of every comment in a hidden thread (and the thread's
    title), out of the forum_reply notifications that carried it: stored ones now, e-mail copies
    still queued when they are sent. Restoring the item does not put the text back (it is shown
    again in the thread, which the notification still links to)."""
    if isinstance(item, Comment):
        recipients = {item.post.author_id}
        if item.parent_id is not None:
            recipients.update(Comment.objects.filter(pk=item.parent_id).values_list("author_id", flat=True))
        notifications_withdraw(
            type=NotificationType.FORUM_REPLY,
            key="comment_id",
            values=[item.pk],
            body=HIDDEN_REPLY,
            recipients=recipients,
        )
        return
    comments = list(Comment.objects.filter(post=item).values_list("pk", "author_id"))
    if comments:
        notifications_withdraw(
            type=NotificationType.FORUM_REPLY,
            key="comment_id",
            values=[pk for pk, _ in comments],
            title=HIDDEN_THREAD_TITLE,
            body=HIDDEN_THREAD,
            recipients={item.author_id, *(author_id for _, author_id in comments)},
        )


@transaction.atomic
def report_resolve(*, report: Report, actor, resolution: str) -> Report:
    """A moderator's decision on a reported item: hide it, restore it (make it visible), or dismiss
    the report(s) and leave the item as it is. Closes every open report on the same item, and logs
    the decision. `actor`: a moderator of the report's course (NotPermitted otherwise). Takes the
    reported item's row lock (report_create counts reports under it), so a report landing meanwhile
    is either closed by this decision or counted after it."""
    _require_moderator(actor, report.course)
    if resolution not in Resolution.values:
        raise ValidationError(
            {"action": [gettext("Choose one of {choices}.").format(choices=", ".join(Resolution.values))]}
        )
    target = {"post_id": report.post_id} if report.post_id else {"comment_id": report.comment_id}
    model = Post if report.post_id else Comment
    model.objects.select_for_update().filter(pk=report.post_id or report.comment_id).first()
    if resolution in (Resolution.HIDE, Resolution.RESTORE):
        model.objects.filter(pk=report.post_id or report.comment_id).update(is_hidden=resolution == Resolution.HIDE)
    if resolution == Resolution.HIDE:
        _withdraw_text(report.post or report.comment)
    Report.objects.filter(status=ReportStatus.OPEN, **target).update(
        status=ReportStatus.RESOLVED, resolution=resolution, resolved_by=actor, resolved_at=timezone.now()
    )
    report.refresh_from_db()
    _log(
        actor=actor,
        course_id=report.course_id,
        action=resolution,
        report=report,
        post=report.post if report.post_id else None,
        comment=report.comment if report.comment_id else None,
    )
    return report


@transaction.atomic
def item_set_hidden(*, item: Post | Comment, actor, hidden: bool) -> None:
    """A moderator hides or restores a post or comment directly (the admin's actions), logged.
    Hiding withdraws its text from the notifications that carried it (_withdraw_text); restoring
    does not put it back. `actor`: a moderator of the course (NotPermitted otherwise). Takes the
    item's row lock, so hiding it twice at once is one action in the log."""
    course = item.course if isinstance(item, Post) else item.post.course
    _require_moderator(actor, course)
    if type(item).objects.select_for_update().values_list("is_hidden", flat=True).get(pk=item.pk) != hidden:
        type(item).objects.filter(pk=item.pk).update(is_hidden=hidden)
        item.is_hidden = hidden
        if hidden:
            _withdraw_text(item)
        target = {"post": item} if isinstance(item, Post) else {"comment": item}
        _log(
            actor=actor,
            course_id=course.pk,
            action=ModerationAction.HIDE if hidden else ModerationAction.RESTORE,
            **target,
        )


# --- erasure (privacy) ---------------------------------------------------------------------------
def _redactor(user) -> Callable[[str], str]:
    """`text` with every mention of the person (privacy.redaction.identity_pattern) replaced by the removed marker."""
    pattern = identity_pattern(user)
    if pattern is None:
        return lambda text: text
    return lambda text: pattern.sub(REMOVED, text)


def _reply_notification_text(comment: Comment, *, author, thread: str, body: str) -> tuple:
    """The title and body a forum_reply notification about `comment` shows once the erasure has
    rewritten it: `author` and the `thread` title named in the title, and for the body what the
    thread shows now: the markers of _withdraw_text for hidden text, the deleted marker, or `body`."""
    post = comment.post
    if post.is_hidden:
        return HIDDEN_THREAD_TITLE, HIDDEN_THREAD
    title = format_lazy(REPLY_TITLE, author=author, thread=REMOVED_THREAD if post.is_removed else thread)
    if comment.is_hidden:
        return title, HIDDEN_REPLY
    if comment.is_removed:
        return title, COMMENT_DELETED
    return title, body[:300]


def _erase_from_comment(comment: Comment, *, user, redact) -> int:
    """Takes the person out of one comment (theirs, or one answering them) and out of the forum_reply
    notifications it sent: those first, then the row, so a run that dies in between redoes both."""
    theirs = comment.author_id == user.pk
    body, thread = redact(comment.body), redact(comment.post.title)
    rewritten = 0
    if theirs or body != comment.body or thread != comment.post.title:
        recipients = {comment.post.author_id}
        if comment.parent_id is not None:
            recipients.add(comment.parent.author_id)
        recipients.discard(comment.author_id)
        if recipients:  # nobody is told of a reply to themselves
            title, text = _reply_notification_text(
                comment, author=DELETED_USER if theirs else comment.author.full_name, thread=thread, body=body
            )
            rewritten = notifications_withdraw(
                type=NotificationType.FORUM_REPLY,
                key="comment_id",
                values=[comment.pk],
                title=title,
                body=text,
                recipients=recipients,
            )
    if body != comment.body:  # compare and set: a moderator's delete meanwhile wins
        Comment.objects.filter(pk=comment.pk, body=comment.body).update(body=body)
    return rewritten


def forum_erase_for_user(*, user) -> int:
    """What erasing `user`'s account does to the forum (privacy; README "Privacy"). No row is
    deleted: their posts and comments stay, so threads stay whole (the author reads "Deleted user"
    once the accounts eraser, last, pseudonymises the user row); their votes stay, so other people's
    threads keep their vote counts (lms/counters.py: nothing to recount); their reports and
    moderation actions stay as the course's moderation record, pointing at the pseudonym.

    What is rewritten is text that names them: their e-mail address and name (privacy.redaction.identity_pattern)
    become "[removed]" in their posts' titles and bodies, their comments, their reports' reasons, and
    in what others wrote to them (comments in their threads, replies to their comments, reports on
    their writing); mentions elsewhere in the forum are not searched. The notifications that carried
    that text are rewritten through notifications_withdraw (which covers e-mail copies still queued):
    forum_reply ones about their comments get "Deleted user" in the title ("{author} replied in
    “{thread}”"), and every rewritten one a body that shows no more than the thread does now;
    forum_report ones about a rewritten reason get the new reason. Returns how many stored
    notifications were rewritten.

    Called by the platform only, before the account is pseudonymised (the privacy erasure job:
    actor None; no permission check). Takes no lock: each row changes by compare and set (a
    moderator's delete or hide meanwhile wins). Resumable: per item, notifications are rewritten
    before the row, posts after their comments, so a run that dies half way leaves every changed
    row's notifications done, and the next run finds the rest. Idempotent: a second run finds no
    text to change, and writes the same notification text again."""
    redact = _redactor(user)
    rewritten = 0
    for comment in comment_list_about_user(user).iterator(chunk_size=500):
        with transaction.atomic():
            rewritten += _erase_from_comment(comment, user=user, redact=redact)
    for report in report_list_about_user(user).iterator(chunk_size=500):
        reason = redact(report.reason)
        if reason == report.reason:
            continue
        with transaction.atomic():
            hidden_now = ModerationLog.objects.filter(report=report, action=ModerationAction.AUTO_HIDE).exists()
            rewritten += notifications_withdraw(
                type=NotificationType.FORUM_REPORT,
                key="report_id",
                values=[report.pk],
                body=_report_body(reason, hidden_now=hidden_now),
            )
            Report.objects.filter(pk=report.pk, reason=report.reason).update(reason=reason)
    for post in post_list_by_author(user).iterator(chunk_size=500):
        title, body = redact(post.title), redact(post.body)
        if (title, body) != (post.title, post.body):  # compare and set: a delete meanwhile wins
            Post.objects.filter(pk=post.pk, title=post.title, body=post.body).update(title=title, body=body)
    return rewritten
