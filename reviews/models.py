from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from courses.models import Enrollment, EnrollmentStatus


class Review(models.Model):
    course = models.ForeignKey(
        "courses.Course", on_delete=models.CASCADE, related_name="reviews", verbose_name=_("course")
    )
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reviews", verbose_name=_("student")
    )
    rating = models.PositiveSmallIntegerField(
        verbose_name=_("rating"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(verbose_name=_("comment"), blank=True, max_length=5000)
    counts_after_erasure = models.BooleanField(
        verbose_name=_("counts after its author's erasure"),
        default=False,
        help_text=_(
            "The author's account was erased while this review counted: it keeps counting and showing, "
            'by "Deleted user", although the erasure revoked their enrollment.'
        ),
    )
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(verbose_name=_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["student", "course"], name="reviews_review_once_per_course"),
            models.CheckConstraint(condition=Q(rating__gte=1, rating__lte=5), name="reviews_review_rating_1_to_5"),
        ]
        indexes = [
            models.Index(fields=["course", "-created_at"]),
            models.Index(fields=["course", "rating"]),
        ]

    def __str__(self):
        return _("{rating}★ by {student} on {course}").format(
            rating=self.rating, student=self.student_id, course=self.course_id
        )


class InstructorReply(models.Model):
    review = models.OneToOneField(Review, on_delete=models.CASCADE, related_name="reply", verbose_name=_("review"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("author")
    )
    body = models.TextField(verbose_name=_("body"), max_length=5000)
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(verbose_name=_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("instructor reply")
        verbose_name_plural = _("instructor replies")

    def __str__(self):
        return _("Reply to review {review}").format(review=self.review_id)


def author_enrolled(*, student: str = "student_id", course: str = "course_id", review: str = "") -> Q:
    """Which reviews count and show: those whose author holds an ACTIVE enrollment in the course.
    A review stays in the database when its author's enrollment is revoked (a refund, staff), but
    leaves the course's rating figures (reviews/counters.py) and the public lists, and can no longer
    be edited; it counts again if the student is enrolled again. One exception: a review that
    counted when its author's account was erased keeps counting (`counts_after_erasure`, set by
    reviews.services.review_erase_for_user before the erasure revokes the enrollment), so erasing
    someone leaves the course's figures and page as they were. `student` and `course` name the
    review's author and course in the outer query, `review` is the path to the review's own fields
    (a Course query reaches them all through `reviews`: "reviews__student_id", "pk", "reviews__")."""
    enrolled = Exists(
        Enrollment.objects.filter(
            student_id=OuterRef(student), course_id=OuterRef(course), status=EnrollmentStatus.ACTIVE
        )
    )
    return Q(enrolled) | Q(**{f"{review}counts_after_erasure": True})
