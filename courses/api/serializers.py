from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.api.serializers import PublicUserSerializer
from courses import release
from courses.languages import language_normalise, validate_language
from courses.models import CURRENCIES, Category, Course, CourseStatus, Enrollment, Lesson, Level, Section
from courses.services import MAX_ATTACHMENTS, MAX_PREREQUISITES
from lms.api.serializers import CachedFieldsMixin, InputSerializer, WholeInputSerializer
from media import storage
from media.api.serializers import absolute


# --- release rules (courses.release), shared by lessons, quizzes and assignments --------------------
class RequirementSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=release.REQUIRABLE_KINDS,
        error_messages={"invalid_choice": _('"{input}" cannot be required: use quiz or assignment.')},
    )
    id = serializers.IntegerField(min_value=1, max_value=2**63 - 1)


class ReleaseRulesInputSerializer(serializers.Serializer):
    """The release rules an item's create and update take (courses.release)."""

    available_from = serializers.DateTimeField(
        required=False, allow_null=True, help_text="Opens at this time; or use available_after_days, not both."
    )
    available_after_days = serializers.IntegerField(
        min_value=0,
        max_value=release.MAX_DAYS,
        required=False,
        allow_null=True,
        help_text="Opens this many days after the student's cohort starts (or they enrolled, in a course without "
        "cohorts).",
    )
    requires_passing = RequirementSerializer(
        many=True,
        required=False,
        max_length=release.MAX_REQUIREMENTS,
        help_text="Opens once the student has passed each of these quizzes or assignments of the course.",
    )


class DueInputSerializer(serializers.Serializer):
    due_after_days = serializers.IntegerField(
        min_value=0,
        max_value=release.MAX_DAYS,
        required=False,
        allow_null=True,
        help_text="Due this many days after the student's cohort starts (or they enrolled); or use due_at, not both.",
    )


class ReleaseStateSerializer(serializers.Serializer):
    """An item's rules and, for the student reading it, its state (`schedule` in the context, a
    courses.release.Schedule; none: nothing is locked by the rules)."""

    available_from = serializers.DateTimeField(allow_null=True, read_only=True)
    available_after_days = serializers.IntegerField(allow_null=True, read_only=True)
    requires_passing = RequirementSerializer(many=True, read_only=True)
    available_at = serializers.SerializerMethodField(
        help_text="When it opens for you (null: no time rule, or not known without your enrollment)."
    )
    locked_reason = serializers.SerializerMethodField(
        help_text="Why it is locked for you: not_yet_available (see available_at) or prerequisite; null when open."
    )

    def release_state(self, item) -> release.ItemState:
        schedule = self.context.get("schedule")
        return schedule.state(item) if schedule is not None else release.ItemState(due_at=item_due_at(item))

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_available_at(self, item):
        return self.release_state(item).available_at

    @extend_schema_field(serializers.ChoiceField(choices=release.LOCKED_REASONS, allow_null=True))
    def get_locked_reason(self, item):
        return self.release_state(item).reason


def item_due_at(item):
    return getattr(item, "due_at", None)


RELEASE_STATE_FIELDS = ["available_from", "available_after_days", "requires_passing", "available_at", "locked_reason"]


class ItemLockedSerializer(serializers.Serializer):
    """A 403 on a lesson, quiz or assignment: not enrolled (`not_enrolled`), or its release rules
    keep it closed to the student (`not_yet_available` with `available_at`, or `prerequisite`)."""

    detail = serializers.CharField()
    code = serializers.CharField()
    available_at = serializers.DateTimeField(
        allow_null=True, required=False, help_text="`not_yet_available`: when it opens for you."
    )


class DueItemStateSerializer(ReleaseStateSerializer):
    """A quiz's or an assignment's rules and state: `locked` by its release rules for the student
    reading it, and `due_at` their own due date (due_at, or due_after_days after their anchor; for
    the course's staff, due_at as set)."""

    due_at = serializers.SerializerMethodField(
        help_text="When it is due: for a student, their own date (due_at, or due_after_days after their cohort's "
        "start or their enrollment); for the course's staff, due_at as set (null with due_after_days)."
    )
    due_after_days = serializers.IntegerField(allow_null=True, read_only=True)
    locked = serializers.SerializerMethodField(help_text="Its release rules keep it closed to you (locked_reason).")

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_due_at(self, item):
        return self.release_state(item).due_at

    @extend_schema_field(serializers.BooleanField())
    def get_locked(self, item):
        return self.release_state(item).locked


DUE_ITEM_STATE_FIELDS = ["due_at", "due_after_days", "locked", *RELEASE_STATE_FIELDS]


# --- input ---------------------------------------------------------------------------------------
class LanguageField(serializers.CharField):
    """A course language: an ISO 639-1 code (courses.languages), any case in, lower case out
    ("EN" -> "en"); anything else ("eng", "xx", "english", "pt-BR") is a 400 on the field."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 16)
        super().__init__(**kwargs)
        self.validators.append(validate_language)

    def to_internal_value(self, data):
        return language_normalise(super().to_internal_value(data))


class CategoryInputSerializer(InputSerializer):
    name = serializers.CharField(max_length=100)
    slug = serializers.SlugField(max_length=100, required=False)


class CourseInputSerializer(InputSerializer):
    title = serializers.CharField(max_length=200)
    subtitle = serializers.CharField(max_length=300, required=False, allow_blank=True)
    description = serializers.CharField(max_length=20000, required=False, allow_blank=True)
    category = serializers.PrimaryKeyRelatedField(queryset=Category.objects.all(), required=False, allow_null=True)
    level = serializers.ChoiceField(choices=Level.choices, required=False)
    language = LanguageField(
        required=False,
        help_text="The language the course is taught in: an ISO 639-1 code (en, es, fr, ar, ...), any case. When "
        "it is one of the platform's languages, the course's certificates are written in it.",
    )
    price = serializers.DecimalField(
        max_digits=8, decimal_places=2, min_value=Decimal("0.00"), max_value=Decimal("99999.99"), required=False
    )
    currency = serializers.ChoiceField(choices=CURRENCIES, required=False)
    thumbnail_url = serializers.URLField(
        max_length=500,
        required=False,
        allow_blank=True,
        help_text="An external image URL, shown when the course has no uploaded `cover`.",
    )
    cover = serializers.UUIDField(
        required=False,
        allow_null=True,
        help_text="A ready `course_cover` upload's id (POST /api/v1/uploads/ first); null removes the cover. "
        "The cover it replaces is deleted.",
    )
    prerequisites = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        max_length=MAX_PREREQUISITES,
        required=False,
        help_text="Course ids a student must have completed to enroll (free or by checkout): published courses, "
        "or your own. Replaces the list; a loop of prerequisites is a 400 (`prerequisite_cycle`).",
    )


class SectionInputSerializer(InputSerializer):
    title = serializers.CharField(max_length=200)
    order = serializers.IntegerField(min_value=1, max_value=100000, required=False)


class LessonInputSerializer(ReleaseRulesInputSerializer, InputSerializer):
    title = serializers.CharField(max_length=200)
    content = serializers.CharField(max_length=200000, required=False, allow_blank=True)
    video_url = serializers.URLField(
        max_length=500,
        required=False,
        allow_blank=True,
        help_text="An external video link (YouTube, Vimeo, …), kept alongside an uploaded `video`.",
    )
    duration_seconds = serializers.IntegerField(min_value=0, max_value=24 * 3600, required=False)
    is_preview = serializers.BooleanField(required=False)
    order = serializers.IntegerField(min_value=1, max_value=100000, required=False)
    video = serializers.UUIDField(
        required=False,
        allow_null=True,
        help_text="A ready `lesson_video` upload's id; null removes the video. The video it replaces is deleted.",
    )
    attachments = serializers.ListField(
        child=serializers.UUIDField(),
        required=False,
        max_length=MAX_ATTACHMENTS,
        help_text="Every attachment, in order: ready `lesson_attachment` upload ids. Ids left out are deleted; "
        "[] removes them all.",
    )


class EnrollInputSerializer(InputSerializer):
    """The body of an enrollment (and of a checkout): both fields matter only for a course taught in
    cohorts; a self-paced course takes an empty body."""

    cohort = serializers.IntegerField(
        min_value=1,
        max_value=2**63 - 1,
        required=False,
        allow_null=True,
        help_text="The cohort to join: required where the course has cohorts (GET /courses/{id}/cohorts/).",
    )
    waitlist = serializers.BooleanField(
        required=False, default=False, help_text="If the cohort is full, join its waitlist (202) instead of a 409."
    )


class WaitlistedSerializer(serializers.Serializer):
    """A full cohort's waitlist joined (202): nothing is enrolled or charged yet. When a seat frees,
    the first student waiting is offered it (`cohort_seat_offered`) and claims it by enrolling (or
    checking out) before the offer expires."""

    waitlisted = serializers.BooleanField()
    cohort = serializers.IntegerField()
    position = serializers.IntegerField(help_text="From 1: the next seat freed goes to position 1.")


def waitlisted_data(waitlisted) -> dict:
    return {"waitlisted": True, "cohort": waitlisted.cohort_id, "position": waitlisted.position}


class ReorderInputSerializer(InputSerializer):
    order = serializers.ListField(
        child=serializers.IntegerField(min_value=1), max_length=1000, help_text="Every id, in the new order."
    )


# --- output --------------------------------------------------------------------------------------
def _public_url(request, key: str | None) -> str | None:
    return absolute(request, storage.public_url(key)) if key else None


def _private_url(request, key: str | None, filename: str) -> str | None:
    return absolute(request, storage.private_url(key, filename=filename)) if key else None


class CoverVariantSerializer(serializers.Serializer):
    url = serializers.CharField(help_text="JPEG.")
    webp_url = serializers.CharField(help_text="The same image in WebP.")
    width = serializers.IntegerField()
    height = serializers.IntegerField()


class CoverVariantsSerializer(serializers.Serializer):
    thumb = CoverVariantSerializer(allow_null=True, help_text="A small image; null until made.")
    card = CoverVariantSerializer(allow_null=True, help_text="The catalog card's image; null until made.")


class CourseCoverSerializer(serializers.Serializer):
    """An uploaded course cover. Public, stable URLs (long-cacheable); the variants are made in the
    background after the upload, and are null until then."""

    url = serializers.CharField(help_text="The image as uploaded (EXIF removed).")
    width = serializers.IntegerField(allow_null=True)
    height = serializers.IntegerField(allow_null=True)
    variants = CoverVariantsSerializer()


def cover_data(cover, request) -> dict | None:
    """A course's cover (an Upload, or None) as CourseCoverSerializer describes it."""
    if cover is None:
        return None
    return cover_fields(request, cover.key, cover.width, cover.height, cover.variants, cover.derived_at)


def cover_fields(request, key: str, width, height, variants, derived_at) -> dict:
    """cover_data from the upload's columns (reads that build dicts from `.values()` rows)."""
    made = variants if derived_at else {}

    def variant(name: str) -> dict | None:
        files = made.get(name)
        if not files:
            return None
        return {
            "url": _public_url(request, files.get("jpeg")),
            "webp_url": _public_url(request, files.get("webp")),
            "width": files.get("width"),
            "height": files.get("height"),
        }

    return {
        "url": _public_url(request, key),
        "width": width,
        "height": height,
        "variants": {"thumb": variant("thumb"), "card": variant("card")},
    }


class LessonVideoSerializer(serializers.Serializer):
    """An uploaded lesson video. Its URLs are signed and expire (MEDIA_PRIVATE_URL_SECONDS)."""

    url = serializers.CharField(help_text="Signed, expiring; range requests work.")
    content_type = serializers.CharField()
    duration_seconds = serializers.IntegerField(allow_null=True)
    poster_url = serializers.CharField(allow_null=True, help_text="A still frame (JPEG), signed; null until made.")


class LessonAttachmentSerializer(serializers.Serializer):
    id = serializers.UUIDField(help_text="The upload's id.")
    filename = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField(help_text="Bytes.")
    url = serializers.CharField(help_text="Signed, expiring.")


def video_data(video, request) -> dict | None:
    if video is None:
        return None
    poster = (video.variants or {}).get("poster") if video.derived_at else None
    return {
        "url": _private_url(request, video.key, video.filename),
        "content_type": video.content_type,
        "duration_seconds": video.duration_seconds,
        "poster_url": _private_url(request, poster.get("jpeg"), "poster.jpg") if poster else None,
    }


def attachment_data(upload, request) -> dict:
    return {
        "id": str(upload.pk),
        "filename": upload.filename,
        "content_type": upload.content_type,
        "size": upload.size,
        "url": _private_url(request, upload.key, upload.filename),
    }


class CategorySerializer(CachedFieldsMixin, serializers.ModelSerializer):
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


class CourseSerializer(CachedFieldsMixin, serializers.ModelSerializer):
    """A course as the catalog shows it."""

    category = CategorySerializer(allow_null=True)
    instructor = PublicUserSerializer()
    average_rating = serializers.FloatField()
    rating_distribution = RatingDistributionField(help_text='Reviews per star: {"1": n, ..., "5": n}.')
    is_free = serializers.BooleanField()
    cover = serializers.SerializerMethodField()
    # The model's URLField allows "", which is not a `format: uri` value: documented as a plain string.
    thumbnail_url = serializers.SerializerMethodField(
        help_text="The image to show for the course: the uploaded cover's `card` variant once made, else the "
        "uploaded cover itself, else the external `thumbnail_url` stored on the course (an empty string when "
        "there is none)."
    )

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
            "cover",
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

    def _cover(self, course) -> dict | None:
        cache = self.context.setdefault("_covers", {})
        if course.pk not in cache:
            cache[course.pk] = cover_data(course.cover if course.cover_id else None, self.context.get("request"))
        return cache[course.pk]

    @extend_schema_field(CourseCoverSerializer(allow_null=True))
    def get_cover(self, course):
        return self._cover(course)

    @extend_schema_field(serializers.CharField())
    def get_thumbnail_url(self, course) -> str:
        cover = self._cover(course)
        if cover is None:
            return course.thumbnail_url
        card = cover["variants"]["card"]
        return card["url"] if card else cover["url"]


class LessonSerializer(ReleaseStateSerializer, serializers.ModelSerializer):
    """`content`, `video_url` and `video` are null, `attachments` empty (and `locked` true) unless the
    lesson is a preview or the caller is enrolled, the owner or an admin (the view says which through
    `content_visible`), and its release rules open it for them (`schedule`; `locked_reason` says
    why not). The uploaded video's and attachments' URLs are signed and expire."""

    content = serializers.SerializerMethodField()
    video_url = serializers.SerializerMethodField(
        help_text="An external video link (YouTube, Vimeo, …), kept alongside an uploaded `video`."
    )
    video = serializers.SerializerMethodField()
    attachments = serializers.SerializerMethodField()
    locked = serializers.SerializerMethodField()
    section = serializers.IntegerField(source="section_id")

    class Meta:
        model = Lesson
        fields = [
            "id",
            "section",
            "title",
            "content",
            "video_url",
            "video",
            "attachments",
            "duration_seconds",
            "is_preview",
            "order",
            "locked",
            *RELEASE_STATE_FIELDS,
        ]
        read_only_fields = fields

    def _visible(self, lesson) -> bool:
        if lesson.is_preview:
            return True
        return self.context.get("content_visible", False) and not self.release_state(lesson).locked

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_content(self, lesson):
        return lesson.content if self._visible(lesson) else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_video_url(self, lesson):
        return lesson.video_url if self._visible(lesson) else None

    @extend_schema_field(LessonVideoSerializer(allow_null=True))
    def get_video(self, lesson):
        if not (lesson.video_id and self._visible(lesson)):
            return None
        return video_data(lesson.video, self.context.get("request"))

    @extend_schema_field(LessonAttachmentSerializer(many=True))
    def get_attachments(self, lesson):
        if not self._visible(lesson):
            return []
        request = self.context.get("request")
        attachments = lesson.attachments.all()
        if "attachments" not in getattr(lesson, "_prefetched_objects_cache", {}):
            attachments = attachments.select_related("upload")
        return [attachment_data(a.upload, request) for a in attachments]

    @extend_schema_field(serializers.BooleanField())
    def get_locked(self, lesson):
        return not self._visible(lesson)


class SectionSerializer(serializers.ModelSerializer):
    lessons = LessonSerializer(many=True)

    class Meta:
        model = Section
        fields = ["id", "title", "order", "lessons"]
        read_only_fields = fields


class EnrollmentConflictSerializer(serializers.Serializer):
    """An enrollment or checkout refused with 409: `already_enrolled`, `prerequisites_not_met`
    with the courses still to complete, or for a cohort `enrollment_closed` / `cohort_full`."""

    detail = serializers.CharField()
    code = serializers.CharField()
    missing = CourseRefSerializer(many=True, required=False, help_text="`prerequisites_not_met`: complete these.")
    cohort = serializers.IntegerField(required=False, help_text="`enrollment_closed`, `cohort_full`: the cohort.")


class CourseDetailSerializer(CourseSerializer):
    sections = SectionSerializer(many=True)
    is_enrolled = serializers.SerializerMethodField()
    prerequisites = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True, help_text="Course ids a student must have completed to enroll."
    )

    class Meta(CourseSerializer.Meta):
        fields = [*CourseSerializer.Meta.fields, "prerequisites", "is_enrolled", "sections"]
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


class EnrollmentSerializer(CachedFieldsMixin, serializers.ModelSerializer):
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
