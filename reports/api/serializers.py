import datetime

from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.api.serializers import PublicUserSerializer
from certificates.api.serializers import CertificateSerializer
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
        return serializers.DecimalField(max_digits=5, decimal_places=2).to_representation(attempt.percent)


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
