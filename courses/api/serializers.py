from decimal import Decimal

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.api.serializers import PublicUserSerializer
from courses.models import CURRENCIES, Category, Course, CourseStatus, Enrollment, Lesson, Level, Section
from lms.api.serializers import InputSerializer, WholeInputSerializer


# --- input ---------------------------------------------------------------------------------------
class CategoryInputSerializer(InputSerializer):
    name = serializers.CharField(max_length=100)
    slug = serializers.SlugField(max_length=100, required=False)


class CourseInputSerializer(InputSerializer):
    title = serializers.CharField(max_length=200)
    subtitle = serializers.CharField(max_length=300, required=False, allow_blank=True)
    description = serializers.CharField(max_length=20000, required=False, allow_blank=True)
    category = serializers.PrimaryKeyRelatedField(queryset=Category.objects.all(), required=False, allow_null=True)
    level = serializers.ChoiceField(choices=Level.choices, required=False)
    language = serializers.RegexField(
        r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$",
        max_length=16,
        required=False,
        error_messages={"invalid": "Use a language code such as en, pt-BR or fil."},
    )
    price = serializers.DecimalField(
        max_digits=8, decimal_places=2, min_value=Decimal("0.00"), max_value=Decimal("99999.99"), required=False
    )
    currency = serializers.ChoiceField(choices=CURRENCIES, required=False)
    thumbnail_url = serializers.URLField(max_length=500, required=False, allow_blank=True)


class SectionInputSerializer(InputSerializer):
    title = serializers.CharField(max_length=200)
    order = serializers.IntegerField(min_value=1, max_value=100000, required=False)


class LessonInputSerializer(InputSerializer):
    title = serializers.CharField(max_length=200)
    content = serializers.CharField(max_length=200000, required=False, allow_blank=True)
    video_url = serializers.URLField(max_length=500, required=False, allow_blank=True)
    duration_seconds = serializers.IntegerField(min_value=0, max_value=24 * 3600, required=False)
    is_preview = serializers.BooleanField(required=False)
    order = serializers.IntegerField(min_value=1, max_value=100000, required=False)


class ReorderInputSerializer(InputSerializer):
    order = serializers.ListField(
        child=serializers.IntegerField(min_value=1), max_length=1000, help_text="Every id, in the new order."
    )


# --- output --------------------------------------------------------------------------------------
class CategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["id", "name", "slug"]


class RatingDistributionField(serializers.DictField):
    child = serializers.IntegerField()


class CourseRefSerializer(serializers.Serializer):
    """A course named inside another object (an order, a certificate): enough to link to it."""

    id = serializers.IntegerField()
    slug = serializers.CharField()
    title = serializers.CharField()


class CourseSerializer(serializers.ModelSerializer):
    """A course as the catalog shows it."""

    category = CategorySerializer(allow_null=True)
    instructor = PublicUserSerializer()
    average_rating = serializers.FloatField()
    rating_distribution = RatingDistributionField(help_text='Reviews per star: {"1": n, ..., "5": n}.')
    is_free = serializers.BooleanField()
    # The model's URLField allows "", which is not a `format: uri` value: documented as a plain string.
    thumbnail_url = serializers.CharField(help_text="An image URL, or an empty string when there is none.")

    class Meta:
        model = Course
        fields = [
            "id",
            "slug",
            "title",
            "subtitle",
            "description",
            "category",
            "level",
            "language",
            "price",
            "currency",
            "is_free",
            "status",
            "instructor",
            "thumbnail_url",
            "lesson_count",
            "average_rating",
            "rating_count",
            "rating_distribution",
            "enrollment_count",
            "published_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class LessonSerializer(serializers.ModelSerializer):
    """`content` and `video_url` are null (and `locked` true) unless the lesson is a preview or the
    caller is enrolled, the owner or an admin; the view says which through `content_visible`."""

    content = serializers.SerializerMethodField()
    video_url = serializers.SerializerMethodField()
    locked = serializers.SerializerMethodField()
    section = serializers.IntegerField(source="section_id")

    class Meta:
        model = Lesson
        fields = ["id", "section", "title", "content", "video_url", "duration_seconds", "is_preview", "order", "locked"]
        read_only_fields = fields

    def _visible(self, lesson) -> bool:
        return lesson.is_preview or self.context.get("content_visible", False)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_content(self, lesson):
        return lesson.content if self._visible(lesson) else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_video_url(self, lesson):
        return lesson.video_url if self._visible(lesson) else None

    @extend_schema_field(serializers.BooleanField())
    def get_locked(self, lesson):
        return not self._visible(lesson)


class SectionSerializer(serializers.ModelSerializer):
    lessons = LessonSerializer(many=True)

    class Meta:
        model = Section
        fields = ["id", "title", "order", "lessons"]
        read_only_fields = fields


class CourseDetailSerializer(CourseSerializer):
    sections = SectionSerializer(many=True)
    is_enrolled = serializers.SerializerMethodField()

    class Meta(CourseSerializer.Meta):
        fields = [*CourseSerializer.Meta.fields, "is_enrolled", "sections"]
        read_only_fields = fields

    @extend_schema_field(serializers.BooleanField())
    def get_is_enrolled(self, course):
        return self.context.get("is_enrolled", False)


class InstructorCourseSerializer(CourseSerializer):
    """A course in the instructor's own list: every status, with revenue (paid orders, in the
    course's currency; refunds excluded)."""

    revenue = serializers.DecimalField(max_digits=12, decimal_places=2)

    class Meta(CourseSerializer.Meta):
        fields = [*CourseSerializer.Meta.fields, "revenue"]
        read_only_fields = fields


class EnrollmentSerializer(serializers.ModelSerializer):
    course = CourseSerializer()
    progress_percent = serializers.SerializerMethodField()

    class Meta:
        model = Enrollment
        fields = ["id", "course", "status", "source", "progress_percent", "enrolled_at", "completed_at"]
        read_only_fields = fields

    @extend_schema_field(serializers.IntegerField(min_value=0, max_value=100))
    def get_progress_percent(self, enrollment):
        progress = self.context.get("progress", {}).get(enrollment.pk)
        return progress.percent if progress else 0


class ProgressSerializer(serializers.Serializer):
    progress_percent = serializers.IntegerField(min_value=0, max_value=100)
    completed_lessons = serializers.ListField(child=serializers.IntegerField(), help_text="Lesson ids done.")
    passed_quizzes = serializers.ListField(child=serializers.IntegerField(), help_text="Quiz ids passed.")
    lessons_total = serializers.IntegerField()
    quizzes_total = serializers.IntegerField()
    completed_at = serializers.DateTimeField(allow_null=True)


def progress_data(enrollment, progress) -> dict:
    quizzes = progress.parts.get("quizzes")
    return {
        "progress_percent": progress.percent,
        "completed_lessons": progress.ids("lessons"),
        "passed_quizzes": progress.ids("quizzes"),
        "lessons_total": progress.parts["lessons"].total,
        "quizzes_total": quizzes.total if quizzes else 0,
        "completed_at": enrollment.completed_at,
    }


class AdminCourseStatusInputSerializer(WholeInputSerializer):
    status = serializers.ChoiceField(choices=CourseStatus.choices)
