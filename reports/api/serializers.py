import datetime
from functools import cache
from types import SimpleNamespace

from django.urls import reverse
from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.api.serializers import PublicUserSerializer
from accounts.models import display_name
from certificates.api.serializers import CertificateSerializer
from certificates.rendering import verify_url
from courses.api.cards import CATALOG, datetime_formatter, enrollment_item
from courses.api.serializers import CourseRefSerializer, CourseSerializer, EnrollmentSerializer
from lms.api.serializers import InputSerializer
from quizzes.selectors import student_sees_score
from reports.periods import INTERVALS
from reports.selectors import REPORTS
from reviews.api.serializers import ReviewSerializer
from schedules import calendar

# The choices of a report's `name` and `interval` (the schema's ReportNameEnum, ReportIntervalEnum).
REPORT_NAMES = sorted(REPORTS)
REPORT_INTERVALS = list(INTERVALS)


class ReportQuerySerializer(InputSerializer):
    """Query parameters of a report; `from`/`to` are inclusive dates (UTC)."""

    interval = serializers.ChoiceField(choices=REPORT_INTERVALS, default="day")
    currency = serializers.RegexField(r"^[A-Za-z]{3}$", required=False, help_text="Revenue only.")

    def validate(self, attrs):
        for name in ("from", "to"):
            if attrs.get(name) and attrs[name] > LAST_DAY:
                message = gettext("Use a date up to {date}.").format(date=LAST_DAY.isoformat())
                raise serializers.ValidationError({name: [message]})
        return attrs


ReportQuerySerializer._declared_fields["from"] = serializers.DateField(
    required=False, help_text="Default: 30 days ago."
)
ReportQuerySerializer._declared_fields["to"] = serializers.DateField(required=False, help_text="Default: today.")
# A range must be able to end a day (and a month) after its last date.
LAST_DAY = datetime.date(9998, 12, 31)


@extend_schema_field({"oneOf": [{"type": "integer"}, {"type": "string", "format": "decimal"}]})
class CountOrAmountField(serializers.Field):
    """A count (an integer), or for revenue a decimal string such as "149.97"."""

    def to_representation(self, value):
        return value if isinstance(value, int) else f"{value:.2f}"


class ReportPointSerializer(serializers.Serializer):
    period = serializers.DateField(help_text="The first day of the bucket.")
    value = CountOrAmountField(
        help_text="A count, or a decimal string: revenue, the mean hours to grade (grading-turnaround), or the mean "
        "percent of seats taken (cohort-fill)."
    )

    def to_representation(self, point):
        value = point["value"]
        return {"period": point["period"].isoformat(), "value": value if isinstance(value, int) else f"{value:.2f}"}


class TimeSeriesReportSerializer(serializers.Serializer):
    name = serializers.ChoiceField(choices=REPORT_NAMES)
    interval = serializers.ChoiceField(choices=REPORT_INTERVALS)
    results = ReportPointSerializer(many=True)
    total = CountOrAmountField(help_text="Sum over the range (a count, or a decimal string).")

    def to_representation(self, report):
        data = super().to_representation(report)
        data["from"] = report["from"].isoformat()
        data["to"] = report["to"].isoformat()
        total = report["total"]
        data["total"] = total if isinstance(total, int) else f"{total:.2f}"
        return data


TimeSeriesReportSerializer._declared_fields["from"] = serializers.DateField()
TimeSeriesReportSerializer._declared_fields["to"] = serializers.DateField()


# --- student dashboard ---------------------------------------------------------------------------
class NextLessonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()


class DashboardEnrollmentSerializer(EnrollmentSerializer):
    """An enrollment with its progress and the next lesson not yet done."""

    next_lesson = NextLessonSerializer(allow_null=True)

    class Meta(EnrollmentSerializer.Meta):
        fields = [*EnrollmentSerializer.Meta.fields, "next_lesson"]
        read_only_fields = fields


QUIZ_PERCENT = serializers.DecimalField(max_digits=5, decimal_places=2)


class QuizResultSerializer(serializers.Serializer):
    attempt = serializers.IntegerField(source="pk")
    quiz = serializers.IntegerField(source="quiz_id")
    quiz_title = serializers.CharField(source="quiz.title")
    course = serializers.IntegerField(source="quiz.course_id")
    percent = serializers.SerializerMethodField(
        help_text="Null for a quiz whose review policy is `never` (pass or fail only, as on the quiz itself)."
    )
    passed = serializers.BooleanField()
    submitted_at = serializers.DateTimeField()

    @extend_schema_field(serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True))
    def get_percent(self, attempt):
        if not student_sees_score(attempt.quiz):
            return None
        return QUIZ_PERCENT.to_representation(attempt.percent)


class DueAssignmentSerializer(serializers.Serializer):
    """An assignment the student has yet to submit, due soon."""

    id = serializers.IntegerField()
    title = serializers.CharField()
    course = CourseRefSerializer()
    due_at = serializers.DateTimeField()
    points = serializers.IntegerField()


class GradedAssignmentRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    points = serializers.IntegerField(help_text="The most a submission can earn.")


class GradedSubmissionSerializer(serializers.Serializer):
    """A graded submission, with its current grade (the latest, after any re-grade)."""

    submission = serializers.IntegerField(source="pk")
    attempt = serializers.IntegerField()
    assignment = GradedAssignmentRefSerializer()
    course = CourseRefSerializer(source="assignment.course")
    points = serializers.DecimalField(
        max_digits=8, decimal_places=2, source="grade.points", help_text="After any late penalty."
    )
    percent = serializers.DecimalField(max_digits=6, decimal_places=2, source="grade.percent")
    graded_at = serializers.DateTimeField(source="grade.graded_at")


class UpcomingEventSerializer(serializers.Serializer):
    """Something coming up in one of the student's courses."""

    type = serializers.ChoiceField(
        choices=calendar.TYPES,
        help_text="lesson_release: a lesson opens for them (its release rules); live_session: a live session "
        "they are in the audience of (`id` is the session's); cohort_start: the cohort they are seated in starts "
        "(the cohort's id and name); assignment_due: an assignment not yet submitted is due (on their own date); "
        "quiz_due: a quiz is due (on their own date).",
    )
    course = CourseRefSerializer()
    id = serializers.IntegerField(help_text="The live session's, cohort's, assignment's or quiz's id.")
    title = serializers.CharField()
    at = serializers.DateTimeField(help_text="When the lesson opens, the session or cohort starts, or the work is due.")


class StudentDashboardSerializer(serializers.Serializer):
    enrollments = DashboardEnrollmentSerializer(many=True, help_text="Active enrollments, newest first.")
    active_count = serializers.IntegerField()
    completed_count = serializers.IntegerField()
    certificates = CertificateSerializer(many=True)
    recent_quiz_results = QuizResultSerializer(many=True)
    assignments_due_soon = DueAssignmentSerializer(
        many=True,
        help_text="At most 5, the nearest first: assignments of active enrollments due in the next 14 days "
        "that the student has not submitted to yet.",
    )
    recently_graded = GradedSubmissionSerializer(
        many=True, help_text="At most 5 graded submissions (active enrollments), the most recently graded first."
    )
    unread_notifications = serializers.IntegerField()
    upcoming = UpcomingEventSerializer(
        many=True,
        help_text="At most 10, the soonest first: live sessions, cohort starts and due dates of active "
        "enrollments in the next 14 days.",
    )


# --- instructor dashboard ------------------------------------------------------------------------
class DashboardCohortSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    capacity = serializers.IntegerField(allow_null=True, help_text="Seats; null: unlimited.")
    seats_taken = serializers.IntegerField(
        help_text="Enrolled students, seats offered to the waitlist and seats held by checkouts in progress."
    )
    waitlist_count = serializers.IntegerField()


class InstructorDashboardCourseSerializer(CourseSerializer):
    active_students_30d = serializers.IntegerField()
    completions = serializers.IntegerField()
    completion_rate = serializers.FloatField(allow_null=True)
    revenue = serializers.DecimalField(max_digits=12, decimal_places=2)
    unanswered_reviews = serializers.IntegerField()
    quiz_attempts = serializers.IntegerField()
    quiz_pass_rate = serializers.FloatField(allow_null=True)
    submissions_to_grade = serializers.IntegerField(help_text="Submissions waiting for a grade.")
    oldest_waiting_at = serializers.DateTimeField(
        allow_null=True, help_text="When the longest-waiting of them was submitted; null when none waits."
    )
    cohorts = DashboardCohortSerializer(
        many=True,
        source="current_cohorts",
        help_text="Cohorts not yet ended, in start order, with their seats; empty for a self-paced course.",
    )

    class Meta(CourseSerializer.Meta):
        fields = [
            *CourseSerializer.Meta.fields,
            "active_students_30d",
            "completions",
            "completion_rate",
            "revenue",
            "unanswered_reviews",
            "quiz_attempts",
            "quiz_pass_rate",
            "submissions_to_grade",
            "oldest_waiting_at",
            "cohorts",
        ]
        read_only_fields = fields


class InstructorTotalsSerializer(serializers.Serializer):
    courses = serializers.IntegerField()
    enrollments = serializers.IntegerField()
    active_students_30d = serializers.IntegerField()
    completions = serializers.IntegerField()
    revenue = serializers.DecimalField(max_digits=14, decimal_places=2)
    rating_count = serializers.IntegerField()
    average_rating = serializers.DecimalField(max_digits=3, decimal_places=2, allow_null=True)
    unanswered_reviews = serializers.IntegerField()
    submissions_to_grade = serializers.IntegerField()
    oldest_waiting_at = serializers.DateTimeField(allow_null=True, help_text="Over every course; null when none waits.")


class RecentEnrollmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    student = PublicUserSerializer()
    course = serializers.IntegerField(source="course_id")
    course_title = serializers.CharField(source="course.title")
    enrolled_at = serializers.DateTimeField()


class InstructorDashboardSerializer(serializers.Serializer):
    courses = InstructorDashboardCourseSerializer(many=True)
    totals = InstructorTotalsSerializer()
    recent_reviews = ReviewSerializer(many=True)
    recent_enrollments = RecentEnrollmentSerializer(many=True)


# --- admin dashboard -----------------------------------------------------------------------------
class ActiveSplitSerializer(serializers.Serializer):
    active = serializers.IntegerField()
    inactive = serializers.IntegerField()


class UsersByRoleSerializer(serializers.Serializer):
    student = ActiveSplitSerializer()
    instructor = ActiveSplitSerializer()
    admin = ActiveSplitSerializer()


class CoursesByStatusSerializer(serializers.Serializer):
    draft = serializers.IntegerField()
    published = serializers.IntegerField()
    archived = serializers.IntegerField()


class EnrollmentTotalsSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    active = serializers.IntegerField()
    revoked = serializers.IntegerField()
    completions = serializers.IntegerField()


class RevenueSerializer(serializers.Serializer):
    currency = serializers.CharField()
    gross = serializers.DecimalField(max_digits=14, decimal_places=2)
    refunded = serializers.DecimalField(max_digits=14, decimal_places=2)
    net = serializers.DecimalField(max_digits=14, decimal_places=2, help_text="Paid minus refunded.")


class AdminDashboardSerializer(serializers.Serializer):
    users = UsersByRoleSerializer()
    courses = CoursesByStatusSerializer()
    enrollments = EnrollmentTotalsSerializer()
    revenue = RevenueSerializer(many=True)
    signups_by_day = ReportPointSerializer(many=True)
    enrollments_by_day = ReportPointSerializer(many=True)
    open_forum_reports = serializers.IntegerField()


# --- the dashboards' bodies, built by plain functions ---------------------------------------------
# The student and instructor dashboards are built from `.values()` rows (reports.selectors) by the
# functions below: model instances and DRF's field machinery were most of their cost (bench/README.md,
# "Round two"). The serializers above stay the contract (the schema is generated from them), and
# reports/tests/test_dashboard_bodies.py holds these functions' output equal to theirs, values and
# key order, for every shape of data. `when` is a courses.api.cards.datetime_formatter(), one a body.
@cache
def _decimals() -> dict:
    """The serializers' own decimal fields' formatting (COERCE_DECIMAL_TO_STRING, each field's
    digits)."""
    graded = GradedSubmissionSerializer().fields
    course = InstructorDashboardCourseSerializer().fields
    totals = InstructorTotalsSerializer().fields
    return {
        "graded_points": graded["points"].to_representation,
        "graded_percent": graded["percent"].to_representation,
        "revenue": course["revenue"].to_representation,
        "total_revenue": totals["revenue"].to_representation,
        "average_rating": totals["average_rating"].to_representation,
    }


@cache
def _sees_score(policy: str) -> bool:
    # quizzes.selectors.student_sees_score keeps the rule; it reads nothing of the quiz but its review
    # policy, which the row holds (a quiz it cannot read would fail test_dashboard_bodies loudly).
    return student_sees_score(SimpleNamespace(show_correct_answers=policy))


def _course_ref(row: dict, prefix: str) -> dict:
    """CourseRefSerializer's representation of the row's `{prefix}_id`, `{prefix}__slug` and
    `{prefix}__title`."""
    return {"id": row[f"{prefix}_id"], "slug": row[f"{prefix}__slug"], "title": row[f"{prefix}__title"]}


def _person(row: dict, prefix: str) -> dict:
    """PublicUserSerializer's representation of the row's `{prefix}_id` and `{prefix}__` columns of
    reports.selectors.PERSON_VALUES."""
    first, last = row[f"{prefix}__first_name"], row[f"{prefix}__last_name"]
    return {
        "id": row[f"{prefix}_id"],
        "first_name": first,
        "last_name": last,
        "full_name": display_name(first, last, row[f"{prefix}__email"], row[f"{prefix}__erased_at"]),
    }


def _enrollment(row: dict, progress: dict, request, when) -> dict:
    return {**enrollment_item(row, progress, request, when), "next_lesson": row["next_lesson"]}


def _certificate(row: dict, request, when) -> dict:
    download = reverse("certificate-download", args=[row["id"]])
    return {
        "id": row["id"],
        "course": _course_ref(row, "course"),
        "status": row["status"],
        "issued_at": when(row["issued_at"]),
        "completed_at": when(row["completed_at"]),
        "verification_code": row["verification_code"],
        "student_name": row["student_name"],
        "course_title": row["course_title"],
        "instructor_name": row["instructor_name"],
        "version": row["version"],
        "pdf_sha256": row["pdf_sha256"],
        "revoked_at": when(row["revoked_at"]),
        "revoked_reason": row["revoked_reason"],
        "download_url": request.build_absolute_uri(download) if request else download,
        "verify_url": verify_url(row["verification_code"]),
    }


def _quiz_result(row: dict, when) -> dict:
    sees = _sees_score(row["quiz__show_correct_answers"])
    return {
        "attempt": row["id"],
        "quiz": row["quiz_id"],
        "quiz_title": row["quiz__title"],
        "course": row["quiz__course_id"],
        "percent": QUIZ_PERCENT.to_representation(row["percent"]) if sees else None,
        "passed": row["passed"],
        "submitted_at": when(row["submitted_at"]),
    }


def _due(row: dict, when) -> dict:
    return {
        "id": row["id"],
        "title": row["title"],
        "course": _course_ref(row, "course"),
        "due_at": when(row["due_at"]),
        "points": row["points"],
    }


def _graded(row: dict, when) -> dict:
    decimals = _decimals()
    return {
        "submission": row["id"],
        "attempt": row["attempt"],
        "assignment": {
            "id": row["assignment_id"],
            "title": row["assignment__title"],
            "points": row["assignment__points"],
        },
        "course": _course_ref(row, "assignment__course"),
        "points": decimals["graded_points"](row["grade__points"]),
        "percent": decimals["graded_percent"](row["grade__percent"]),
        "graded_at": when(row["grade__graded_at"]),
    }


def _upcoming(event: dict, when) -> dict:
    return {
        "type": event["type"],
        "course": event["course"],
        "id": event["id"],
        "title": event["title"],
        "at": when(event["at"]),
    }


def student_dashboard_data(data: dict, request) -> dict:
    """StudentDashboardSerializer's representation of reports.selectors.dashboard_for_student."""
    progress, when = data["progress"], datetime_formatter()
    return {
        "enrollments": [_enrollment(row, progress, request, when) for row in data["enrollments"]],
        "active_count": data["active_count"],
        "completed_count": data["completed_count"],
        "certificates": [_certificate(row, request, when) for row in data["certificates"]],
        "recent_quiz_results": [_quiz_result(row, when) for row in data["recent_quiz_results"]],
        "assignments_due_soon": [_due(row, when) for row in data["assignments_due_soon"]],
        "recently_graded": [_graded(row, when) for row in data["recently_graded"]],
        "unread_notifications": data["unread_notifications"],
        "upcoming": [_upcoming(event, when) for event in data["upcoming"]],
    }


def _rate(value: float | None) -> float | None:
    return None if value is None else float(value)


def _taught(row: dict, when) -> dict:
    return {
        **CATALOG.card(row, None, when),
        "active_students_30d": row["active_students_30d"],
        "completions": row["completions"],
        "completion_rate": _rate(row["completion_rate"]),
        "revenue": _decimals()["revenue"](row["revenue"]),
        "unanswered_reviews": row["unanswered_reviews"],
        "quiz_attempts": row["quiz_attempts"],
        "quiz_pass_rate": _rate(row["quiz_pass_rate"]),
        "submissions_to_grade": row["submissions_to_grade"],
        "oldest_waiting_at": when(row["oldest_waiting_at"]),
        "cohorts": [
            {
                "id": cohort["id"],
                "name": cohort["name"],
                "starts_at": when(cohort["starts_at"]),
                "ends_at": when(cohort["ends_at"]),
                "capacity": cohort["capacity"],
                "seats_taken": cohort["seats_taken"],
                "waitlist_count": cohort["waitlist_count"],
            }
            for cohort in row["cohorts"]
        ],
    }


def _review(row: dict, when) -> dict:
    reply = None
    if row["reply__id"] is not None:
        reply = {
            "body": row["reply__body"],
            "created_at": when(row["reply__created_at"]),
            "updated_at": when(row["reply__updated_at"]),
        }
    return {
        "id": row["id"],
        "course": row["course_id"],
        "student": _person(row, "student"),
        "rating": row["rating"],
        "comment": row["comment"],
        "reply": reply,
        "created_at": when(row["created_at"]),
        "updated_at": when(row["updated_at"]),
    }


def instructor_dashboard_data(data: dict) -> dict:
    """InstructorDashboardSerializer's representation of reports.selectors.dashboard_for_instructor
    (as ever without a request: a cover's URLs are as the storage gives them)."""
    decimals, when = _decimals(), datetime_formatter()
    totals = data["totals"]
    average = totals["average_rating"]
    return {
        "courses": [_taught(row, when) for row in data["courses"]],
        "totals": {
            "courses": totals["courses"],
            "enrollments": totals["enrollments"],
            "active_students_30d": totals["active_students_30d"],
            "completions": totals["completions"],
            "revenue": decimals["total_revenue"](totals["revenue"]),
            "rating_count": totals["rating_count"],
            "average_rating": None if average is None else decimals["average_rating"](average),
            "unanswered_reviews": totals["unanswered_reviews"],
            "submissions_to_grade": totals["submissions_to_grade"],
            "oldest_waiting_at": when(totals["oldest_waiting_at"]),
        },
        "recent_reviews": [_review(row, when) for row in data["recent_reviews"]],
        "recent_enrollments": [
            {
                "id": row["id"],
                "student": _person(row, "student"),
                "course": row["course_id"],
                "course_title": row["course__title"],
                "enrolled_at": when(row["enrolled_at"]),
            }
            for row in data["recent_enrollments"]
        ],
    }
