"""The schedule's notifications, sent by beat jobs (schedules.tasks) for the platform:
- `cohort_starting`: each student seated in a cohort starting within the next 24 hours, once per
  cohort and start;
- `due_soon`: each student with a quiz or an assignment due for them within the next 24 hours
  (due_at, or due_after_days after their anchor), once per item and date; not for work already
  submitted or a quiz already passed;
- `content_released`: once a day, each student gets one digest of the lessons, quizzes and
  assignments whose time rule opened them for them during the previous day (UTC).
(`live_session_soon` is schedules.services.live_session_reminders_send.)

Each is a per-type preference (notifications). Each notice is recorded in ScheduleNotice, unique
per kind, item, student and date (a date postponed after the notice is told again when it comes
near; one moved within the day already told of is not), before it is sent: a job that runs twice,
overlaps another run or is retried sends nothing twice. Students are found with one query per
item and batch (dates relative to each student are matched in the database by shifting the window
by the rule's days), never one per student, and each batch goes out as one notify_each, each
student with their own date or digest."""

import datetime
import uuid
from collections import defaultdict

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from assignments.models import Assignment, Submission
from courses.models import Enrollment, EnrollmentStatus, Lesson
from notifications.services import notify, notify_each
from quizzes.models import Attempt, Quiz

from .models import Cohort, CohortMember, MemberStatus, NoticeKind, ScheduleNotice
from .texts import date_text, datetime_text

WINDOW = datetime.timedelta(hours=24)
BATCH = 500
ITEM_MODELS = {"lesson": Lesson, "quiz": Quiz, "assignment": Assignment}


def _record(kind: str, object_id: int, dates: dict[int, datetime.datetime], now) -> list[int]:
    """Records the notices (`dates`: each student's date the notice is about; rows another run
    inserted are left alone) and returns the students whose rows this call inserted."""
    batch = uuid.uuid4()
    ScheduleNotice.objects.bulk_create(
        [
            ScheduleNotice(kind=kind, object_id=object_id, student_id=pk, at=at, batch=batch, sent_at=now)
            for pk, at in dates.items()
        ],
        ignore_conflicts=True,
    )
    return list(ScheduleNotice.objects.filter(batch=batch).values_list("student_id", flat=True))


def _not_noticed(kind: str, object_id: int, start, end) -> Exists:
    """No notice of this item to the student about a date in the window: a date moved out of the
    window and back into a later one is told again; one moved within the window is not."""
    return ~Exists(
        ScheduleNotice.objects.filter(
            kind=kind, object_id=object_id, student=OuterRef("student_id"), at__gt=start, at__lte=end
        )
    )


def _send_in_batches(kind: str, object_id: int, enrollments: QuerySet, *, window, dates, send) -> int:
    """Records and sends a notice to the students of `enrollments` not told yet about a date in
    `window`, BATCH at a time: one query finds a batch, `dates(ids)` gives each one's date (at
    most one query), one inserts, one reads back what this run inserted, and `send(ids, dates)`."""
    sent = 0
    while True:
        with transaction.atomic():
            ids = list(
                enrollments.filter(_not_noticed(kind, object_id, *window))
                .order_by("student_id")
                .values_list("student_id", flat=True)[:BATCH]
            )
            when = dates(ids) if ids else {}
            inserted = _record(kind, object_id, when, timezone.now()) if when else []
            if inserted:
                send(inserted, when)
            sent += len(inserted)
        if len(ids) < BATCH or not inserted:
            return sent


def _enrolled(course_id: int) -> QuerySet[Enrollment]:
    return Enrollment.objects.filter(course_id=course_id, status=EnrollmentStatus.ACTIVE, student__is_active=True)


def _anchored_within(enrollments: QuerySet, *, course_id: int, days: int, start, end) -> QuerySet[Enrollment]:
    """The enrollments whose anchor + `days` falls after `start` and at or before `end`: a seat in
    a cohort of the course starting then, or no seat and enrolled then (courses.release)."""
    shift = datetime.timedelta(days=days)
    low, high = start - shift, end - shift
    seats = CohortMember.objects.filter(
        cohort__course_id=course_id, student=OuterRef("student_id"), status=MemberStatus.ENROLLED
    )
    return enrollments.filter(
        Q(Exists(seats.filter(cohort__starts_at__gt=low, cohort__starts_at__lte=high)))
        | (~Exists(seats) & Q(enrolled_at__gt=low, enrolled_at__lte=high))
    )


def _opening_within(item, enrollments: QuerySet, *, start, end, at_field: str, days_field: str):
    """The enrollments for which the item's date (`at_field`, or `days_field` after the anchor)
    falls after `start` and at or before `end`."""
    at, days = getattr(item, at_field), getattr(item, days_field)
    if at is not None:
        return enrollments if start < at <= end else enrollments.none()
    return _anchored_within(enrollments, course_id=item.course_id, days=days, start=start, end=end)


# --- cohort starting -----------------------------------------------------------------------------------
def cohort_starting_send(*, now: datetime.datetime | None = None) -> int:
    """`cohort_starting` to the students seated in each cohort that starts after now and within
    WINDOW, once per cohort and start. Returns the notices sent."""
    now = now or timezone.now()
    sent = 0
    for cohort in Cohort.objects.filter(starts_at__gt=now, starts_at__lte=now + WINDOW).select_related("course"):
        seated = CohortMember.objects.filter(
            cohort=cohort, student=OuterRef("student_id"), status=MemberStatus.ENROLLED
        )
        enrollments = _enrolled(cohort.course_id).filter(Exists(seated))

        def send(ids, dates, cohort=cohort):
            starts = datetime_text(cohort.starts_at)
            notify(  # lazy texts: each recipient reads them in their language
                recipients=ids,
                type="cohort_starting",
                title=format_lazy(_("{course} starts {time} UTC"), course=cohort.course.title, time=starts),
                body=format_lazy(
                    _("Your cohort {cohort} of {course} starts at {time} UTC."),
                    cohort=cohort.name,
                    course=cohort.course.title,
                    time=starts,
                ),
                payload={
                    "course_id": cohort.course_id,
                    "cohort_id": cohort.pk,
                    "starts_at": cohort.starts_at.isoformat(),
                },
            )

        sent += _send_in_batches(
            NoticeKind.COHORT_STARTING,
            cohort.pk,
            enrollments,
            window=(now, now + WINDOW),
            dates=lambda ids, cohort=cohort: dict.fromkeys(ids, cohort.starts_at),
            send=send,
        )
    return sent


# --- due soon ----------------------------------------------------------------------------------------
def _done(kind: str, item_id: int) -> Exists:
    if kind == "quiz":
        return Exists(Attempt.objects.filter(quiz_id=item_id, student=OuterRef("student_id"), passed=True))
    return Exists(Submission.objects.filter(assignment_id=item_id, student=OuterRef("student_id")))


def due_soon_send(*, now: datetime.datetime | None = None) -> int:
    """`due_soon` to each student with a quiz or an assignment due for them after now and within
    WINDOW, once per item and due date; not to those who passed the quiz or submitted to the assignment. One
    query per item and batch. Returns the notices sent."""
    now = now or timezone.now()
    end = now + WINDOW
    sent = 0
    for kind, model, notice in (
        ("quiz", Quiz, NoticeKind.QUIZ_DUE),
        ("assignment", Assignment, NoticeKind.ASSIGNMENT_DUE),
    ):
        items = model.objects.filter(
            Q(due_at__gt=now, due_at__lte=end) | Q(due_at__isnull=True, due_after_days__isnull=False)
        )
        for item in items.select_related("course").only("pk", "title", "course", "due_at", "due_after_days"):
            enrollments = _opening_within(
                item, _enrolled(item.course_id), start=now, end=end, at_field="due_at", days_field="due_after_days"
            ).exclude(_done(kind, item.pk))
            sent += _send_in_batches(
                notice,
                item.pk,
                enrollments,
                window=(now, end),
                dates=lambda ids, item=item: _due_dates(item, ids),
                send=_due_sender(kind, item),
            )
    return sent


DUE_BODIES = {
    "quiz": _("The quiz {title} of {course} is due at {time} UTC."),
    "assignment": _("The assignment {title} of {course} is due at {time} UTC."),
}


def _due_sender(kind: str, item):
    def send(ids, dates):
        # Relative due dates differ per student: each gets their own date, in one notify_each. The
        # texts are lazy (the date too): each is rendered in its recipient's language.
        notify_each(
            type="due_soon",
            messages=[
                {
                    "recipient": student_id,
                    "title": format_lazy(_("{title} is due {time} UTC"), title=item.title, time=datetime_text(due_at)),
                    "body": format_lazy(
                        DUE_BODIES[kind], title=item.title, course=item.course.title, time=datetime_text(due_at)
                    ),
                    "payload": {
                        "course_id": item.course_id, "kind": kind, "item_id": item.pk, "due_at": due_at.isoformat()
                    },
                }
                for student_id, due_at in ((pk, dates[pk]) for pk in ids)
            ],
        )  # fmt: skip

    return send


def _due_dates(item, student_ids) -> dict[int, datetime.datetime]:
    """Each student's own due date of the item: two queries for a relative one (the enrollments
    and their anchors), none for due_at."""
    if item.due_at is not None:
        return dict.fromkeys(student_ids, item.due_at)
    from courses import release

    enrollments = list(_enrolled(item.course_id).filter(student_id__in=student_ids))
    anchors = release.anchors_for(enrollments)
    return {e.student_id: release.due_for(item, anchors[e.pk]) for e in enrollments}


# --- content released (daily digest) -------------------------------------------------------------------
def content_released_send(*, now: datetime.datetime | None = None) -> int:
    """`content_released`: one digest per student of what opened for them during the previous day
    (UTC, from midnight to midnight), once per student and day. Items with a time rule
    (available_from, or available_after_days after the anchor); preview lessons never have one.
    Queries: per kind one for the items, and one per item for its students (two for a relative
    rule: with their anchors); then per batch of students, one insert, one read-back and one
    notify_each (each student's own digest). Returns the digests sent."""
    now = now or timezone.now()
    end = now.astimezone(datetime.UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    start = end - datetime.timedelta(days=1)
    opened: dict[int, list[dict]] = defaultdict(list)
    for kind, model in ITEM_MODELS.items():
        items = model.objects.filter(
            Q(available_from__gte=start, available_from__lt=end)
            | Q(available_from__isnull=True, available_after_days__isnull=False)
        )
        if kind == "lesson":
            items = items.filter(is_preview=False)
        for item in items.only("pk", "title", "course_id", "available_from", "available_after_days"):
            # The day's window includes midnight at its start, not at its end.
            enrollments = _opening_within(
                item,
                _enrolled(item.course_id),
                start=start - datetime.timedelta(microseconds=1),
                end=end - datetime.timedelta(microseconds=1),
                at_field="available_from",
                days_field="available_after_days",
            )
            for student_id, anchor in _anchor_rows(item, enrollments):
                opened[student_id].append(
                    {"kind": kind, "id": item.pk, "course_id": item.course_id, "title": item.title,
                     "available_at": (item.available_from or anchor).isoformat()}
                )  # fmt: skip
    day = start.date()
    students = sorted(opened)
    sent = 0
    for at in range(0, len(students), BATCH):
        with transaction.atomic():
            dates = dict.fromkeys(students[at : at + BATCH], start)
            inserted = _record(NoticeKind.CONTENT_RELEASED, day.toordinal(), dates, now)
            if inserted:
                notify_each(type="content_released", messages=[_digest(pk, opened[pk], day) for pk in inserted])
            sent += len(inserted)
    return sent


def _anchor_rows(item, enrollments: QuerySet):
    """(student id, when the item opened for them) of the enrollments: one query."""
    if item.available_from is not None:
        return [(pk, None) for pk in enrollments.values_list("student_id", flat=True)]
    from courses import release

    rows = list(enrollments)
    anchors = release.anchors_for(rows)
    return [(e.student_id, release.opens_at(item, anchors[e.pk])) for e in rows]


DIGEST_SHOWN = 5  # titles named in a digest's body; the others are counted


def _digest(student_id: int, items: list[dict], day: datetime.date) -> dict:
    """One student's digest, as lazy texts (rendered in their language, the day too)."""
    items = sorted(items, key=lambda i: (i["available_at"], i["kind"], i["id"]))
    count, more = len(items), len(items) - DIGEST_SHOWN
    titles = ", ".join(i["title"] for i in items[:DIGEST_SHOWN])  # the items' own titles: user content
    if more > 0:
        body = format_lazy(
            ngettext_lazy(
                "Opened on {date}: {titles} and {more} more.", "Opened on {date}: {titles} and {more} more.", more
            ),
            date=date_text(day),
            titles=titles,
            more=more,
        )
    else:
        body = format_lazy(_("Opened on {date}: {titles}."), date=date_text(day), titles=titles)
    return {
        "recipient": student_id,
        "title": format_lazy(
            ngettext_lazy("{count} new item opened for you", "{count} new items opened for you", count), count=count
        ),
        "body": body,
        "payload": {"date": day.isoformat(), "items": items},
    }
