"""Telling users about things. Every app calls `notify`; nothing else creates notifications."""

import re
from collections.abc import Iterable, Sequence

from django.conf import settings
from django.core.mail import get_connection
from django.db import transaction
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from activity.models import Verb
from activity.services import activity_record
from courses.selectors import enrollment_student_ids_active
from lms.emails import templated_email
from lms.errors import InvalidInput, NotPermitted
from lms.i18n import Text, by_language, language_of, languages_of, render_in, supported
from lms.jobs import enqueue_on_commit

from .access import ANNOUNCE_DENIED, can_announce, is_recipient
from .models import (
    DEFAULT_CHANNELS,
    Announcement,
    Notification,
    NotificationPreference,
    NotificationType,
    NotificationWithdrawal,
)
from .tasks import (
    announcement_send_task,
    course_students_notify_task,
    notification_emails_send_each_task,
    notification_emails_send_task,
)

INSERT_BATCH = 1000  # rows per INSERT and recipients per preference query
WITHDRAW_BATCH = 500  # payload values per withdrawal query
EMAIL_CHUNK = 100  # recipients per e-mail job (one SMTP connection each)


def _ids(recipients: Iterable) -> list[int]:
    seen: dict[int, None] = {}
    for recipient in recipients:
        seen[int(getattr(recipient, "pk", recipient))] = None
    return list(seen)


def _chunks(items: Sequence, size: int):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def channels_for(*, user_ids: Sequence[int], type: str) -> dict[int, dict]:
    """Each user's channels for this type (their stored choice or the default) and the language
    text for them is written in (lms.i18n.language_of): `{id: {in_app, email, language}}`. One
    query (the preferences are read beside the users). A deactivated or erased account gets neither
    channel: nobody reads it any more (privacy: an erased instructor's course still has events)."""
    default = DEFAULT_CHANNELS[type]
    channels = {pk: {**default, "language": settings.LANGUAGE_CODE} for pk in user_ids}
    chosen = NotificationPreference.objects.filter(user_id=OuterRef("pk"), type=type)
    rows = (
        User.objects.filter(pk__in=user_ids)
        .annotate(in_app=Subquery(chosen.values("in_app")[:1]), email_on=Subquery(chosen.values("email")[:1]))
        .values_list("pk", "language", "in_app", "email_on", "is_active")
    )
    for user_id, language, in_app, email, is_active in rows:
        channels[user_id] = {
            "in_app": is_active and (default["in_app"] if in_app is None else in_app),
            "email": is_active and (default["email"] if email is None else email),
            "language": supported(language) or settings.LANGUAGE_CODE,
        }
    return channels


def _translated(text: Text) -> bool:
    """Whether `text` differs by language (a lazy translation or a deferred message)."""
    return not isinstance(text, str)


def notify(
    *,
    recipients: Iterable,
    type: str,
    title: Text,
    body: Text = "",
    payload: dict | None = None,
    link: str = "",
) -> int:
    """Notifies users (instances or ids) of one event, honouring each one's preferences: in-app
    notifications are bulk-inserted in this transaction; e-mails are queued after commit as jobs
    of EMAIL_CHUNK recipients of one language. Queries grow with recipients / INSERT_BATCH, never
    per recipient. `title` and `body` may be lazy translations (gettext_lazy, format_lazy) or
    `lms.i18n.deferred` messages: each recipient gets them in their own language (lms.i18n), never
    in the language of whoever caused the event. Returns the number of in-app notifications
    stored. A notification whose text may be taken back later (notifications_withdraw) names the
    thing in `payload`: its e-mail copy is checked against withdrawals by that payload when sent."""
    if type not in DEFAULT_CHANNELS:
        raise ValueError(f"Unknown notification type {type!r}")
    stored = 0
    texts: dict[str, tuple[str, str]] = {}

    def text_in(language: str) -> tuple[str, str]:
        if language not in texts:
            texts[language] = (render_in(language, title), render_in(language, body))
        return texts[language]

    for chunk in _chunks(_ids(recipients), INSERT_BATCH):
        channels = channels_for(user_ids=chunk, type=type)
        in_app = [pk for pk in chunk if channels[pk]["in_app"]]
        email = [pk for pk in chunk if channels[pk]["email"]]
        languages = {pk: channels[pk]["language"] for pk in chunk}
        Notification.objects.bulk_create(
            [
                Notification(
                    recipient_id=pk,
                    type=type,
                    title=text_in(languages[pk])[0][:200],
                    body=text_in(languages[pk])[1],
                    payload=payload or {},
                )
                for pk in in_app
            ],
            batch_size=INSERT_BATCH,
        )
        stored += len(in_app)
        by_language: dict[str, list[int]] = {}
        for pk in email:
            by_language.setdefault(languages[pk], []).append(pk)
        for language, user_ids in by_language.items():
            rendered_title, rendered_body = text_in(language)
            for email_chunk in _chunks(user_ids, EMAIL_CHUNK):
                _queue_emails(
                    type=type,
                    user_ids=list(email_chunk),
                    title=rendered_title,
                    body=rendered_body,
                    link=link,
                    payload=payload or {},
                    language=language,
                )
    return stored


def notify_each(*, type: str, messages: Sequence[dict]) -> int:
    """Notifies each recipient of one event of `type` with their own text: `messages` are
    `{recipient, title, body, payload}` (a per-student due date, a per-student digest), the texts
    lazy or deferred as for notify, rendered in each recipient's language. As notify: preferences
    honoured, in-app rows bulk-inserted in this transaction, e-mails queued after commit in jobs of
    EMAIL_CHUNK messages; queries grow with messages / INSERT_BATCH, never per message. For texts
    that are never withdrawn (no withdrawal check). Returns the in-app notifications stored."""
    if type not in DEFAULT_CHANNELS:
        raise ValueError(f"Unknown notification type {type!r}")
    stored = 0
    for chunk in _chunks(list(messages), INSERT_BATCH):
        recipients = [m["recipient"] for m in chunk]
        channels = channels_for(user_ids=recipients, type=type)
        languages = {pk: channels[pk]["language"] for pk in recipients}
        rendered = [
            {
                **m,
                "title": render_in(languages[m["recipient"]], m["title"])[:200],
                "body": render_in(languages[m["recipient"]], m.get("body", "")),
                "language": languages[m["recipient"]],
            }
            for m in chunk
        ]
        in_app = [m for m in rendered if channels[m["recipient"]]["in_app"]]
        Notification.objects.bulk_create(
            [
                Notification(
                    recipient_id=m["recipient"],
                    type=type,
                    title=m["title"],
                    body=m["body"],
                    payload=m.get("payload") or {},
                )
                for m in in_app
            ],
            batch_size=INSERT_BATCH,
        )
        stored += len(in_app)
        email = [m for m in rendered if channels[m["recipient"]]["email"]]
        for email_chunk in _chunks(email, EMAIL_CHUNK):
            enqueue_on_commit(notification_emails_send_each_task, type=type, messages=list(email_chunk))
    return stored


def notification_emails_send_each(*, type: str, messages: Sequence[dict]) -> int:
    """Sends each message (`{recipient, title, body, language}`, the text already in the
    recipient's language) to its active recipient over one SMTP connection, the e-mail's own words
    in that language too: one query for the users. Returns how many were sent."""
    users = {
        u.pk: u
        for u in User.objects.filter(pk__in=[m["recipient"] for m in messages], is_active=True).only(
            "pk", "email", "first_name", "language"
        )
    }
    emails = []
    for message in messages:
        user = users.get(message["recipient"])
        if user is None:
            continue
        with translation.override(message.get("language") or language_of(user)):
            context = {
                "user": user,
                "title": message["title"],
                "body": message.get("body", ""),
                "link": message.get("link", ""),
                "type_label": str(NotificationType(type).label),
            }
            emails.append(
                templated_email(
                    subject=message["title"][:200], template="notifications/email", context=context, to=user.email
                )
            )
    if not emails:
        return 0
    with get_connection() as connection:
        return connection.send_messages(emails) or 0


def _queue_emails(
    *, type: str, user_ids: list[int], title: str, body: str, link: str, payload: dict, language: str
) -> None:
    # Broker down: the e-mail copy is dropped (logged); the in-app notification is the durable record.
    enqueue_on_commit(
        notification_emails_send_task,
        type=type,
        user_ids=user_ids,
        title=title,
        body=body,
        link=link,
        payload=payload,
        language=language,
    )


def notification_emails_send(
    *,
    type: str,
    user_ids: Sequence[int],
    title: str,
    body: str,
    link: str = "",
    payload: dict | None = None,
    language: str | None = None,
) -> int:
    """Sends one e-mail per active user over a single SMTP connection. Returns how many were sent.
    The text is the one given when the job was queued, in `language` (the recipients' own; jobs
    queued without one use each recipient's), unless it was withdrawn since (a withdrawal of this
    type matching `payload`): then the withdrawn text is sent instead, translated, at every retry."""
    withdrawn = _withdrawal_for(type=type, payload=payload or {})
    users = list(User.objects.filter(pk__in=user_ids, is_active=True).only("pk", "email", "first_name", "language"))
    messages = []
    for user in users:
        with translation.override(language or language_of(user)):
            subject, text = title, body
            if withdrawn is not None:
                subject = translation.gettext(withdrawn.title) if withdrawn.title else title
                text = translation.gettext(withdrawn.body)
            context = {
                "user": user,
                "title": subject,
                "body": text,
                "link": link,
                "type_label": str(NotificationType(type).label),
            }
            messages.append(
                templated_email(subject=subject[:200], template="notifications/email", context=context, to=user.email)
            )
    if not messages:
        return 0
    with get_connection() as connection:
        return connection.send_messages(messages) or 0


def _withdrawal_for(*, type: str, payload: dict) -> NotificationWithdrawal | None:
    """The withdrawal that applies to a notification of `type` with this payload, if any (one
    giving a title first: it withdrew more)."""
    names = Q()
    for key, value in payload.items():
        if isinstance(value, (int, str)) and not isinstance(value, bool):
            names |= Q(key=key, value=str(value))
    if not names:
        return None
    found = list(NotificationWithdrawal.objects.filter(names, type=type))
    return max(found, key=lambda w: bool(w.title), default=None)


@transaction.atomic
def notifications_withdraw(
    *,
    type: str,
    key: str,
    values: Iterable[int | str],
    body: Text,
    title: Text = "",
    recipients: Iterable | None = None,
) -> int:
    """Takes text back from notifications already made: those of `type` whose payload has `key`
    equal to one of `values` get `body` (and `title`, when one is given) instead of their own; the
    payload stays, so they still lead to the thing. E-mail copies still queued go out with the same
    text (notification_emails_send reads the withdrawal when it sends). Safe to repeat; a later
    withdrawal without a title keeps an earlier one's. `recipients` (users or ids), when the caller
    knows who was notified, narrows the search to their inboxes. Nothing is ever put back.
    Returns how many stored notifications were rewritten."""
    if type not in DEFAULT_CHANNELS:
        raise ValueError(f"Unknown notification type {type!r}")
    values = list(dict.fromkeys(values))
    # The withdrawal keeps the source text: e-mail copies sent later translate it for their reader.
    source_title, source_body = render_in_source(title), render_in_source(body)
    rewritten = 0
    for chunk in _chunks(values, WITHDRAW_BATCH):
        NotificationWithdrawal.objects.bulk_create(
            [
                NotificationWithdrawal(type=type, key=key, value=str(value), title=source_title[:200], body=source_body)
                for value in chunk
            ],
            ignore_conflicts=True,
        )
        NotificationWithdrawal.objects.filter(type=type, key=key, value__in=[str(v) for v in chunk]).update(
            body=source_body, **({"title": source_title[:200]} if source_title else {})
        )
        stored = Notification.objects.filter(type=type, **{f"payload__{key}__in": list(chunk)})
        if recipients is not None:
            stored = stored.filter(recipient_id__in=_ids(recipients))
        if not (_translated(title) or _translated(body)):
            rewritten += stored.update(body=source_body, **({"title": source_title[:200]} if source_title else {}))
            continue
        for language, reader_ids in by_language(set(stored.values_list("recipient_id", flat=True))).items():
            changes = {"body": render_in(language, body)}
            if source_title:
                changes["title"] = render_in(language, title)[:200]
            rewritten += stored.filter(recipient_id__in=reader_ids).update(**changes)
    return rewritten


def render_in_source(text: Text) -> str:
    """`text` in the source language (the msgid, formatted), for storing: rendered with no
    language active, so gettext gives it back as written."""
    with translation.override(None):
        return str(text) if not isinstance(text, dict) else text["msgid"].format(**text.get("params", {}))


@transaction.atomic
def notification_mark_read(*, actor: User | None, notification: Notification) -> Notification:
    """Marks one notification read (once: a second call changes nothing). Who may: its recipient;
    anyone else is NotPermitted. `actor=None` for the platform. No lock: the first read wins."""
    if actor is not None and not is_recipient(actor, notification):
        raise NotPermitted(_("Only its recipient can mark a notification read."), code="not_recipient")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


@transaction.atomic
def notifications_mark_all_read(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())


def preferences_for(user: User) -> list[dict]:
    """Every type with the user's channels (stored or default), in a stable order."""
    channels = {
        row.type: {"in_app": row.in_app, "email": row.email} for row in NotificationPreference.objects.filter(user=user)
    }
    return [
        {"type": t.value, "label": str(t.label), **channels.get(t.value, DEFAULT_CHANNELS[t.value])}
        for t in NotificationType
    ]


@transaction.atomic
def preferences_update(*, user: User, changes: Sequence[dict]) -> list[dict]:
    """Sets channels per type: `[{type, in_app?, email?}]`. Unknown types are a 400."""
    current = {p["type"]: p for p in preferences_for(user)}
    for change in changes:
        if change["type"] not in current:
            raise InvalidInput(
                _("Unknown notification type “{type}”.").format(type=change["type"]), extra={"field": "preferences"}
            )
        merged = {**current[change["type"]], **{k: v for k, v in change.items() if k in ("in_app", "email")}}
        NotificationPreference.objects.update_or_create(
            user=user, type=change["type"], defaults={"in_app": merged["in_app"], "email": merged["email"]}
        )
        current[change["type"]] = merged
    return preferences_for(user)


# --- course-wide fan-outs ------------------------------------------------------------------------
def course_students_notify_later(*, course_id: int, type: str, title: Text, body: Text, payload: dict) -> None:
    """Queues (after commit) a background job that notifies every student enrolled in the course.
    The texts cross the queue as JSON: plain strings or `lms.i18n.deferred` messages (translated
    for each student when the job runs), never lazy translations."""
    enqueue_on_commit(
        course_students_notify_task, course_id=course_id, type=type, title=title, body=body, payload=payload
    )


@transaction.atomic
def course_students_notify(*, course_id: int, type: str, title: Text, body: Text, payload: dict) -> int:
    return notify(
        recipients=enrollment_student_ids_active(course_id=course_id),
        type=type,
        title=title,
        body=body,
        payload=payload,
    )


@transaction.atomic
def announcement_create(*, course, author: User, title: str, body: str) -> Announcement:
    """Stores the announcement and queues its delivery to every enrolled student (after commit).
    `author` is the actor: the course's own instructor while they hold the role
    (notifications.access "announce"); anyone else is NotPermitted. No lock: announcements of a
    course are independent rows."""
    if not can_announce(author, course):
        raise NotPermitted(ANNOUNCE_DENIED, code="not_course_instructor")
    announcement = Announcement.objects.create(course=course, author=author, title=title, body=body)
    activity_record(actor=author, verb=Verb.ANNOUNCEMENT_SENT, target=announcement, course=course)
    enqueue_on_commit(announcement_send_task, announcement.pk)  # broker down: announcements_send_unsent
    return announcement


def announcements_send_unsent(*, created_before, limit: int = 100) -> int:
    """The safety net behind the delivery job: sends every announcement created before
    `created_before` and still unsent (its job was lost). Returns how many were sent."""
    pending = list(
        Announcement.objects.filter(sent_at__isnull=True, created_at__lt=created_before)
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    sent = 0
    for announcement_id in pending:
        announcement_send(announcement_id=announcement_id)
        sent += 1
    return sent


@transaction.atomic
def announcement_send(*, announcement_id: int) -> int:
    """Delivers an announcement once: the row is locked and marked sent in the same transaction,
    so a retried or duplicated job sends nothing twice. Returns the number of recipients."""
    announcement = (
        Announcement.objects.select_for_update(of=("self",)).select_related("course").filter(pk=announcement_id).first()
    )
    if announcement is None or announcement.sent_at is not None:
        return 0
    recipients = enrollment_student_ids_active(course_id=announcement.course_id)
    notify(
        recipients=recipients,
        type=NotificationType.ANNOUNCEMENT,
        title=f"{announcement.course.title}: {announcement.title}",
        body=announcement.body,
        payload={"course_id": announcement.course_id, "announcement_id": announcement.pk},
    )
    announcement.sent_at = timezone.now()
    announcement.recipient_count = len(recipients)
    announcement.save(update_fields=["sent_at", "recipient_count"])
    return len(recipients)


# --- erasure -------------------------------------------------------------------------------------
# What a name erased from stored text reads, in each reader's language (the name accounts gives an
# erased user).
DELETED_USER = gettext_lazy("Deleted user")


def printed_names(user: User) -> list[str]:
    """The ways stored text may name `user`: their full name (what User.full_name printed), their
    e-mail address (its fallback), and their first and last names alone (a signature, a greeting).
    Empty once the account is pseudonymised (the accounts eraser, last)."""
    if getattr(user, "erased_at", None) is not None:
        return []
    return [f"{user.first_name} {user.last_name}".strip(), user.email, user.first_name, user.last_name]


class _Names:
    """`names` found as whole words, whatever their case, longest first (the full name before its
    parts): in a queryset's text fields (`mentions`) and in a text (`replace`)."""

    def __init__(self, names: Iterable[str]):
        self.names = sorted({name.strip() for name in names if name and name.strip()}, key=len, reverse=True)
        alternatives = "|".join(rf"(?<!\w){re.escape(name)}(?!\w)" for name in self.names)
        self.pattern = re.compile(alternatives, re.IGNORECASE) if self.names else None

    def mentions(self, *fields: str) -> Q:
        found = Q()
        for name in self.names:
            for field in fields:
                found |= Q(**{f"{field}__icontains": name})
        return found

    def replace(self, text: str, label: str) -> str:
        return self.pattern.sub(lambda _match: label, text) if self.pattern else text


@transaction.atomic
def notifications_unname(*, names: Iterable[str], key: str, values: Iterable[int | str], types=None) -> int:
    """Erasure of a person, in other people's inboxes: in the stored notifications whose payload
    `key` is one of `values` (the person's id as `student_id`; their announcements as
    `announcement_id`; for the forum, their comments as `comment_id`), of `types` when given, each
    of `names` (printed_names: how text named them) is replaced, as a whole word and whatever its
    case, by "Deleted user" in the reader's language, in the title and the body; the rest of the
    text stays. Whoever erases a person calls it (the platform: no actor). Safe to repeat: a second
    run finds no name. Takes no lock: only the title and body are written, so a reader marking one
    read meanwhile loses nothing. Returns how many notifications it changed."""
    names = _Names(names)
    values = list(dict.fromkeys(values))
    if not names.names or not values:
        return 0
    changed = []
    for chunk in _chunks(values, WITHDRAW_BATCH):
        stored = Notification.objects.filter(names.mentions("title", "body"), **{f"payload__{key}__in": list(chunk)})
        if types is not None:
            stored = stored.filter(type__in=list(types))
        rows = list(stored.only("pk", "recipient_id", "title", "body").order_by("pk"))
        languages = languages_of({row.recipient_id for row in rows})
        labels = {language: render_in(language, DELETED_USER) for language in set(languages.values())}
        for row in rows:
            label = labels[languages[row.recipient_id]]
            title, body = names.replace(row.title, label)[:200], names.replace(row.body, label)
            if (title, body) != (row.title, row.body):
                row.title, row.body = title, body
                changed.append(row)
    Notification.objects.bulk_update(changed, ["title", "body"], batch_size=INSERT_BATCH)
    return len(changed)


@transaction.atomic
def notifications_erase_for_user(*, user: User) -> dict[str, int]:
    """Erasure of a person (privacy's erasure job: the platform acts, there is no actor and no other
    caller). Their notifications and their channel preferences are deleted. Their announcements stay,
    as course content (the author then reads "Deleted user"), with their name (printed_names: a
    signature) replaced by "Deleted user" in the title and body. In other people's notifications
    that name them, by the payload's `student_id` ("Ada Lovelace enrolled in ...", "Ada Lovelace
    submitted attempt 2." to the instructor) or `announcement_id` (a copy of their announcement),
    their name becomes "Deleted user" in the reader's language (notifications_unname). E-mail
    copies still queued for them are not sent: the e-mail jobs skip inactive accounts, which an
    erased one is. Takes the row locks of their announcements (announcement_send takes them to
    deliver one). Idempotent: a second run finds nothing to delete or rename. Returns the counts:
    {"notifications", "preferences", "announcements", "renamed"}."""
    names = printed_names(user)
    notifications = Notification.objects.filter(recipient=user).delete()[0]
    preferences = NotificationPreference.objects.filter(user=user).delete()[0]
    announcement_ids = list(Announcement.objects.filter(author=user).values_list("pk", flat=True))
    announcements = _announcements_unname(names=_Names(names), ids=announcement_ids)
    renamed = notifications_unname(names=names, key="student_id", values=[user.pk])
    renamed += notifications_unname(
        names=names, key="announcement_id", values=announcement_ids, types=[NotificationType.ANNOUNCEMENT]
    )
    return {
        "notifications": notifications,
        "preferences": preferences,
        "announcements": announcements,
        "renamed": renamed,
    }


def _announcements_unname(*, names: _Names, ids: list[int]) -> int:
    """The announcements `ids` with `names` replaced by "Deleted user" (in the platform's language:
    the text is the course's, read by all its students), under their row locks."""
    if not names.names or not ids:
        return 0
    label = render_in(settings.LANGUAGE_CODE, DELETED_USER)
    changed = 0
    found = Announcement.objects.select_for_update().filter(names.mentions("title", "body"), pk__in=ids)
    for announcement in found.order_by("pk"):
        title, body = names.replace(announcement.title, label)[:200], names.replace(announcement.body, label)
        if (title, body) != (announcement.title, announcement.body):
            announcement.title, announcement.body = title, body
            announcement.save(update_fields=["title", "body"])
            changed += 1
    return changed
