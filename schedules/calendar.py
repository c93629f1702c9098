"""A user's calendar: what happens in their courses between two times, for `/me/calendar/` and its
iCalendar feed (schedules.ics).

For a student, in the courses they hold an active enrollment in:
- `lesson_release`: a lesson with a time rule opens for them (courses.release: available_from, or
  available_after_days after their cohort's start or their enrollment); preview lessons are open to
  anyone and have none;
- `quiz_due`, `assignment_due`: their own due date (due_at, or due_after_days after their anchor);
- `live_session`: the sessions of their audience (the whole course's, and those of the cohort they
  hold a seat in), with the join link;
- `cohort_start`: the cohort they hold a seat in starts.
For an instructor, in the courses they teach (admins: the courses they teach too, not every course),
the same events as set for everyone: live sessions, cohort starts, and the absolute dates (lessons
opening at available_from, due_at); dates relative to each student's anchor have no single date.

Dates relative to a student are computed in Python from their anchor (no row per student per item);
the queries are a fixed number per call, whatever the number of courses and items."""

import datetime
from dataclasses import dataclass

from django.db.models import Q

from assignments.models import Assignment
from courses import release
from courses.models import Course, Enrollment, EnrollmentStatus, Lesson
from quizzes.models import Quiz

from .models import Cohort, CohortMember, LiveSession, MemberStatus

LESSON_RELEASE = "lesson_release"
QUIZ_DUE = "quiz_due"
ASSIGNMENT_DUE = "assignment_due"
LIVE_SESSION = "live_session"
COHORT_START = "cohort_start"
TYPES = [LESSON_RELEASE, QUIZ_DUE, ASSIGNMENT_DUE, LIVE_SESSION, COHORT_START]  # the schema's CalendarEventTypeEnum
MAX_RANGE_DAYS = 366


@dataclass(frozen=True)
class Event:
    type: str
    id: int
    title: str
    at: datetime.datetime
    course: Course
    ends_at: datetime.datetime | None = None
    join_url: str = ""
    updated_at: datetime.datetime | None = None

    @property
    def key(self) -> tuple[str, int]:
        return (self.type, self.id)


def events_for_user(user, start: datetime.datetime, end: datetime.datetime) -> list[Event]:
    """The user's events from `start` to `end` (both included), soonest first (ties by type, then
    id): as a student in their active enrollments, and as the instructor of the courses they teach.
    Queries: 6 for the student part, 6 for the teaching part, however many courses."""
    events: dict[tuple[str, int], Event] = {}
    for event in [*student_events(user, start, end), *_teaching_events(user, start, end)]:
        events.setdefault(event.key, event)
    return sorted(events.values(), key=lambda e: (e.at, e.type, e.id))


def _within(at, start, end) -> bool:
    return at is not None and start <= at <= end


def student_events(user, start, end) -> list[Event]:
    """The student part of events_for_user, unsorted: 6 queries (none but the first without an
    active enrollment)."""
    enrollments = list(Enrollment.objects.filter(student=user, status=EnrollmentStatus.ACTIVE).select_related("course"))
    if not enrollments:
        return []
    courses = {e.course_id: e.course for e in enrollments}
    seats = list(
        CohortMember.objects.filter(
            student=user, status=MemberStatus.ENROLLED, cohort__course_id__in=courses
        ).select_related("cohort")
    )
    # The anchors (courses.release.anchors_for) from the seats just read: the cohort's dates, else enrolled_at.
    by_course = {e.course_id: release.Anchor(e.enrolled_at) for e in enrollments}
    by_course.update({m.cohort.course_id: release.Anchor(m.cohort.starts_at, m.cohort.ends_at) for m in seats})
    events = [
        Event(COHORT_START, m.cohort.pk, m.cohort.name, m.cohort.starts_at, courses[m.cohort.course_id],
              updated_at=m.cohort.updated_at)
        for m in seats
        if _within(m.cohort.starts_at, start, end)
    ]  # fmt: skip
    lessons = (
        Lesson.objects.filter(course_id__in=courses, is_preview=False)
        .exclude(available_from__isnull=True, available_after_days__isnull=True)
        .only("pk", "title", "course_id", "available_from", "available_after_days", "updated_at")
    )
    for lesson in lessons:
        at = release.opens_at(lesson, by_course[lesson.course_id])
        if _within(at, start, end):
            events.append(Event(LESSON_RELEASE, lesson.pk, lesson.title, at, courses[lesson.course_id],
                                updated_at=lesson.updated_at))  # fmt: skip
    for kind, model in ((QUIZ_DUE, Quiz), (ASSIGNMENT_DUE, Assignment)):
        items = (
            model.objects.filter(course_id__in=courses)
            .exclude(due_at__isnull=True, due_after_days__isnull=True)
            .only("pk", "title", "course_id", "due_at", "due_after_days", "updated_at")
        )
        for item in items:
            at = release.due_for(item, by_course[item.course_id])
            if _within(at, start, end):
                events.append(Event(kind, item.pk, item.title, at, courses[item.course_id], updated_at=item.updated_at))
    seated = [m.cohort_id for m in seats]
    sessions = LiveSession.objects.filter(course_id__in=courses, starts_at__range=(start, end)).filter(
        Q(cohort__isnull=True) | Q(cohort_id__in=seated)
    )
    events.extend(_session_event(s, courses[s.course_id]) for s in sessions)
    return events


def _session_event(session: LiveSession, course: Course) -> Event:
    return Event(
        LIVE_SESSION,
        session.pk,
        session.title,
        session.starts_at,
        course,
        ends_at=session.starts_at + datetime.timedelta(minutes=session.duration_minutes),
        join_url=session.join_url,
        updated_at=session.updated_at,
    )


def _teaching_events(user, start, end) -> list[Event]:
    courses = {c.pk: c for c in Course.objects.filter(instructor=user)}
    if not courses:
        return []
    window = (start, end)
    events = [
        _session_event(s, courses[s.course_id])
        for s in LiveSession.objects.filter(course_id__in=courses, starts_at__range=window)
    ]
    events.extend(
        Event(COHORT_START, c.pk, c.name, c.starts_at, courses[c.course_id], updated_at=c.updated_at)
        for c in Cohort.objects.filter(course_id__in=courses, starts_at__range=window)
    )
    events.extend(
        Event(LESSON_RELEASE, item.pk, item.title, item.available_from, courses[item.course_id],
              updated_at=item.updated_at)
        for item in Lesson.objects.filter(course_id__in=courses, is_preview=False, available_from__range=window).only(
            "pk", "title", "course_id", "available_from", "updated_at"
        )
    )  # fmt: skip
    for kind, model in ((QUIZ_DUE, Quiz), (ASSIGNMENT_DUE, Assignment)):
        events.extend(
            Event(kind, item.pk, item.title, item.due_at, courses[item.course_id], updated_at=item.updated_at)
            for item in model.objects.filter(course_id__in=courses, due_at__range=window).only(
                "pk", "title", "course_id", "due_at", "updated_at"
            )
        )
    return events
