"""A course's grading scheme. The gradebook itself is computed from the quizzes' attempts and the
assignments' grades on every read (gradebook.selectors): nothing here copies a score."""

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

DEFAULT_QUIZZES_WEIGHT = 50
DEFAULT_ASSIGNMENTS_WEIGHT = 50
DEFAULT_PASS_PERCENT = 60
DEFAULT_LETTER_SCALE = (("A", 90), ("B", 80), ("C", 70), ("D", 60), ("F", 0))


def default_letter_scale() -> list[dict]:
    return [{"letter": letter, "min_percent": minimum} for letter, minimum in DEFAULT_LETTER_SCALE]


class CourseGrading(models.Model):
    """How a course turns scores into a final grade. A course without a row grades by the defaults
    (quizzes and assignments weigh 50 each, pass at 60%, A-F by tens)."""

    course = models.OneToOneField(
        "courses.Course",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="grading",
        verbose_name=_("course"),
    )
    quizzes_weight = models.PositiveSmallIntegerField(
        verbose_name=_("quizzes weight"), default=DEFAULT_QUIZZES_WEIGHT, validators=[MaxValueValidator(100)]
    )
    assignments_weight = models.PositiveSmallIntegerField(
        verbose_name=_("assignments weight"), default=DEFAULT_ASSIGNMENTS_WEIGHT, validators=[MaxValueValidator(100)]
    )
    pass_percent = models.PositiveSmallIntegerField(
        verbose_name=_("pass percent"), default=DEFAULT_PASS_PERCENT, validators=[MaxValueValidator(100)]
    )
    letter_scale = models.JSONField(
        verbose_name=_("letter scale"),
        default=default_letter_scale,
        help_text=_("[{letter, min_percent}], highest first; the last starts at 0."),
    )
    updated_at = models.DateTimeField(verbose_name=_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("updated by"),
    )

    class Meta:
        verbose_name = _("course grading")
        verbose_name_plural = _("course gradings")
        constraints = [
            models.CheckConstraint(
                condition=Q(quizzes_weight__lte=100) & Q(assignments_weight=100 - F("quizzes_weight")),
                name="gradebook_weights_sum_to_100",
            ),
            models.CheckConstraint(condition=Q(pass_percent__lte=100), name="gradebook_pass_percent_percent"),
        ]

    def __str__(self):
        return _("Grading of {course}").format(course=self.course)
