"""Reads of cohorts and their seats, and of live sessions, their audiences and attendance. The seat
figures and attendance are annotations (one query per page, never one per cohort or student)."""

import hashlib
from datetime import datetime

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery

from accounts.models import User
from courses.models import Course, Enrollment, EnrollmentStatus

from .models import (
    SEAT_STATUSES,
    Attendance,
    CalendarFeed,
    Cohort,
    CohortMember,
    LiveSession,
    LiveSessionReminder,
    MemberStatus,
    ScheduleNotice,
)


def _with_figures(queryset: QuerySet[Cohort]) -> QuerySet[Cohort]:
    return queryset.annotate(
        seats_taken=Count("members", filter=Q(members__status__in=SEAT_STATUSES), distinct=True),
        waitlist_count=Count("members", filter=Q(members__status=MemberStatus.WAITLISTED), distinct=True),
    )


def cohort_list_with_figures() -> QuerySet[Cohort]:
    """Every cohort with its seat figures and course (the admin's list)."""
    return _with_figures(Cohort.objects.select_related("course"))


def cohort_list_for_course(course: Course) -> QuerySet[Cohort]:
    """The course's cohorts, soonest first, with `seats_taken` and `waitlist_count` (the caller
    checked that the course is visible to whoever asks)."""
    return _with_figures(Cohort.objects.filter(course=course)).order_by("starts_at", "id")


def cohort_get(cohort_id: int) -> Cohort:
    """One cohort with its seat figures, as the API renders it; the caller checked access."""
    return _with_figures(Cohort.objects.filter(pk=cohort_id)).get()


def cohort_exists_for_course(course_id: int) -> bool:
    """Whether the course is taught in cohorts (else it is self-paced)."""
    return Cohort.objects.filter(course_id=course_id).exists()


def cohort_seats_taken(cohort_id: int) -> int:
    """Seats counted now: enrolled, offered and held members."""
    return CohortMember.objects.filter(cohort_id=cohort_id, status__in=SEAT_STATUSES).count()


def member_list_waiting(cohort_id: int) -> QuerySet[CohortMember]:
    """The cohort's waitlist in order: first come, first offered."""
    return CohortMember.objects.filter(cohort_id=cohort_id, status=MemberStatus.WAITLISTED).order_by(
        "waitlisted_at", "id"
    )


def member_waitlist_position(member: CohortMember) -> int:
    """The member's place in their cohort's waitlist, from 1."""
    ahead = member_list_waiting(member.cohort_id).filter(
        Q(waitlisted_at__lt=member.waitlisted_at) | Q(waitlisted_at=member.waitlisted_at, id__lt=member.pk)
    )
    return ahead.count() + 1


def member_list_for_cohort(cohort: Cohort) -> QuerySet[CohortMember]:
    """Everyone who holds or waits for a seat (and who left), in the order they came."""
    return CohortMember.objects.filter(cohort=cohort).select_related("student").order_by("created_at", "id")


# --- live sessions -------------------------------------------------------------------------------
def live_session_audience(session: LiveSession) -> QuerySet[User]:
    """The students a live session is for: active users with an active enrollment in its course,
    and, when it names a cohort, seated (`enrolled`) in that cohort. One query, however many."""
    enrolled = Enrollment.objects.filter(
        course_id=session.course_id, student=OuterRef("pk"), status=EnrollmentStatus.ACTIVE
    )
    students = User.objects.filter(Exists(enrolled), is_active=True)
    if session.cohort_id is not None:
        seated = CohortMember.objects.filter(
            cohort_id=session.cohort_id, student=OuterRef("pk"), status=MemberStatus.ENROLLED
        )
        students = students.filter(Exists(seated))
    return students


def live_session_in_audience(session: LiveSession, user_id: int) -> bool:
    """Whether the user is one of the session's audience (live_session_audience)."""
    return live_session_audience(session).filter(pk=user_id).exists()


def live_session_list_for_user(course: Course, user, *, manages: bool) -> QuerySet[LiveSession]:
    """The course's live sessions as `user` sees them, soonest first: every one for its staff
    (`manages`); for a student (the caller checked their active enrollment), those for the whole
    course and those of the cohort they are seated in."""
    sessions = LiveSession.objects.filter(course=course)
    if not manages:
        seated = CohortMember.objects.filter(cohort=OuterRef("cohort"), student=user, status=MemberStatus.ENROLLED)
        sessions = sessions.filter(Q(cohort__isnull=True) | Q(Exists(seated)))
    return sessions.order_by("starts_at", "id")


def live_session_get(session_id: int) -> LiveSession:
    """One live session as the API renders it; the caller checked access."""
    return LiveSession.objects.get(pk=session_id)


def attendance_list_for_session(session: LiveSession) -> QuerySet[User]:
    """Everyone expected at the session (its audience now) and anyone marked present there (who
    may have left the course since), by name, each annotated `present` and `marked_at`. One query
    per page."""
    marked = Attendance.objects.filter(session=session, student=OuterRef("pk"))
    audience = live_session_audience(session).values("pk")
    return (
        User.objects.filter(Q(pk__in=audience) | Q(Exists(marked)))
        .annotate(present=Exists(marked), marked_at=Subquery(marked.values("marked_at")[:1]))
        .order_by("last_name", "first_name", "pk")
    )


def attendance_student_ids(session: LiveSession) -> set[int]:
    """The students marked present at the session."""
    return set(Attendance.objects.filter(session=session).values_list("student_id", flat=True))


def live_session_list_starting(*, after: datetime, until: datetime) -> QuerySet[LiveSession]:
    """Sessions starting after `after` and at or before `until` (the reminder job's window)."""
    return LiveSession.objects.filter(starts_at__gt=after, starts_at__lte=until).order_by("starts_at", "id")


def live_session_unreminded_ids(session: LiveSession, *, limit: int) -> list[int]:
    """Up to `limit` students of the session's audience not yet reminded of it, in id order: one
    query per batch."""
    reminded = LiveSessionReminder.objects.filter(session=session, student=OuterRef("pk"))
    return list(
        live_session_audience(session).exclude(Exists(reminded)).order_by("pk").values_list("pk", flat=True)[:limit]
    )


def cohort_seat_dates(enrollments) -> dict[int, tuple[datetime, datetime]]:
    """`{enrollment id: (starts_at, ends_at)}` of the cohort each enrollment's student holds a seat
    (`enrolled`) in, in the enrollment's course: the anchor of their release rules (courses.release).
    One query for any number of enrollments; those without a seat are left out."""
    enrollments = list(enrollments)
    by_pair = {(e.student_id, e.course_id): e.pk for e in enrollments}
    rows = CohortMember.objects.filter(
        status=MemberStatus.ENROLLED,
        student_id__in={e.student_id for e in enrollments},
        cohort__course_id__in={e.course_id for e in enrollments},
    ).values_list("student_id", "cohort__course_id", "cohort__starts_at", "cohort__ends_at")
    dates = {}
    for student_id, course_id, starts_at, ends_at in rows:
        if (student_id, course_id) in by_pair:
            dates[by_pair[(student_id, course_id)]] = (starts_at, ends_at)
    return dates


def feed_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def calendar_feed_user(token: str) -> User | None:
    """The active user whose calendar feed `token` opens, or None (an unknown, voided or empty token)."""
    if not token:
        return None
    feed = (
        CalendarFeed.objects.select_related("user")
        .filter(token_hash=feed_token_hash(token), user__is_active=True)
        .first()
    )
    return feed.user if feed else None


# --- a person's own data (privacy's export) --------------------------------------------------------
def member_list_for_student(student: User) -> QuerySet[CohortMember]:
    """Every place the student holds, waits for or held in a cohort (left ones too), oldest first,
    with the cohort and its course: one query."""
    return CohortMember.objects.filter(student=student).select_related("cohort__course").order_by("created_at", "id")


def attendance_list_for_student(student: User) -> QuerySet[Attendance]:
    """Every live session the student was marked present at, with the session: one query."""
    return Attendance.objects.filter(student=student).select_related("session").order_by("marked_at", "id")


def attendance_list_marked_by(user: User) -> QuerySet[Attendance]:
    """Every attendance mark the user made (as a course's staff), with the session: one query."""
    return Attendance.objects.filter(marked_by=user).select_related("session").order_by("marked_at", "id")


def live_session_reminder_list_for_student(student: User) -> QuerySet[LiveSessionReminder]:
    """Every live session reminder sent to the student, with the session: one query."""
    return LiveSessionReminder.objects.filter(student=student).select_related("session").order_by("sent_at", "id")


def schedule_notice_list_for_student(student: User) -> QuerySet[ScheduleNotice]:
    """Every schedule notice (cohort starting, work due, daily digest) sent to the student."""
    return ScheduleNotice.objects.filter(student=student).order_by("sent_at", "id")


def calendar_feed_for_user(user: User) -> CalendarFeed | None:
    """The user's calendar feed (its token hash is a secret: never show it), or None."""
    return CalendarFeed.objects.filter(user=user).first()
