from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from courses.models import ReleaseRules


class SubmissionType(models.TextChoices):
    TEXT = "text", _("Text")
    FILE = "file", _("File")
    URL = "url", _("URL")


class Assignment(ReleaseRules):
    """Work a person grades. Ordered within its section with the lessons and quizzes; kept in the
    course (section null) when its section is deleted, as quizzes are."""

    course = models.ForeignKey(
        "courses.Course", on_delete=models.CASCADE, related_name="assignments", verbose_name=_("course")
    )
    section = models.ForeignKey(
        "courses.Section",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assignments",
        verbose_name=_("section"),
    )
    title = models.CharField(verbose_name=_("title"), max_length=200)
    instructions = models.TextField(verbose_name=_("instructions"), blank=True, max_length=20000)
    points = models.PositiveIntegerField(
        verbose_name=_("points"), default=100, validators=[MinValueValidator(1), MaxValueValidator(10000)]
    )
    due_at = models.DateTimeField(verbose_name=_("due date"), null=True, blank=True)
    due_after_days = models.PositiveIntegerField(
        verbose_name=_("due after (days)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(3650)],
        help_text=_("Due this many days after the student's cohort starts (or they enrolled); instead of due_at."),
    )
    submission_types = models.JSONField(
        verbose_name=_("submission types"), default=list, help_text=_("Any of text, file, url.")
    )
    allowed_file_types = models.JSONField(
        verbose_name=_("allowed file types"),
        default=list,
        blank=True,
        help_text=_("MIME types a file may be; empty: any MEDIA_SUBMISSION_TYPES."),
    )
    max_files = models.PositiveSmallIntegerField(
        verbose_name=_("maximum files"), default=5, validators=[MinValueValidator(1), MaxValueValidator(20)]
    )
    max_attempts = models.PositiveSmallIntegerField(
        verbose_name=_("maximum attempts"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Submissions a student may make; empty: resubmit freely until one is graded."),
    )
    is_required = models.BooleanField(
        verbose_name=_("required"), default=False, help_text=_("Must be passed to complete the course.")
    )
    pass_percent = models.PositiveSmallIntegerField(
        verbose_name=_("pass percent"), default=60, validators=[MaxValueValidator(100)]
    )
    accept_late = models.BooleanField(
        verbose_name=_("accept late work"), default=True, help_text=_("Accept submissions after due_at.")
    )
    penalty_percent_per_day = models.DecimalField(
        verbose_name=_("late penalty (percent per day)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text=_("Taken off the score for each day (or part of one) late."),
    )
    cutoff_at = models.DateTimeField(
        verbose_name=_("cutoff date"), null=True, blank=True, help_text=_("Nothing is accepted after this.")
    )
    order = models.PositiveIntegerField(verbose_name=pgettext_lazy("position in a list", "order"), default=0)
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(verbose_name=_("updated at"), auto_now=True)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        indexes = [models.Index(fields=["course", "order"])]
        constraints = [
            models.CheckConstraint(condition=Q(pass_percent__lte=100), name="assignments_pass_percent_lte_100"),
            models.CheckConstraint(
                condition=Q(cutoff_at__isnull=True) | Q(due_at__isnull=True) | Q(cutoff_at__gte=models.F("due_at")),
                name="assignments_cutoff_after_due",
            ),
        ]

    def __str__(self):
        return self.title


class RubricCriterion(models.Model):
    assignment = models.ForeignKey(
        Assignment, on_delete=models.CASCADE, related_name="criteria", verbose_name=_("assignment")
    )
    title = models.CharField(verbose_name=_("title"), max_length=200)
    description = models.TextField(verbose_name=_("description"), blank=True, max_length=2000)
    points = models.PositiveIntegerField(
        verbose_name=_("points"), validators=[MinValueValidator(1), MaxValueValidator(10000)]
    )
    order = models.PositiveIntegerField(verbose_name=pgettext_lazy("position in a list", "order"), default=0)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("rubric criterion")
        verbose_name_plural = _("rubric criteria")

    def __str__(self):
        return f"{self.title} ({self.points})"


class SubmissionStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    GRADED = "graded", _("Graded")


class Submission(models.Model):
    """One attempt of one student at an assignment. Never changed by the student once made: a
    resubmission is a new attempt, and earlier ones stay readable."""

    assignment = models.ForeignKey(
        Assignment, on_delete=models.PROTECT, related_name="submissions", verbose_name=_("assignment")
    )
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="submissions", verbose_name=_("student")
    )
    attempt = models.PositiveSmallIntegerField(verbose_name=_("attempt"))
    status = models.CharField(
        verbose_name=_("status"),
        max_length=10,
        choices=SubmissionStatus.choices,
        default=SubmissionStatus.SUBMITTED,
    )
    text = models.TextField(verbose_name=_("text"), blank=True, max_length=100000)
    url = models.URLField(verbose_name=_("URL"), blank=True, max_length=1000)
    submitted_at = models.DateTimeField(verbose_name=_("submitted at"))
    is_late = models.BooleanField(verbose_name=_("late"), default=False)
    days_late = models.PositiveIntegerField(
        verbose_name=_("days late"), default=0, help_text=_("Whole days or parts of days after due_at.")
    )
    grade = models.OneToOneField(
        "Grade",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("grade"),
        help_text=_("The current grade."),
    )

    class Meta:
        ordering = ["submitted_at", "id"]
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        constraints = [
            models.UniqueConstraint(fields=["assignment", "student", "attempt"], name="assignments_one_per_attempt"),
        ]
        indexes = [
            models.Index(fields=["assignment", "status", "submitted_at"]),
            models.Index(fields=["student", "assignment"]),
        ]

    def __str__(self):
        return _("{assignment} by {student} (attempt {attempt})").format(
            assignment=self.assignment, student=self.student, attempt=self.attempt
        )


class SubmissionFile(models.Model):
    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="submission_files", verbose_name=_("submission")
    )
    upload = models.OneToOneField(
        "media.Upload", on_delete=models.PROTECT, related_name="submission_file", verbose_name=_("upload")
    )
    order = models.PositiveSmallIntegerField(verbose_name=pgettext_lazy("position in a list", "order"), default=0)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("submission file")
        verbose_name_plural = _("submission files")

    def __str__(self):
        return str(self.upload_id)


class Grade(models.Model):
    """One grading of a submission. Re-grading adds a row: the history keeps who graded what, when.
    `score` is what the grader gave (or the rubric's sum); `points` is after the late penalty."""

    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="grades", verbose_name=_("submission")
    )
    score = models.DecimalField(verbose_name=_("score"), max_digits=8, decimal_places=2)
    rubric_scores = models.JSONField(
        verbose_name=_("rubric scores"),
        default=list,
        blank=True,
        help_text=_("[{criterion, points}] when graded by rubric."),
    )
    late_penalty = models.DecimalField(
        verbose_name=_("late penalty"), max_digits=8, decimal_places=2, default=Decimal("0")
    )
    points = models.DecimalField(verbose_name=_("points"), max_digits=8, decimal_places=2)
    percent = models.DecimalField(verbose_name=_("percent"), max_digits=6, decimal_places=2)
    feedback = models.TextField(verbose_name=_("feedback"), blank=True, max_length=20000)
    graded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("graded by"),
    )
    graded_at = models.DateTimeField(verbose_name=_("graded at"))

    class Meta:
        ordering = ["-graded_at", "-id"]
        verbose_name = _("grade")
        verbose_name_plural = _("grades")

    def __str__(self):
        return f"{self.points} ({self.percent}%)"


class ArchiveStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


class SubmissionArchive(models.Model):
    """A zip of every submission to an assignment (every attempt: its text, URL and files, and a CSV
    of the figures), built in the background for the course's staff and downloaded through a signed,
    expiring link. Swept after a week (services.ARCHIVE_KEEP)."""

    assignment = models.ForeignKey(
        Assignment, on_delete=models.CASCADE, related_name="archives", verbose_name=_("assignment")
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    status = models.CharField(
        verbose_name=_("status"), max_length=10, choices=ArchiveStatus.choices, default=ArchiveStatus.PENDING
    )
    key = models.CharField(
        verbose_name=_("storage key"),
        max_length=500,
        blank=True,
        help_text=_("The zip's private storage name, fixed when requested (deleted with it)."),
    )
    size = models.PositiveBigIntegerField(verbose_name=_("size"), default=0, help_text=_("Bytes of the zip."))
    submission_count = models.PositiveIntegerField(
        verbose_name=_("submission count"), default=0, help_text=_("Attempts in the zip.")
    )
    error = models.CharField(verbose_name=_("error"), max_length=300, blank=True, help_text=_("Why it failed."))
    requested_at = models.DateTimeField(verbose_name=_("requested at"), auto_now_add=True)
    queued_at = models.DateTimeField(
        verbose_name=_("queued at"), default=timezone.now, help_text=_("When its build was last queued.")
    )
    finished_at = models.DateTimeField(verbose_name=_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("submission archive")
        verbose_name_plural = _("submission archives")
        indexes = [
            models.Index(fields=["assignment", "requested_at"]),
            models.Index(fields=["status", "requested_at"]),  # the sweep
        ]

    def __str__(self):
        return _("Archive {id} of {assignment} ({status})").format(
            id=self.pk, assignment=self.assignment, status=self.get_status_display()
        )
