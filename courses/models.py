from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from .languages import validate_language


def empty_distribution() -> dict[str, int]:
    return {str(stars): 0 for stars in range(1, 6)}


class Category(models.Model):
    name = models.CharField(verbose_name=_("name"), max_length=100, unique=True)
    slug = models.SlugField(verbose_name=_("slug"), max_length=100, unique=True)
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self):
        return self.name


class Level(models.TextChoices):
    BEGINNER = "beginner", _("Beginner")
    INTERMEDIATE = "intermediate", _("Intermediate")
    ADVANCED = "advanced", _("Advanced")
    ALL = "all", _("All levels")


class CourseStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("course status", "Draft")
    PUBLISHED = "published", pgettext_lazy("course status", "Published")
    ARCHIVED = "archived", pgettext_lazy("course status", "Archived")


CURRENCIES = ("USD", "EUR", "GBP", "CAD", "AUD", "CHF", "JPY", "INR", "BRL", "SEK", "NOK", "DKK", "PLN")


class Course(models.Model):
    """A course. The catalog's sort keys and figures (enrollment count, rating) are stored here and
    kept current by the services that change them, so a catalog page never counts rows."""

    instructor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="courses", verbose_name=_("instructor")
    )
    category = models.ForeignKey(
        Category,
        on_delete=models.PROTECT,
        related_name="courses",
        null=True,
        blank=True,
        verbose_name=_("category"),
    )
    title = models.CharField(verbose_name=_("title"), max_length=200)
    slug = models.SlugField(verbose_name=_("slug"), max_length=80, unique=True, editable=False)
    subtitle = models.CharField(verbose_name=_("subtitle"), max_length=300, blank=True)
    description = models.TextField(verbose_name=_("description"), blank=True, max_length=20000)
    level = models.CharField(verbose_name=_("level"), max_length=16, choices=Level.choices, default=Level.ALL)
    # ISO 639-1 only (courses.languages); "" only on courses whose old value could not be read as one.
    language = models.CharField(
        verbose_name=_("language"),
        max_length=16,
        default="en",
        validators=[validate_language],
        help_text=_("ISO 639-1 code; when it is one of the platform's languages, the course's certificates are in it"),
    )
    price = models.DecimalField(
        verbose_name=_("price"),
        max_digits=8,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    currency = models.CharField(verbose_name=_("currency"), max_length=3, default="USD")
    status = models.CharField(
        verbose_name=_("status"), max_length=16, choices=CourseStatus.choices, default=CourseStatus.DRAFT
    )
    thumbnail_url = models.URLField(
        verbose_name=_("thumbnail URL"),
        blank=True,
        max_length=500,
        help_text=_("An external image URL, shown when the course has no uploaded cover (`cover` wins)."),
    )
    cover = models.ForeignKey(
        "media.Upload",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cover"),
        help_text=_(
            "The uploaded cover image (purpose course_cover); set and replaced through course_update, "
            "which deletes the old one."
        ),
    )
    prerequisites = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="required_by",
        verbose_name=_("prerequisites"),
        help_text=_(
            "Courses a student must have completed to enroll (free or by checkout); set through "
            "course_update, which refuses cycles."
        ),
    )
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(verbose_name=_("updated at"), auto_now=True)
    published_at = models.DateTimeField(verbose_name=_("published at"), null=True, blank=True)

    # Denormalised figures, kept current by services (never counted per catalog row).
    lesson_count = models.PositiveIntegerField(verbose_name=_("lesson count"), default=0, editable=False)
    enrollment_count = models.PositiveIntegerField(verbose_name=_("enrollment count"), default=0, editable=False)
    average_rating = models.DecimalField(
        verbose_name=_("average rating"), max_digits=3, decimal_places=2, default=Decimal("0.00"), editable=False
    )
    rating_count = models.PositiveIntegerField(verbose_name=_("rating count"), default=0, editable=False)
    rating_distribution = models.JSONField(
        verbose_name=_("rating distribution"), default=empty_distribution, editable=False
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        constraints = [
            models.CheckConstraint(condition=Q(price__gte=0), name="courses_course_price_not_negative"),
            models.CheckConstraint(
                condition=Q(average_rating__gte=0, average_rating__lte=5), name="courses_course_rating_range"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "-published_at"], name="course_catalog_newest"),
            models.Index(fields=["status", "-created_at"], name="course_catalog_created"),
            models.Index(fields=["status", "price"], name="course_catalog_price"),
            models.Index(fields=["status", "-average_rating"], name="course_catalog_rating"),
            models.Index(fields=["status", "-enrollment_count"], name="course_catalog_popular"),
            models.Index(fields=["category", "status"], name="course_category_status"),
            models.Index(fields=["instructor", "status"], name="course_instructor_status"),
        ]

    def __str__(self):
        return self.title

    @property
    def is_free(self) -> bool:
        return self.price == 0

    @property
    def is_published(self) -> bool:
        return self.status == CourseStatus.PUBLISHED


class Section(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="sections", verbose_name=_("course"))
    title = models.CharField(verbose_name=_("title"), max_length=200)
    order = models.PositiveIntegerField(verbose_name=pgettext_lazy("position in a list", "order"), default=0)
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        indexes = [models.Index(fields=["course", "order"])]

    def __str__(self):
        return self.title


class ReleaseRules(models.Model):
    """When an item (a lesson, quiz or assignment) opens to a student: courses.release."""

    available_from = models.DateTimeField(
        verbose_name=_("available from"),
        null=True,
        blank=True,
        help_text=_("Opens at this time (or use available_after_days, not both)."),
    )
    available_after_days = models.PositiveIntegerField(
        verbose_name=_("available after (days)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(3650)],
        help_text=_(
            "Opens this many days after the student's cohort starts, or after they enrolled in a course "
            "without cohorts."
        ),
    )
    requires_passing = models.JSONField(
        verbose_name=_("requires passing"),
        default=list,
        blank=True,
        help_text=_('Opens once these are passed: [{"kind": "quiz" or "assignment", "id": …}] of the same course.'),
    )

    class Meta:
        abstract = True


class Lesson(ReleaseRules):
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="lessons", verbose_name=_("section"))
    # Denormalised from the section so progress and counts need no join.
    course = models.ForeignKey(
        Course, on_delete=models.CASCADE, related_name="lessons", editable=False, verbose_name=_("course")
    )
    title = models.CharField(verbose_name=_("title"), max_length=200)
    content = models.TextField(verbose_name=_("content"), blank=True, max_length=200000)
    video_url = models.URLField(
        verbose_name=_("video URL"),
        blank=True,
        max_length=500,
        help_text=_("An external video link (YouTube, Vimeo, …), kept alongside an uploaded `video`."),
    )
    video = models.ForeignKey(
        "media.Upload",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("video"),
        help_text=_("The uploaded video (purpose lesson_video), served through signed, expiring links."),
    )
    duration_seconds = models.PositiveIntegerField(
        verbose_name=_("duration (seconds)"), default=0, validators=[MaxValueValidator(24 * 3600)]
    )
    is_preview = models.BooleanField(verbose_name=_("preview"), default=False)
    order = models.PositiveIntegerField(verbose_name=pgettext_lazy("position in a list", "order"), default=0)
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(verbose_name=_("updated at"), auto_now=True)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("lesson")
        verbose_name_plural = _("lessons")
        indexes = [models.Index(fields=["section", "order"]), models.Index(fields=["course"])]

    def __str__(self):
        return self.title


class LessonAttachment(models.Model):
    """A file of a lesson (purpose lesson_attachment), in the lesson's order. The services set the
    list and release the uploads it drops; deleting a lesson through lesson_delete (or its section
    or course through theirs) releases its uploads too. The upload is protected, so nothing deletes
    an attached file behind the lesson's back."""

    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("lesson"))
    upload = models.OneToOneField(
        "media.Upload", on_delete=models.PROTECT, related_name="lesson_attachment", verbose_name=_("upload")
    )
    order = models.PositiveIntegerField(verbose_name=pgettext_lazy("position in a list", "order"), default=0)

    class Meta:
        ordering = ["order", "id"]
        indexes = [models.Index(fields=["lesson", "order"])]
        verbose_name = _("lesson attachment")
        verbose_name_plural = _("lesson attachments")

    def __str__(self):
        return gettext("Attachment {order} of {lesson}").format(order=self.order, lesson=self.lesson)


class EnrollmentSource(models.TextChoices):
    FREE = "free", pgettext_lazy("enrollment source", "Free")
    PAID = "paid", pgettext_lazy("enrollment source", "Paid")
    ADMIN = "admin", _("Granted by an admin")


class EnrollmentStatus(models.TextChoices):
    ACTIVE = "active", pgettext_lazy("enrollment status", "Active")
    REVOKED = "revoked", pgettext_lazy("enrollment status", "Revoked")


class Enrollment(models.Model):
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="enrollments", verbose_name=_("student")
    )
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="enrollments", verbose_name=_("course"))
    source = models.CharField(
        verbose_name=_("source"), max_length=8, choices=EnrollmentSource.choices, default=EnrollmentSource.FREE
    )
    status = models.CharField(
        verbose_name=_("status"), max_length=8, choices=EnrollmentStatus.choices, default=EnrollmentStatus.ACTIVE
    )
    enrolled_at = models.DateTimeField(verbose_name=_("enrolled at"), auto_now_add=True)
    completed_at = models.DateTimeField(verbose_name=_("completed at"), null=True, blank=True)
    revoked_at = models.DateTimeField(verbose_name=_("revoked at"), null=True, blank=True)
    last_activity_at = models.DateTimeField(verbose_name=_("last activity at"), null=True, blank=True)

    class Meta:
        ordering = ["-enrolled_at", "-id"]
        verbose_name = _("enrollment")
        verbose_name_plural = _("enrollments")
        constraints = [
            # One active enrollment per student and course, whatever races the API sees.
            models.UniqueConstraint(
                fields=["student", "course"],
                condition=Q(status="active"),
                name="courses_enrollment_one_active",
            ),
        ]
        indexes = [
            models.Index(fields=["student", "status"]),
            models.Index(fields=["course", "status"]),
            models.Index(fields=["enrolled_at"]),
            models.Index(fields=["completed_at"]),
        ]

    def __str__(self):
        return gettext("{student} in {course}").format(student=self.student, course=self.course)

    @property
    def is_active(self) -> bool:
        return self.status == EnrollmentStatus.ACTIVE


class LessonCompletion(models.Model):
    enrollment = models.ForeignKey(
        Enrollment, on_delete=models.CASCADE, related_name="lesson_completions", verbose_name=_("enrollment")
    )
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="completions", verbose_name=_("lesson"))
    completed_at = models.DateTimeField(verbose_name=_("completed at"), auto_now_add=True)

    class Meta:
        ordering = ["completed_at"]
        verbose_name = _("lesson completion")
        verbose_name_plural = _("lesson completions")
        constraints = [
            models.UniqueConstraint(fields=["enrollment", "lesson"], name="courses_lessoncompletion_once"),
        ]

    def __str__(self):
        return gettext("{enrollment} completed {lesson}").format(enrollment=self.enrollment, lesson=self.lesson)
