"""Cohorts (course runs): a course taught from a start to an end date, with an enrollment window and
a number of seats. A course with cohorts is enrolled in through one of them; a course without any is
self-paced, exactly as before.

Seats are `CohortMember` rows. A seat is taken by a member `enrolled` (an active enrollment in the
course through this cohort), `offered` (a freed seat offered to the first waiting student until
`offer_expires_at`) or `held` (a checkout in progress holds it until its order is paid or can no
longer be). `waitlisted` members wait in order of `waitlisted_at`; `left` rows are history. A
student holds at most one membership that is not `left` per cohort."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _


class Cohort(models.Model):
    course = models.ForeignKey(
        "courses.Course", on_delete=models.CASCADE, related_name="cohorts", verbose_name=_("course")
    )
    name = models.CharField(_("name"), max_length=200)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    enrollment_opens_at = models.DateTimeField(
        _("enrollment opens at"), null=True, blank=True, help_text=_("Empty: open until it closes.")
    )
    enrollment_closes_at = models.DateTimeField(
        _("enrollment closes at"), null=True, blank=True, help_text=_("Empty: open until the end.")
    )
    capacity = models.PositiveIntegerField(
        _("capacity"), null=True, blank=True, help_text=_("Seats; empty: unlimited.")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("cohort")
        verbose_name_plural = _("cohorts")
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="cohort_ends_after_start"),
            models.CheckConstraint(
                condition=Q(enrollment_opens_at__isnull=True)
                | Q(enrollment_closes_at__isnull=True)
                | Q(enrollment_closes_at__gt=models.F("enrollment_opens_at")),
                name="cohort_closes_after_opening",
            ),
            models.CheckConstraint(condition=Q(capacity__isnull=True) | Q(capacity__gte=1), name="cohort_capacity_min"),
        ]
        indexes = [models.Index(fields=["course", "starts_at"])]

    def __str__(self):
        return gettext("{cohort} ({course})").format(cohort=self.name, course=self.course)


class MemberStatus(models.TextChoices):
    ENROLLED = "enrolled", _("Enrolled")
    WAITLISTED = "waitlisted", _("Waitlisted")
    OFFERED = "offered", _("Offered a freed seat")
    HELD = "held", _("Held by a checkout")
    LEFT = "left", pgettext_lazy("cohort member status", "Left")


SEAT_STATUSES = (MemberStatus.ENROLLED, MemberStatus.OFFERED, MemberStatus.HELD)
ACTIVE_STATUSES = (*SEAT_STATUSES, MemberStatus.WAITLISTED)


class CohortMember(models.Model):
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="members", verbose_name=_("cohort"))
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="cohort_memberships",
        verbose_name=_("student"),
    )
    status = models.CharField(_("status"), max_length=10, choices=MemberStatus.choices)
    waitlisted_at = models.DateTimeField(
        _("waitlisted at"), null=True, blank=True, help_text=_("Its place in the waitlist.")
    )
    offer_expires_at = models.DateTimeField(_("offer expires at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("cohort member")
        verbose_name_plural = _("cohort members")
        ordering = ["cohort", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "student"], condition=~Q(status="left"), name="cohort_member_one_active"
            ),
            models.CheckConstraint(
                condition=~Q(status="offered") | Q(offer_expires_at__isnull=False), name="cohort_offer_expires"
            ),
        ]
        indexes = [
            models.Index(fields=["cohort", "status", "waitlisted_at"]),
            models.Index(fields=["status", "offer_expires_at"]),
            models.Index(fields=["student", "status"]),
        ]

    def __str__(self):
        return gettext("{student} in {cohort}: {status}").format(
            student=self.student, cohort=self.cohort.name, status=self.get_status_display()
        )


class LiveSession(models.Model):
    """A scheduled meeting of a course (any provider's link: no video service is built here). Its
    audience is every student actively enrolled in the course, or, when it names a cohort, those of
    them seated (`enrolled`) in that cohort. Only its audience and the course's staff see it."""

    course = models.ForeignKey(
        "courses.Course", on_delete=models.CASCADE, related_name="live_sessions", verbose_name=_("course")
    )
    cohort = models.ForeignKey(
        Cohort,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="live_sessions",
        verbose_name=_("cohort"),
        help_text=_("Empty: every enrolled student of the course."),
    )
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts at"))
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"), help_text=_("From 1 to 1440 (a day)."))
    join_url = models.URLField(
        _("join link"), max_length=500, help_text=_("An https link to the meeting (any provider).")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("live session")
        verbose_name_plural = _("live sessions")
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=1, duration_minutes__lte=1440), name="live_session_duration_range"
            ),
        ]
        indexes = [models.Index(fields=["course", "starts_at"]), models.Index(fields=["starts_at"])]

    def __str__(self):
        return gettext("{title} ({starts_at})").format(title=self.title, starts_at=f"{self.starts_at:%Y-%m-%d %H:%M}")


class Attendance(models.Model):
    """A student marked present at a live session; a student without a row was absent."""

    session = models.ForeignKey(
        LiveSession, on_delete=models.CASCADE, related_name="attendance", verbose_name=_("live session")
    )
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="attendance", verbose_name=_("student")
    )
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("marked by"),
    )
    marked_at = models.DateTimeField(_("marked at"))

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        ordering = ["session", "student"]
        constraints = [models.UniqueConstraint(fields=["session", "student"], name="attendance_once_per_session")]

    def __str__(self):
        return gettext("{student} at {session}").format(student=self.student, session=self.session)


class LiveSessionReminder(models.Model):
    """A student reminded of a live session: the unique pair makes the reminder go out once, even
    when two runs of the job overlap. `batch` marks the rows one run inserted (a conflicting insert
    leaves the other run's mark), so each run notifies exactly the students it inserted."""

    session = models.ForeignKey(
        LiveSession, on_delete=models.CASCADE, related_name="reminders", verbose_name=_("live session")
    )
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("student")
    )
    batch = models.UUIDField(_("batch"), db_index=True)
    sent_at = models.DateTimeField(_("sent at"))

    class Meta:
        verbose_name = _("live session reminder")
        verbose_name_plural = _("live session reminders")
        constraints = [models.UniqueConstraint(fields=["session", "student"], name="live_session_reminded_once")]

    def __str__(self):
        return gettext("{student} reminded of {session}").format(student=self.student, session=self.session)


class CalendarFeed(models.Model):
    """A user's secret calendar feed address (`/me/calendar.ics?token=`): only the token's SHA-256
    is stored, so the address is shown once, when issued; issuing a new one voids the old. A per-user
    secret for calendar apps, never a JWT: it reads the calendar and nothing else."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed", verbose_name=_("user")
    )
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self):
        return gettext("Calendar feed of {user}").format(user=self.user_id)


class NoticeKind(models.TextChoices):
    COHORT_STARTING = "cohort_starting", _("Cohort starting")
    QUIZ_DUE = "quiz_due", _("Quiz due")
    ASSIGNMENT_DUE = "assignment_due", _("Assignment due")
    CONTENT_RELEASED = "content_released", _("Daily digest of released content")


class ScheduleNotice(models.Model):
    """That a student was sent a schedule notification (schedules.reminders), once per date: per
    cohort and start (starting), per quiz or assignment and due date (due), or per day (`object_id`
    the date's ordinal: the digest of what opened). A date moved later is told again when it comes
    near. The unique row is what keeps overlapping or repeated runs from sending twice; `batch`
    marks the rows one run inserted, so it notifies only those."""

    kind = models.CharField(_("kind"), max_length=20, choices=NoticeKind.choices)
    object_id = models.BigIntegerField(_("object id"))
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("student")
    )
    at = models.DateTimeField(
        _("date"), help_text=_("The date the notice was about: the start, the student's due date, the day.")
    )
    batch = models.UUIDField(_("batch"), db_index=True)
    sent_at = models.DateTimeField(_("sent at"))

    class Meta:
        verbose_name = _("schedule notice")
        verbose_name_plural = _("schedule notices")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "object_id", "student", "at"], name="schedule_notice_once_per_date"
            ),
        ]

    def __str__(self):
        return gettext("{kind} {object} to {student}").format(
            kind=self.get_kind_display(), object=self.object_id, student=self.student_id
        )
