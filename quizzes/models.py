from datetime import datetime, timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from courses.models import ReleaseRules


class ReviewPolicy(models.TextChoices):
    NEVER = "never", _("Never (pass or fail only, no score)")
    AFTER_SUBMIT = "after_submit", _("After each submitted attempt")
    AFTER_PASS = "after_pass", _("Once the student has passed")
    AFTER_LAST_ATTEMPT = "after_last_attempt", _("Once the student has used every attempt")
    AFTER_DUE_DATE = "after_due_date", _("Once the quiz's due date has passed")


class ScoringPolicy(models.TextChoices):
    BEST = "best", _("Best attempt")
    LAST = "last", _("Last attempt")


SCORING_POLICY_HELP = _("Which submitted attempt the gradebook counts.")

# Shown in the admin and, through the serializers, in the OpenAPI schema: the trade-off instructors choose.
REVIEW_POLICY_HELP = _(
    "When a student sees, for a submitted attempt, which answers were right, the correct answers and the "
    "explanations (the course's instructor and admins always do; an open attempt never shows them). "
    "after_last_attempt (the default for new quizzes): once the student has submitted every allowed attempt; "
    "with unlimited attempts (max_attempts null) never. "
    "after_due_date: once due_at (plus the short submission grace) has passed; needs due_at. "
    "after_pass: once the student has passed, even with attempts left. "
    "after_submit: after every submitted attempt, so with several attempts a blank first attempt shows every "
    "answer: for practice quizzes only. "
    "never: no review, and the score and percent are hidden from the student too (only passed is shown). "
    "Under every other policy the score follows each attempt, so with many attempts a student can find answers "
    "by changing one at a time: keep max_attempts small."
)
MAX_ATTEMPTS_HELP = _(
    "Attempts each student may make; null: unlimited. New quizzes default to 3: with unlimited attempts the score "
    "after each attempt lets a student find the answers by trial, and after_last_attempt never shows the review."
)
DUE_AT_HELP = _(
    "When the quiz closes (null: never): no attempt starts after it, and an attempt still open is graded as of "
    "then, with the answers saved in time (as for a time limit). after_due_date shows the review after it. "
    "A required quiz not passed by then keeps the course from completing."
)
DUE_AFTER_DAYS_HELP = _(
    "Instead of due_at: the quiz closes for each student this many days after their cohort starts (or they "
    "enrolled, in a course without cohorts); an attempt they start ends then at the latest. after_due_date "
    "needs due_at."
)


def grace() -> timedelta:
    """How long after an attempt closes a submission still counts (network latency, a slow click)."""
    return timedelta(seconds=settings.QUIZ_DEADLINE_GRACE_SECONDS)


class Quiz(ReleaseRules):
    course = models.ForeignKey(
        "courses.Course", on_delete=models.CASCADE, related_name="quizzes", verbose_name=_("course")
    )
    section = models.ForeignKey(
        "courses.Section",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="quizzes",
        verbose_name=_("section"),
    )
    title = models.CharField(verbose_name=_("title"), max_length=200)
    description = models.TextField(verbose_name=_("description"), blank=True, max_length=10000)
    passing_score = models.PositiveSmallIntegerField(
        verbose_name=_("passing score"),
        default=70,
        validators=[MaxValueValidator(100)],
        help_text=_("Percent needed to pass."),
    )
    time_limit_seconds = models.PositiveIntegerField(
        verbose_name=_("time limit (seconds)"), null=True, blank=True, validators=[MinValueValidator(10)]
    )
    max_attempts = models.PositiveSmallIntegerField(
        verbose_name=_("maximum attempts"),
        null=True,
        blank=True,
        default=3,
        validators=[MinValueValidator(1)],
        help_text=MAX_ATTEMPTS_HELP,
    )
    due_at = models.DateTimeField(verbose_name=_("due date"), null=True, blank=True, help_text=DUE_AT_HELP)
    due_after_days = models.PositiveIntegerField(
        verbose_name=_("due after (days)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(3650)],
        help_text=DUE_AFTER_DAYS_HELP,
    )
    shuffle_questions = models.BooleanField(verbose_name=_("shuffle questions"), default=False)
    show_correct_answers = models.CharField(
        verbose_name=_("show correct answers"),
        max_length=24,
        choices=ReviewPolicy.choices,
        default=ReviewPolicy.AFTER_LAST_ATTEMPT,
        help_text=REVIEW_POLICY_HELP,
    )
    is_required = models.BooleanField(
        verbose_name=_("required"), default=True, help_text=_("Must be passed to complete the course.")
    )
    scoring_policy = models.CharField(
        verbose_name=_("scoring policy"),
        max_length=8,
        choices=ScoringPolicy.choices,
        default=ScoringPolicy.BEST,
        help_text=SCORING_POLICY_HELP,
    )
    order = models.PositiveIntegerField(verbose_name=pgettext_lazy("position in a list", "order"), default=0)
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(verbose_name=_("updated at"), auto_now=True)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("quiz")
        verbose_name_plural = _("quizzes")
        constraints = [
            models.CheckConstraint(condition=Q(passing_score__lte=100), name="quizzes_quiz_passing_score_percent"),
            models.CheckConstraint(
                condition=~Q(show_correct_answers=ReviewPolicy.AFTER_DUE_DATE) | Q(due_at__isnull=False),
                name="quizzes_quiz_due_date_review_needs_due_at",
                violation_error_message=_("Showing answers after the due date needs a due date (due_at)."),
                violation_error_code="due_at_required",
            ),
        ]
        indexes = [models.Index(fields=["course", "order"])]

    def __str__(self):
        return self.title


class QuestionType(models.TextChoices):
    SINGLE_CHOICE = "single_choice", _("Single choice")
    MULTIPLE_CHOICE = "multiple_choice", _("Multiple choice")
    TRUE_FALSE = "true_false", _("True or false")
    SHORT_ANSWER = "short_answer", _("Short answer")
    NUMERIC = "numeric", _("Numeric")


CHOICE_TYPES = (QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE, QuestionType.TRUE_FALSE)


class Question(models.Model):
    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="questions", verbose_name=_("quiz"))
    type = models.CharField(verbose_name=_("type"), max_length=16, choices=QuestionType.choices)
    text = models.TextField(verbose_name=_("text"), max_length=10000)
    points = models.PositiveSmallIntegerField(
        verbose_name=_("points"), default=1, validators=[MinValueValidator(1), MaxValueValidator(1000)]
    )
    order = models.PositiveIntegerField(verbose_name=pgettext_lazy("position in a list", "order"), default=0)
    explanation = models.TextField(verbose_name=_("explanation"), blank=True, max_length=10000)
    accepted_answers = models.JSONField(
        verbose_name=_("accepted answers"), default=list, blank=True, help_text=_("short_answer: accepted texts.")
    )
    numeric_answer = models.DecimalField(
        verbose_name=_("numeric answer"), max_digits=20, decimal_places=6, null=True, blank=True
    )
    tolerance = models.DecimalField(verbose_name=_("tolerance"), max_digits=20, decimal_places=6, default=0)
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(verbose_name=_("updated at"), auto_now=True)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        indexes = [models.Index(fields=["quiz", "order"])]

    def __str__(self):
        return self.text[:60]


class Choice(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices", verbose_name=_("question"))
    text = models.CharField(verbose_name=_("text"), max_length=1000)
    is_correct = models.BooleanField(verbose_name=_("correct"), default=False)
    order = models.PositiveIntegerField(verbose_name=pgettext_lazy("position in a list", "order"), default=0)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("choice")
        verbose_name_plural = _("choices")

    def __str__(self):
        return self.text[:60]


class Attempt(models.Model):
    """One try at a quiz. The questions are copied into `snapshot` when it starts, and grading
    reads only the snapshot, so editing a question later never changes a grade."""

    quiz = models.ForeignKey(Quiz, on_delete=models.PROTECT, related_name="attempts", verbose_name=_("quiz"))
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="quiz_attempts", verbose_name=_("student")
    )
    number = models.PositiveSmallIntegerField(verbose_name=_("number"))
    started_at = models.DateTimeField(verbose_name=_("started at"))
    deadline = models.DateTimeField(verbose_name=_("deadline"), null=True, blank=True)
    snapshot = models.JSONField(verbose_name=_("snapshot"), default=list, editable=False)
    answers = models.JSONField(
        verbose_name=_("answers"), default=dict, blank=True, help_text=_("Saved answers by question id.")
    )
    submitted_at = models.DateTimeField(verbose_name=_("submitted at"), null=True, blank=True)
    auto_submitted = models.BooleanField(
        verbose_name=_("submitted automatically"),
        default=False,
        help_text=_("Closed by the deadline, not by the student."),
    )
    score = models.DecimalField(verbose_name=_("score"), max_digits=8, decimal_places=2, null=True, blank=True)
    max_score = models.DecimalField(
        verbose_name=_("maximum score"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    percent = models.DecimalField(verbose_name=_("percent"), max_digits=5, decimal_places=2, null=True, blank=True)
    passed = models.BooleanField(verbose_name=_("passed"), null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("attempt")
        verbose_name_plural = _("attempts")
        constraints = [
            models.UniqueConstraint(fields=["quiz", "student", "number"], name="quizzes_attempt_number_once"),
            models.UniqueConstraint(
                fields=["quiz", "student"],
                condition=Q(submitted_at__isnull=True),
                name="quizzes_attempt_one_open",
            ),
        ]
        indexes = [
            models.Index(fields=["quiz", "student"]),
            models.Index(fields=["deadline"], condition=Q(submitted_at__isnull=True), name="attempt_open_deadline"),
            models.Index(fields=["submitted_at"]),
        ]

    def __str__(self):
        return _("Attempt {number} of {student} at {quiz}").format(
            number=self.number, student=self.student_id, quiz=self.quiz_id
        )

    @property
    def is_open(self) -> bool:
        return self.submitted_at is None

    @property
    def closes_at(self) -> datetime | None:
        """When the attempt stops taking answers: its time limit or the quiz's due date, whichever
        comes first (a due date moved back before the attempt started counts as its start); None
        when neither applies. Reads `quiz`."""
        due_at = self.quiz.due_at
        ends = [t for t in (self.deadline, due_at and max(due_at, self.started_at)) if t is not None]
        return min(ends) if ends else None


class AttemptAnswer(models.Model):
    """The graded result of one question in one attempt; per-question statistics aggregate these
    in the database. `question_id` is a plain id: results outlive a deleted question."""

    attempt = models.ForeignKey(
        Attempt, on_delete=models.CASCADE, related_name="graded_answers", verbose_name=_("attempt")
    )
    question_id = models.BigIntegerField(verbose_name=_("question ID"))
    position = models.PositiveIntegerField(verbose_name=_("position"))
    response = models.JSONField(verbose_name=_("response"), default=dict, blank=True)
    correct = models.BooleanField(verbose_name=_("correct"))
    points_awarded = models.DecimalField(verbose_name=_("points awarded"), max_digits=8, decimal_places=2)
    max_points = models.DecimalField(verbose_name=_("maximum points"), max_digits=8, decimal_places=2)

    class Meta:
        ordering = ["position"]
        verbose_name = _("attempt answer")
        verbose_name_plural = _("attempt answers")
        constraints = [
            models.UniqueConstraint(fields=["attempt", "question_id"], name="quizzes_attemptanswer_once"),
        ]
        indexes = [models.Index(fields=["question_id"])]

    def __str__(self):
        return f"{self.attempt_id}/{self.question_id}: {self.points_awarded}"
