from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q


def empty_distribution() -> dict[str, int]:
    return {str(stars): 0 for stars in range(1, 6)}


class Category(models.Model):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "categories"

    def __str__(self):
        return self.name


class Level(models.TextChoices):
    BEGINNER = "beginner", "Beginner"
    INTERMEDIATE = "intermediate", "Intermediate"
    ADVANCED = "advanced", "Advanced"
    ALL = "all", "All levels"


class CourseStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    ARCHIVED = "archived", "Archived"


CURRENCIES = ("USD", "EUR", "GBP", "CAD", "AUD", "CHF", "JPY", "INR", "BRL", "SEK", "NOK", "DKK", "PLN")


class Course(models.Model):
    """A course. The catalog's sort keys and figures (enrollment count, rating) are stored here and
    kept current by the services that change them, so a catalog page never counts rows."""

    instructor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="courses")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="courses", null=True, blank=True)
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True, editable=False)
    subtitle = models.CharField(max_length=300, blank=True)
    description = models.TextField(blank=True, max_length=20000)
    level = models.CharField(max_length=16, choices=Level.choices, default=Level.ALL)
    language = models.CharField(max_length=16, default="en")
    price = models.DecimalField(
        max_digits=8, decimal_places=2, default=Decimal("0.00"), validators=[MinValueValidator(Decimal("0"))]
    )
    currency = models.CharField(max_length=3, default="USD")
    status = models.CharField(max_length=16, choices=CourseStatus.choices, default=CourseStatus.DRAFT)
    thumbnail_url = models.URLField(
        blank=True,
        max_length=500,
        help_text="An external image URL, shown when the course has no uploaded cover (`cover` wins).",
    )
    cover = models.ForeignKey(
        "media.Upload",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The uploaded cover image (purpose course_cover); set and replaced through course_update, "
        "which deletes the old one.",
    )
    prerequisites = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="required_by",
        help_text="Courses a student must have completed to enroll (free or by checkout); set through "
        "course_update, which refuses cycles.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)

    # Denormalised figures, kept current by services (never counted per catalog row).
    lesson_count = models.PositiveIntegerField(default=0, editable=False)
    enrollment_count = models.PositiveIntegerField(default=0, editable=False)
    average_rating = models.DecimalField(max_digits=3, decimal_places=2, default=Decimal("0.00"), editable=False)
    rating_count = models.PositiveIntegerField(default=0, editable=False)
    rating_distribution = models.JSONField(default=empty_distribution, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
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
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="sections")
    title = models.CharField(max_length=200)
    order = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["order", "id"]
        indexes = [models.Index(fields=["course", "order"])]

    def __str__(self):
        return self.title


class ReleaseRules(models.Model):
    """When an item (a lesson, quiz or assignment) opens to a student: courses.release."""

    available_from = models.DateTimeField(
        null=True, blank=True, help_text="Opens at this time (or use available_after_days, not both)."
    )
    available_after_days = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MaxValueValidator(3650)],
        help_text="Opens this many days after the student's cohort starts, or after they enrolled in a course "
        "without cohorts.",
    )
    requires_passing = models.JSONField(
        default=list,
        blank=True,
        help_text='Opens once these are passed: [{"kind": "quiz" or "assignment", "id": …}] of the same course.',
    )

    class Meta:
        abstract = True


class Lesson(ReleaseRules):
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="lessons")
    # Denormalised from the section so progress and counts need no join.
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="lessons", editable=False)
    title = models.CharField(max_length=200)
    content = models.TextField(blank=True, max_length=200000)
    video_url = models.URLField(
        blank=True,
        max_length=500,
        help_text="An external video link (YouTube, Vimeo, …), kept alongside an uploaded `video`.",
    )
    video = models.ForeignKey(
        "media.Upload",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The uploaded video (purpose lesson_video), served through signed, expiring links.",
    )
    duration_seconds = models.PositiveIntegerField(default=0, validators=[MaxValueValidator(24 * 3600)])
    is_preview = models.BooleanField(default=False)
    order = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["order", "id"]
        indexes = [models.Index(fields=["section", "order"]), models.Index(fields=["course"])]

    def __str__(self):
        return self.title


class LessonAttachment(models.Model):
    """A file of a lesson (purpose lesson_attachment), in the lesson's order. The services set the
    list and release the uploads it drops; deleting a lesson through lesson_delete (or its section
    or course through theirs) releases its uploads too. The upload is protected, so nothing deletes
    an attached file behind the lesson's back."""

    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="attachments")
    upload = models.OneToOneField("media.Upload", on_delete=models.PROTECT, related_name="lesson_attachment")
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]
        indexes = [models.Index(fields=["lesson", "order"])]

    def __str__(self):
        return f"Attachment {self.order} of {self.lesson}"


class EnrollmentSource(models.TextChoices):
    FREE = "free", "Free"
    PAID = "paid", "Paid"
    ADMIN = "admin", "Granted by an admin"


class EnrollmentStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    REVOKED = "revoked", "Revoked"


class Enrollment(models.Model):
    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="enrollments")
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="enrollments")
    source = models.CharField(max_length=8, choices=EnrollmentSource.choices, default=EnrollmentSource.FREE)
    status = models.CharField(max_length=8, choices=EnrollmentStatus.choices, default=EnrollmentStatus.ACTIVE)
    enrolled_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_activity_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-enrolled_at", "-id"]
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
        return f"{self.student} in {self.course}"

    @property
    def is_active(self) -> bool:
        return self.status == EnrollmentStatus.ACTIVE


class LessonCompletion(models.Model):
    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="lesson_completions")
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="completions")
    completed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["completed_at"]
        constraints = [
            models.UniqueConstraint(fields=["enrollment", "lesson"], name="courses_lessoncompletion_once"),
        ]

    def __str__(self):
        return f"{self.enrollment} completed {self.lesson}"
