from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from courses.models import ReleaseRules


class SubmissionType(models.TextChoices):
    TEXT = "text", "Text"
    FILE = "file", "File"
    URL = "url", "URL"


class Assignment(ReleaseRules):
    """Work a person grades. Ordered within its section with the lessons and quizzes; kept in the
    course (section null) when its section is deleted, as quizzes are."""

    course = models.ForeignKey("courses.Course", on_delete=models.CASCADE, related_name="assignments")
    section = models.ForeignKey(
        "courses.Section", null=True, blank=True, on_delete=models.SET_NULL, related_name="assignments"
    )
    title = models.CharField(max_length=200)
    instructions = models.TextField(blank=True, max_length=20000)
    points = models.PositiveIntegerField(default=100, validators=[MinValueValidator(1), MaxValueValidator(10000)])
    due_at = models.DateTimeField(null=True, blank=True)
    due_after_days = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MaxValueValidator(3650)],
        help_text="Due this many days after the student's cohort starts (or they enrolled); instead of due_at.",
    )
    submission_types = models.JSONField(default=list, help_text="Any of text, file, url.")
    allowed_file_types = models.JSONField(
        default=list, blank=True, help_text="MIME types a file may be; empty: any MEDIA_SUBMISSION_TYPES."
    )
    max_files = models.PositiveSmallIntegerField(default=5, validators=[MinValueValidator(1), MaxValueValidator(20)])
    max_attempts = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="Submissions a student may make; empty: resubmit freely until one is graded.",
    )
    is_required = models.BooleanField(default=False, help_text="Must be passed to complete the course.")
    pass_percent = models.PositiveSmallIntegerField(default=60, validators=[MaxValueValidator(100)])
    accept_late = models.BooleanField(default=True, help_text="Accept submissions after due_at.")
    penalty_percent_per_day = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text="Taken off the score for each day (or part of one) late.",
    )
    cutoff_at = models.DateTimeField(null=True, blank=True, help_text="Nothing is accepted after this.")
    order = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["order", "id"]
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
    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="criteria")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, max_length=2000)
    points = models.PositiveIntegerField(validators=[MinValueValidator(1), MaxValueValidator(10000)])
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]
        verbose_name_plural = "rubric criteria"

    def __str__(self):
        return f"{self.title} ({self.points})"


class SubmissionStatus(models.TextChoices):
    SUBMITTED = "submitted", "Submitted"
    GRADED = "graded", "Graded"


class Submission(models.Model):
    """One attempt of one student at an assignment. Never changed by the student once made: a
    resubmission is a new attempt, and earlier ones stay readable."""

    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, related_name="submissions")
    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="submissions")
    attempt = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=10, choices=SubmissionStatus.choices, default=SubmissionStatus.SUBMITTED)
    text = models.TextField(blank=True, max_length=100000)
    url = models.URLField(blank=True, max_length=1000)
    submitted_at = models.DateTimeField()
    is_late = models.BooleanField(default=False)
    days_late = models.PositiveIntegerField(default=0, help_text="Whole days or parts of days after due_at.")
    grade = models.OneToOneField(
        "Grade", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", help_text="The current grade."
    )

    class Meta:
        ordering = ["submitted_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["assignment", "student", "attempt"], name="assignments_one_per_attempt"),
        ]
        indexes = [
            models.Index(fields=["assignment", "status", "submitted_at"]),
            models.Index(fields=["student", "assignment"]),
        ]

    def __str__(self):
        return f"{self.assignment} by {self.student} (attempt {self.attempt})"


class SubmissionFile(models.Model):
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="submission_files")
    upload = models.OneToOneField("media.Upload", on_delete=models.PROTECT, related_name="submission_file")
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]

    def __str__(self):
        return str(self.upload_id)


class Grade(models.Model):
    """One grading of a submission. Re-grading adds a row: the history keeps who graded what, when.
    `score` is what the grader gave (or the rubric's sum); `points` is after the late penalty."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="grades")
    score = models.DecimalField(max_digits=8, decimal_places=2)
    rubric_scores = models.JSONField(default=list, blank=True, help_text="[{criterion, points}] when graded by rubric.")
    late_penalty = models.DecimalField(max_digits=8, decimal_places=2, default=Decimal("0"))
    points = models.DecimalField(max_digits=8, decimal_places=2)
    percent = models.DecimalField(max_digits=6, decimal_places=2)
    feedback = models.TextField(blank=True, max_length=20000)
    graded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    graded_at = models.DateTimeField()

    class Meta:
        ordering = ["-graded_at", "-id"]

    def __str__(self):
        return f"{self.points} ({self.percent}%)"


class ArchiveStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


class SubmissionArchive(models.Model):
    """A zip of every submission to an assignment (every attempt: its text, URL and files, and a CSV
    of the figures), built in the background for the course's staff and downloaded through a signed,
    expiring link. Swept after a week (services.ARCHIVE_KEEP)."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="archives")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=10, choices=ArchiveStatus.choices, default=ArchiveStatus.PENDING)
    key = models.CharField(
        max_length=500, blank=True, help_text="The zip's private storage name, fixed when requested (deleted with it)."
    )
    size = models.PositiveBigIntegerField(default=0, help_text="Bytes of the zip.")
    submission_count = models.PositiveIntegerField(default=0, help_text="Attempts in the zip.")
    error = models.CharField(max_length=300, blank=True, help_text="Why it failed.")
    requested_at = models.DateTimeField(auto_now_add=True)
    queued_at = models.DateTimeField(default=timezone.now, help_text="When its build was last queued.")
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [
            models.Index(fields=["assignment", "requested_at"]),
            models.Index(fields=["status", "requested_at"]),  # the sweep
        ]

    def __str__(self):
        return f"Archive {self.pk} of {self.assignment} ({self.get_status_display()})"
