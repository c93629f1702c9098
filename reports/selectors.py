"""Dashboards and reports. Every figure is computed by the database (filtered counts, sums,
truncated dates) in a fixed number of queries, whatever the number of courses or events."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import (
    Avg,
    Count,
    DateField,
    DecimalField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from activity.models import ActivityEvent
from assignments.models import Assignment, Submission, SubmissionStatus
from certificates.models import Certificate
from courses.api.cards import CATALOG, ENROLLED, ENROLLMENT_VALUES
from courses.models import Course, Enrollment, EnrollmentStatus, Lesson
from courses.progress import EnrollmentRef, progress_for
from forum.models import Report, ReportStatus
from notifications.selectors import notification_unread_count_for_user
from payments.models import Order, OrderStatus
from payments.selectors import revenue_subquery
from quizzes.models import Attempt
from reviews.models import Review, author_enrolled
from reviews.selectors import review_list_for_instructor
from schedules import calendar
from schedules.models import Cohort, CohortMember, MemberStatus
from schedules.selectors import cohort_list_with_figures

from .periods import INTERVALS, MAX_BUCKETS, as_date, buckets

ZERO = Decimal("0.00")
DUE_SOON_DAYS = 14  # the student dashboard's horizon for assignments due soon
DASHBOARD_ITEMS = 5  # recent quiz results, assignments due soon, recently graded
UPCOMING_DAYS = 14  # the student dashboard's horizon for `upcoming`
UPCOMING_ITEMS = 10

# The columns the dashboards read (`.values()`), which reports.api.serializers formats as the
# dashboards' serializers describe them.
CERTIFICATE_VALUES = (
    "id",
    "course_id",
    "course__slug",
    "course__title",
    "status",
    "issued_at",
    "completed_at",
    "verification_code",
    "student_name",
    "course_title",
    "instructor_name",
    "version",
    "pdf_sha256",
    "revoked_at",
    "revoked_reason",
)
QUIZ_RESULT_VALUES = (
    "id",
    "quiz_id",
    "quiz__title",
    "quiz__course_id",
    "quiz__show_correct_answers",
    "percent",
    "passed",
    "submitted_at",
)
DUE_VALUES = ("id", "title", "course_id", "course__slug", "course__title", "due_at", "points")
GRADED_VALUES = (
    "id",
    "attempt",
    "assignment_id",
    "assignment__title",
    "assignment__points",
    "assignment__course_id",
    "assignment__course__slug",
    "assignment__course__title",
    "grade__points",
    "grade__percent",
    "grade__graded_at",
)
# An instructor's course: its card (courses.api.cards) and these annotations.
COURSE_FIGURES = (
    "active_students_30d",
    "completions",
    "revenue",
    "unanswered_reviews",
    "quiz_attempts",
    "quiz_passes",
    "submissions_to_grade",
    "oldest_waiting_at",
)
COHORT_VALUES = ("id", "name", "starts_at", "ends_at", "capacity", "seats_taken", "waitlist_count")
PERSON_VALUES = ("first_name", "last_name", "email", "erased_at")  # accounts.models.display_name's
REVIEW_VALUES = (
    "id",
    "course_id",
    "student_id",
    *(f"student__{name}" for name in PERSON_VALUES),
    "rating",
    "comment",
    "reply__id",
    "reply__body",
    "reply__created_at",
    "reply__updated_at",
    "created_at",
    "updated_at",
)
RECENT_ENROLLMENT_VALUES = (
    "id",
    "student_id",
    *(f"student__{name}" for name in PERSON_VALUES),
    "course_id",
    "course__title",
    "enrolled_at",
)


def _count_per_course(queryset: QuerySet, course_field: str = "course") -> Coalesce:
    """A correlated COUNT for each course row of the outer query (OuterRef "pk")."""
    counted = (
        queryset.filter(**{course_field: OuterRef("pk")})
        .order_by()
        .values(course_field)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


# --- reports -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ReportSpec:
    queryset: Callable[[], QuerySet]
    date_field: str
    value: Callable[[], object]
    instructor_scope: str | None  # the lookup to the course's instructor; None: admins only
    money: bool = False
    convert: Callable[[object], object] | None = None  # from what the database returns to the value


def _hours(duration: datetime.timedelta | None) -> Decimal:
    return (Decimal(duration.total_seconds()) / 3600).quantize(Decimal("0.01")) if duration else ZERO


def _fill_percent() -> Avg:
    """The mean of the cohorts' fill, in percent: each cohort's `enrolled` members (taken seats; not
    offered, held, waitlisted or left) / capacity * 100, every cohort weighing the same. A float in
    the database, so that no backend divides integers. (`_count_per_course` counts per outer row,
    here the cohort.)"""
    enrolled = _count_per_course(CohortMember.objects.filter(status=MemberStatus.ENROLLED), "cohort")
    return Avg(Cast(enrolled, FloatField()) * 100 / F("capacity"), output_field=FloatField())


def _percent(mean: float | None) -> Decimal:
    # Through str: the shortest decimal of the float, not its binary expansion.
    return Decimal(str(mean)).quantize(Decimal("0.01")) if mean is not None else ZERO


REPORTS: dict[str, ReportSpec] = {
    "signups": ReportSpec(User.objects.all, "date_joined", lambda: Count("pk"), None),
    "enrollments": ReportSpec(Enrollment.objects.all, "enrolled_at", lambda: Count("pk"), "course__instructor"),
    "completions": ReportSpec(
        lambda: Enrollment.objects.filter(completed_at__isnull=False),
        "completed_at",
        lambda: Count("pk"),
        "course__instructor",
    ),
    "revenue": ReportSpec(
        lambda: Order.objects.filter(status=OrderStatus.PAID),
        "paid_at",
        lambda: Sum("amount"),
        "course__instructor",
        money=True,
    ),
    "quiz-attempts": ReportSpec(
        lambda: Attempt.objects.filter(submitted_at__isnull=False),
        "submitted_at",
        lambda: Count("pk"),
        "quiz__course__instructor",
    ),
    # Work submitted to assignments, and how long grading took: the mean hours from a submission to
    # its current grade, by the period it was graded in (0.00 where nothing was graded).
    "submissions": ReportSpec(
        Submission.objects.all, "submitted_at", lambda: Count("pk"), "assignment__course__instructor"
    ),
    "grading-turnaround": ReportSpec(
        lambda: Submission.objects.filter(grade__isnull=False),
        "grade__graded_at",
        lambda: Avg(ExpressionWrapper(F("grade__graded_at") - F("submitted_at"), output_field=DurationField())),
        "assignment__course__instructor",
        convert=_hours,
    ),
    # How full cohorts are, by the period they start in: the mean percent of seats taken (0.00 where
    # no cohort starts). Cohorts with unlimited seats (no capacity) have no fill: they are left out.
    "cohort-fill": ReportSpec(
        lambda: Cohort.objects.filter(capacity__isnull=False),
        "starts_at",
        _fill_percent,
        "course__instructor",
        convert=_percent,
    ),
    "active-users": ReportSpec(
        lambda: ActivityEvent.objects.filter(actor__isnull=False),
        "created_at",
        lambda: Count("actor", distinct=True),
        None,
    ),
}


def report_series(
    *,
    name: str,
    start: datetime.date,
    end: datetime.date,
    interval: str,
    instructor: User | None = None,
    currency: str | None = None,
) -> list[dict]:
    """`[{period, value}]` for every bucket from start to end (inclusive), zeros where nothing
    happened. One query. Revenue counts orders paid in the period and not refunded."""
    spec = REPORTS[name]
    field = spec.date_field
    since = datetime.datetime.combine(start, datetime.time.min, tzinfo=datetime.UTC)
    until = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tzinfo=datetime.UTC)
    queryset = spec.queryset().filter(**{f"{field}__gte": since, f"{field}__lt": until})
    if instructor is not None:
        queryset = queryset.filter(**{spec.instructor_scope: instructor})
    if spec.money and currency:
        queryset = queryset.filter(currency=currency)
    rows = (
        queryset.annotate(period=INTERVALS[interval](field, output_field=DateField(), tzinfo=datetime.UTC))
        .values("period")
        .annotate(value=spec.value())
        .order_by("period")
    )
    convert = spec.convert or (lambda value: value)
    found = {as_date(row["period"]): convert(row["value"]) for row in rows}
    zero = ZERO if spec.money or spec.convert else 0
    return [{"period": period, "value": found.get(period) or zero} for period in buckets(start, end, interval)]


# A range too long for its interval, by interval (one whole sentence each).
TOO_MANY_BUCKETS = {
    "day": _("Too many days from {start} to {end} (at most {limit})."),
    "week": _("Too many weeks from {start} to {end} (at most {limit})."),
    "month": _("Too many months from {start} to {end} (at most {limit})."),
}


def report_range(
    *, start: datetime.date | None, end: datetime.date | None, interval: str
) -> tuple[datetime.date, datetime.date]:
    """The report's days: `to` defaults to today (UTC), `from` to 29 days before `to`. Raises
    ValidationError when from is after to, or the range holds more than MAX_BUCKETS buckets."""
    end = end or timezone.now().date()
    start = start or end - datetime.timedelta(days=29)
    if start > end:
        raise ValidationError(
            {"from": [gettext("`from` ({start}) must not be after `to` ({end}).").format(start=start, end=end)]}
        )
    days_per_bucket = {"day": 1, "week": 7, "month": 28}[interval]
    if (end - start).days // days_per_bucket >= MAX_BUCKETS:
        message = TOO_MANY_BUCKETS[interval].format(start=start, end=end, limit=MAX_BUCKETS)
        raise ValidationError({"interval": [message]})
    return start, end


def report_build(
    *,
    name: str,
    start: datetime.date,
    end: datetime.date,
    interval: str,
    instructor: User | None = None,
    currency: str | None = None,
) -> dict:
    """The whole report as the API returns it (and export_report writes it): name, interval, range,
    the series and its total."""
    results = report_series(
        name=name, start=start, end=end, interval=interval, instructor=instructor, currency=currency
    )
    return {
        "name": name,
        "interval": interval,
        "from": start,
        "to": end,
        "results": results,
        "total": sum(point["value"] for point in results),
    }


# --- student -------------------------------------------------------------------------------------
def _enrolled_in(student: User, course_field: str, courses: list[int] | None) -> Exists | Q:
    """The student holds an active enrollment in the course of the outer row (`course_field`).
    `courses`: the ids of those courses when the caller read them already (a plain IN list is
    cheaper to build than the subquery)."""
    if courses is not None:
        return Q(**{f"{course_field}_id__in": courses})
    return Exists(
        Enrollment.objects.filter(student=student, status=EnrollmentStatus.ACTIVE, course=OuterRef(course_field))
    )


def assignment_list_due_soon_for_student(
    student: User, *, courses: list[int] | None = None, days: int = DUE_SOON_DAYS
) -> QuerySet[Assignment]:
    """Assignments of the student's active enrollments (`courses`: their courses' ids, if known)
    due from now to `days` ahead (both ends included), that they have not submitted to yet, the
    nearest first. One query. Work already submitted (graded or not) and work past due are not
    listed."""
    now = timezone.now()
    submitted = Submission.objects.filter(student=student, assignment=OuterRef("pk"))
    return (
        Assignment.objects.filter(
            _enrolled_in(student, "course", courses),
            due_at__gte=now,
            due_at__lte=now + datetime.timedelta(days=days),
        )
        .exclude(Exists(submitted))
        .order_by("due_at", "id")
    )


def submission_list_graded_for_student(student: User, *, courses: list[int] | None = None) -> QuerySet[Submission]:
    """The student's graded submissions in the courses they are still enrolled in (`courses`: their
    ids, if known; an assignment of a course they left is closed to them), the most recently graded
    first (a re-grade counts from when it was given). One query."""
    return Submission.objects.filter(
        _enrolled_in(student, "assignment__course", courses), student=student, grade__isnull=False
    ).order_by("-grade__graded_at", "-id")


def upcoming_for_student(student: User, *, days: int = UPCOMING_DAYS, limit: int = UPCOMING_ITEMS) -> list[dict]:
    """What is coming up for the student from now to `days` ahead (both ends included), soonest
    first (ties: by type, then id), at most `limit`: their calendar (schedules.calendar: lessons
    opening for them, live sessions of their audience, their cohort's start, quizzes and
    assignments due on their own dates), without assignments they already submitted to.
    `{type, course, id, title, at}`. A fixed number of queries (the calendar's, and one for the
    submissions), however many courses and events."""
    now = timezone.now()
    events = sorted(
        calendar.student_events(student, now, now + datetime.timedelta(days=days)),
        key=lambda e: (e.at, e.type, e.id),
    )
    due = [e.id for e in events if e.type == calendar.ASSIGNMENT_DUE]
    submitted = (
        set(Submission.objects.filter(student=student, assignment_id__in=due).values_list("assignment_id", flat=True))
        if due
        else set()
    )
    return [
        {
            "type": e.type,
            "course": {"id": e.course.pk, "slug": e.course.slug, "title": e.course.title},
            "id": e.id,
            "title": e.title,
            "at": e.at,
        }
        for e in events
        if not (e.type == calendar.ASSIGNMENT_DUE and e.id in submitted)
    ][:limit]


def dashboard_for_student(student: User, *, limit: int = 20) -> dict:
    """The student dashboard's data as rows of plain values (reports.api.serializers
    student_dashboard_data formats them): the newest `limit` active enrollments with their course
    card's columns, `progress` ({enrollment id: Progress}) and `next_lesson`; the counts; the other
    lists. Built from `.values()` rows rather than model instances: instances and DRF fields were
    most of the request's time (bench/README.md)."""
    # One row more than shown tells whether the list holds every active enrollment: then the counts
    # come from it, with no COUNT query.
    rows = list(
        Enrollment.objects.filter(student=student, status=EnrollmentStatus.ACTIVE)
        .order_by("-enrolled_at", "-id")
        .values(*ENROLLMENT_VALUES, *ENROLLED.names)[: limit + 1]
    )
    every = len(rows) <= limit
    rows = rows[:limit]
    progress = progress_for([EnrollmentRef.from_row(r) for r in rows])
    curricula: dict[int, list[tuple[int, str]]] = {r["course_id"]: [] for r in rows}
    for course_id, lesson_id, title in (
        Lesson.objects.filter(course_id__in=curricula)
        .order_by("course_id", "section__order", "section_id", "order", "id")
        .values_list("course_id", "id", "title")
    ):
        curricula[course_id].append((lesson_id, title))
    for row in rows:
        done = set(progress[row["id"]].ids("lessons"))
        first = next(((pk, title) for pk, title in curricula[row["course_id"]] if pk not in done), None)
        row["next_lesson"] = {"id": first[0], "title": first[1]} if first else None
    if every:
        counts = {"active": len(rows), "completed": sum(r["completed_at"] is not None for r in rows)}
    else:
        counts = Enrollment.objects.filter(student=student, status=EnrollmentStatus.ACTIVE).aggregate(
            active=Count("pk"), completed=Count("pk", filter=Q(completed_at__isnull=False))
        )
    # Work due, graded work and the calendar belong to active enrollments: without one, nothing to
    # ask. With every active enrollment read, their courses are a list (no subquery to build).
    due, graded, upcoming = [], [], []
    if rows:
        courses = [row["course_id"] for row in rows] if every else None
        due = assignment_list_due_soon_for_student(student, courses=courses).values(*DUE_VALUES)
        graded = submission_list_graded_for_student(student, courses=courses).values(*GRADED_VALUES)
        upcoming = upcoming_for_student(student)
    return {
        "enrollments": rows,
        "progress": progress,
        "active_count": counts["active"],
        "completed_count": counts["completed"],
        "certificates": list(
            Certificate.objects.filter(student=student).order_by("-issued_at").values(*CERTIFICATE_VALUES)[:limit]
        ),
        "recent_quiz_results": list(
            Attempt.objects.filter(student=student, submitted_at__isnull=False)
            .order_by("-submitted_at", "-id")
            .values(*QUIZ_RESULT_VALUES)[:DASHBOARD_ITEMS]
        ),
        "assignments_due_soon": list(due[:DASHBOARD_ITEMS]),
        "recently_graded": list(graded[:DASHBOARD_ITEMS]),
        "unread_notifications": notification_unread_count_for_user(user=student),
        "upcoming": upcoming,
    }


# --- instructor ----------------------------------------------------------------------------------
def dashboard_for_instructor(instructor: User) -> dict:
    """The instructor dashboard's data as rows of plain values (reports.api.serializers
    instructor_dashboard_data formats them): each course's card columns with its figures and
    current cohorts, the totals, the recent reviews and enrollments. Four queries (one without a
    course)."""
    since = timezone.now() - datetime.timedelta(days=30)
    graded = Attempt.objects.filter(submitted_at__isnull=False)
    # Work waiting for a grade: what `next-ungraded` and `?status=submitted` list, every student's.
    waiting = Submission.objects.filter(status=SubmissionStatus.SUBMITTED)
    courses = list(
        Course.objects.filter(instructor=instructor)
        .annotate(
            active_students_30d=_count_per_course(
                Enrollment.objects.filter(status=EnrollmentStatus.ACTIVE, last_activity_at__gte=since)
            ),
            completions=_count_per_course(
                Enrollment.objects.filter(status=EnrollmentStatus.ACTIVE, completed_at__isnull=False)
            ),
            revenue=revenue_subquery(),
            # Reviews that count (their author still enrolled), as on the course page.
            unanswered_reviews=_count_per_course(Review.objects.filter(author_enrolled(), reply__isnull=True)),
            quiz_attempts=_count_per_course(graded, "quiz__course"),
            quiz_passes=_count_per_course(graded.filter(passed=True), "quiz__course"),
            submissions_to_grade=_count_per_course(waiting, "assignment__course"),
            oldest_waiting_at=Subquery(
                waiting.filter(assignment__course=OuterRef("pk")).order_by("submitted_at").values("submitted_at")[:1]
            ),
        )
        .order_by("-created_at", "-id")
        .values(*CATALOG.names, *COURSE_FIGURES)
    )
    # Cohorts not yet ended, with their seat figures: one query for every course (none without one).
    cohorts: dict[int, list[dict]] = {course["id"]: [] for course in courses}
    if cohorts:
        for cohort in (
            cohort_list_with_figures()
            .filter(course_id__in=cohorts, ends_at__gt=timezone.now())
            .order_by("starts_at", "id")
            .values("course_id", *COHORT_VALUES)
        ):
            cohorts[cohort.pop("course_id")].append(cohort)
    for course in courses:
        enrolled = course["enrollment_count"]
        attempts = course["quiz_attempts"]
        course["completion_rate"] = round(course["completions"] / enrolled, 4) if enrolled else None
        course["quiz_pass_rate"] = round(course["quiz_passes"] / attempts, 4) if attempts else None
        course["cohorts"] = cohorts[course["id"]]
    rated = [c for c in courses if c["rating_count"]]
    rating_total = sum(c["rating_count"] for c in rated)
    totals = {
        "courses": len(courses),
        "enrollments": sum(c["enrollment_count"] for c in courses),
        "active_students_30d": sum(c["active_students_30d"] for c in courses),
        "completions": sum(c["completions"] for c in courses),
        "revenue": sum((c["revenue"] for c in courses), ZERO),
        "rating_count": rating_total,
        "average_rating": (
            (sum(c["average_rating"] * c["rating_count"] for c in rated) / rating_total).quantize(Decimal("0.01"))
            if rating_total
            else None
        ),
        "unanswered_reviews": sum(c["unanswered_reviews"] for c in courses),
        "submissions_to_grade": sum(c["submissions_to_grade"] for c in courses),
        "oldest_waiting_at": min((c["oldest_waiting_at"] for c in courses if c["oldest_waiting_at"]), default=None),
    }
    reviews, enrollments = [], []
    if courses:  # both are of the instructor's courses: without one, nothing to ask
        reviews = review_list_for_instructor(instructor).order_by("-created_at", "-id").values(*REVIEW_VALUES)
        enrollments = (
            Enrollment.objects.filter(course__instructor=instructor)
            .order_by("-enrolled_at", "-id")
            .values(*RECENT_ENROLLMENT_VALUES)
        )
    return {
        "courses": courses,
        "totals": totals,
        "recent_reviews": list(reviews[:5]),
        "recent_enrollments": list(enrollments[:5]),
    }


# --- admin ---------------------------------------------------------------------------------------
def dashboard_for_admin(*, days: int = 30) -> dict:
    today = timezone.now().date()
    start = today - datetime.timedelta(days=days - 1)
    users: dict[str, dict[str, int]] = {
        role: {"active": 0, "inactive": 0} for role in ("student", "instructor", "admin")
    }
    for row in User.objects.values("role", "is_active").annotate(n=Count("pk")).order_by():
        users[row["role"]]["active" if row["is_active"] else "inactive"] = row["n"]
    courses = dict.fromkeys(("draft", "published", "archived"), 0)
    for row in Course.objects.values("status").annotate(n=Count("pk")).order_by():
        courses[row["status"]] = row["n"]
    enrollments = Enrollment.objects.aggregate(
        total=Count("pk"),
        active=Count("pk", filter=Q(status=EnrollmentStatus.ACTIVE)),
        revoked=Count("pk", filter=Q(status=EnrollmentStatus.REVOKED)),
        completions=Count("pk", filter=Q(completed_at__isnull=False)),
    )
    money = DecimalField(max_digits=14, decimal_places=2)
    revenue = [
        {
            "currency": row["currency"],
            "gross": row["gross"] or ZERO,
            "refunded": row["refunded"] or ZERO,
            "net": (row["gross"] or ZERO) - (row["refunded"] or ZERO),
        }
        for row in Order.objects.filter(status__in=[OrderStatus.PAID, OrderStatus.REFUNDED], paid_at__isnull=False)
        .values("currency")
        .annotate(
            gross=Sum("amount", output_field=money),
            refunded=Sum("amount", filter=Q(status=OrderStatus.REFUNDED), output_field=money),
        )
        .order_by("currency")
    ]
    return {
        "users": users,
        "courses": courses,
        "enrollments": enrollments,
        "revenue": revenue,
        "signups_by_day": report_series(name="signups", start=start, end=today, interval="day"),
        "enrollments_by_day": report_series(name="enrollments", start=start, end=today, interval="day"),
        "open_forum_reports": Report.objects.filter(status=ReportStatus.OPEN).count(),
    }
