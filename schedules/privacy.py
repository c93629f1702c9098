"""What schedules holds about a person, for privacy's export and erasure (privacy.registry): their
places in cohorts (waitlists included), their attendance at live sessions (and the marks they made
as staff), the reminders and notices sent to them, and their calendar feed.

Erasure gives up every place they hold or wait for (the seat goes to the next in line), deletes
the reminders, notices and the calendar feed, and keeps the cohort and attendance history, which
then points at the pseudonymised user ("Deleted user")."""

from privacy.registry import Eraser, Exporter

from .models import Attendance, CalendarFeed, CohortMember, LiveSessionReminder, ScheduleNotice
from .selectors import (
    attendance_list_for_student,
    attendance_list_marked_by,
    calendar_feed_for_user,
    live_session_reminder_list_for_student,
    member_list_for_student,
    schedule_notice_list_for_student,
)
from .services import calendar_feed_erase_for_user, cohort_memberships_erase_for_user, reminders_erase_for_user

MODELS = (CohortMember, Attendance, LiveSessionReminder, CalendarFeed, ScheduleNotice)


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def _session(session) -> dict:
    return {
        "live_session_id": session.pk,
        "live_session_title": session.title,
        "course_id": session.course_id,
        "starts_at": _iso(session.starts_at),
    }


def schedules_export(user) -> dict:
    """The person's schedules data as JSON-able rows, one query per list. The calendar feed's token
    (and its hash) is a secret: only when it was issued is exported. The attendance marks the person
    made as staff name the session, not the student marked (someone else's data)."""
    feed = calendar_feed_for_user(user)
    return {
        "cohort_memberships": [
            {
                "id": member.pk,
                "cohort_id": member.cohort_id,
                "cohort_name": member.cohort.name,
                "course_id": member.cohort.course_id,
                "course_title": member.cohort.course.title,
                "status": member.status,
                "waitlisted_at": _iso(member.waitlisted_at),
                "offer_expires_at": _iso(member.offer_expires_at),
                "created_at": _iso(member.created_at),
                "updated_at": _iso(member.updated_at),
            }
            for member in member_list_for_student(user)
        ],
        "attendance": [
            {"id": row.pk, **_session(row.session), "marked_at": _iso(row.marked_at)}
            for row in attendance_list_for_student(user)
        ],
        "attendance_marked": [
            {"id": row.pk, **_session(row.session), "marked_at": _iso(row.marked_at)}
            for row in attendance_list_marked_by(user)
        ],
        "live_session_reminders": [
            {"id": row.pk, **_session(row.session), "sent_at": _iso(row.sent_at)}
            for row in live_session_reminder_list_for_student(user)
        ],
        "schedule_notices": [
            {
                "id": row.pk,
                "kind": row.kind,
                "object_id": row.object_id,
                "at": _iso(row.at),
                "sent_at": _iso(row.sent_at),
            }
            for row in schedule_notice_list_for_student(user)
        ],
        "calendar_feed": [{"id": feed.pk, "created_at": _iso(feed.created_at)}] if feed is not None else [],
    }


def schedules_erase(user) -> None:
    """Gives up the person's cohort places, then deletes their reminders, notices and calendar feed
    (schedules.services). Each step is idempotent and resumable: see the services."""
    cohort_memberships_erase_for_user(user=user)
    reminders_erase_for_user(user=user)
    calendar_feed_erase_for_user(user=user)


EXPORTER = Exporter(
    name="schedules",
    models=MODELS,
    export=schedules_export,
    describe={
        "cohort_memberships": "Your places in course cohorts (runs of a course with dates and seats), waitlists "
        "included, and the ones you left.",
        "cohort_memberships.status": "enrolled (a seat of yours), waitlisted, offered (a freed seat offered to you "
        "until offer_expires_at), held (a seat held while you paid) or left.",
        "cohort_memberships.waitlisted_at": "When you joined the cohort's waitlist (your place in it).",
        "attendance": "The live sessions you were marked present at, and when the mark was made.",
        "attendance_marked": "Attendance marks you made as a course's staff (the session and when; not who).",
        "live_session_reminders": "Reminders sent to you before a live session started.",
        "schedule_notices": "Schedule notices sent to you: a cohort starting, a quiz or assignment due, a daily "
        "digest of released content.",
        "schedule_notices.kind": "cohort_starting, quiz_due, assignment_due or content_released.",
        "schedule_notices.object_id": "The cohort, quiz or assignment the notice was about (for the digest: the "
        "day's ordinal).",
        "schedule_notices.at": "The date the notice was about: the start, your due date, or the day.",
        "calendar_feed": "When your secret calendar feed address was issued (the address itself is not stored).",
    },
)

ERASER = Eraser(
    name="schedules",
    models=MODELS,
    erase=schedules_erase,
    # After courses (20), whose revokes already free the enrolled seats.
    order=30,
    policy={
        "CohortMember.status": "every place held or waited for is given up (left; the seat is offered to the "
        "next in line), including waitlist places and seats held by a checkout",
        "CohortMember.student": "kept, pseudonymised: the cohort's history of who came and left",
        "Attendance.student": "kept, pseudonymised: the session's attendance register stays whole for its "
        "course's staff",
        "Attendance.marked_by": 'kept, pseudonymised: who marked attendance reads "Deleted user"',
        "LiveSessionReminder": "deleted",
        "ScheduleNotice": "deleted",
        "CalendarFeed": "deleted (the secret feed address stops working at once)",
    },
)
