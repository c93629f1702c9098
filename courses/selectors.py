"""Every non-trivial read of courses, scoped to who is asking. What a user may not see is absent."""

from django.db import connection
from django.db.models import BooleanField, Exists, FloatField, OuterRef, Prefetch, Q, QuerySet
from django.db.models.expressions import RawSQL

from accounts.models import User
from accounts.roles import is_admin, is_instructor
from payments.selectors import revenue_subquery

from .models import (
    Category,
    Course,
    CourseStatus,
    Enrollment,
    EnrollmentStatus,
    Lesson,
    LessonAttachment,
    LessonCompletion,
    Section,
)


def _has_active_enrollment(user) -> Exists:
    return Exists(Enrollment.objects.filter(course=OuterRef("pk"), student=user.pk, status=EnrollmentStatus.ACTIVE))


def category_list() -> QuerySet[Category]:
    """Every category, by name (the catalog's filter choices)."""
    return Category.objects.order_by("name")


def course_list_for_admin() -> QuerySet[Course]:
    """Every course, any status, newest first, with what a catalog row shows loaded."""
    return Course.objects.select_related("category", "instructor", "cover").order_by("-created_at", "-id")


def course_list_public() -> QuerySet[Course]:
    """The catalog: published courses only, with what a catalog row shows loaded in one query."""
    return Course.objects.filter(status=CourseStatus.PUBLISHED).select_related("category", "instructor", "cover")


_SEARCH_MATCH_SQL = "courses_course.search_vector @@ websearch_to_tsquery('english'::regconfig, %s)"
_SEARCH_RANK_SQL = "ts_rank(courses_course.search_vector, websearch_to_tsquery('english'::regconfig, %s))"


def course_search(queryset: QuerySet[Course], query: str) -> QuerySet[Course]:
    """Search over title, subtitle and description. On PostgreSQL: the weighted full-text vector
    (GIN-indexed), websearch syntax (quotes, OR, -word) and a `search_rank` annotation; the query
    is always a bound parameter, so no input can break it. Elsewhere: a case-insensitive match."""
    query = query.replace("\x00", "").strip()[:200]
    if not query:
        return queryset
    if connection.vendor == "postgresql":
        # Constant SQL; the user's text is only ever the bound parameter.
        matches = RawSQL(_SEARCH_MATCH_SQL, [query], output_field=BooleanField())  # noqa: S611
        rank = RawSQL(_SEARCH_RANK_SQL, [query], output_field=FloatField())  # noqa: S611
        return queryset.filter(matches).annotate(search_rank=rank)
    return queryset.filter(Q(title__icontains=query) | Q(subtitle__icontains=query) | Q(description__icontains=query))


def course_visible_q(user) -> Q:
    """The courses this user may open, as a filter for any Course queryset: published ones; their
    own (instructors); every course (admins); any course they hold an active enrollment in (so
    unpublished or archived courses stay open to their students)."""
    if is_admin(user):
        return Q()
    if not (user and user.is_authenticated):
        return Q(status=CourseStatus.PUBLISHED)
    visible = Q(status=CourseStatus.PUBLISHED) | _has_active_enrollment(user)
    if is_instructor(user):  # a demoted instructor's drafts are closed to them too
        visible |= Q(instructor=user)
    return visible


def course_list_for_user(user) -> QuerySet[Course]:
    """Courses this user may open (course_visible_q)."""
    return Course.objects.filter(course_visible_q(user))


def course_list_for_manager(user) -> QuerySet[Course]:
    """Courses this user may change: their own while they hold the instructor role; every course
    for admins."""
    if is_admin(user):
        return Course.objects.all()
    if is_instructor(user):
        return Course.objects.filter(instructor=user)
    return Course.objects.none()


def lesson_list_with_media() -> QuerySet[Lesson]:
    """Lessons with their video (joined) and attachments (one more query for any number of
    lessons), in order: what the lesson serializer renders."""
    attachments = Prefetch(
        "attachments", queryset=LessonAttachment.objects.select_related("upload").order_by("order", "id")
    )
    return Lesson.objects.select_related("video").prefetch_related(attachments).order_by("order", "id")


def section_list_with_lessons() -> QuerySet[Section]:
    """Sections with their lessons, videos and attachments: three queries for a section. Not scoped
    to a user: give it to courses.access.section_for as `queryset`."""
    return Section.objects.prefetch_related(Prefetch("lessons", queryset=lesson_list_with_media()))


def course_list_with_curriculum() -> QuerySet[Course]:
    """Courses with their category, instructor, cover and curriculum (sections, and lessons in order
    with their videos and attachments) and prerequisites: five queries for a course whatever its
    size. Not scoped to a user: give it to courses.access.course_for as `queryset`, which applies
    visibility."""
    lessons = Prefetch("lessons", queryset=lesson_list_with_media())
    sections = Prefetch("sections", queryset=Section.objects.order_by("order", "id").prefetch_related(lessons))
    prerequisites = Prefetch("prerequisites", queryset=Course.objects.only("id").order_by("id"))
    return Course.objects.select_related("category", "instructor", "cover").prefetch_related(sections, prerequisites)


def course_list_for_instructor(instructor: User) -> QuerySet[Course]:
    """The instructor's own courses, every status, with `revenue` (paid orders) annotated. Empty
    for a user who no longer holds the instructor role."""
    return (
        course_list_for_manager(instructor)
        .filter(instructor=instructor)
        .select_related("category", "instructor", "cover")
        .annotate(revenue=revenue_subquery())
    )


def section_list_for_user(user) -> QuerySet[Section]:
    return Section.objects.filter(course__in=course_list_for_user(user)).select_related("course")


def lesson_list_for_user(user) -> QuerySet[Lesson]:
    return Lesson.objects.filter(course__in=course_list_for_user(user)).select_related("course", "section")


def enrollment_get_active(*, student, course, for_update: bool = False) -> Enrollment | None:
    """The student's active enrollment in the course (each a model or an id), with its course
    loaded, or None. `for_update` locks the row for the caller's transaction: services that decide
    on it (completion, attempts, certificates) serialise on this lock."""
    queryset = Enrollment.objects.filter(student=student, course=course, status=EnrollmentStatus.ACTIVE)
    if for_update:
        queryset = queryset.select_for_update(of=("self",))
    return queryset.select_related("course").first()


def enrollment_student_ids_active(*, course_id: int) -> list[int]:
    """The ids of the students holding an active enrollment in the course (an announcement's
    recipients)."""
    return list(
        Enrollment.objects.filter(course_id=course_id, status=EnrollmentStatus.ACTIVE).values_list(
            "student_id", flat=True
        )
    )


def enrollment_active_exists(*, student, course) -> bool:
    """Whether the student (model or id) holds an active enrollment in the course (model or id)."""
    return Enrollment.objects.filter(student=student, course=course, status=EnrollmentStatus.ACTIVE).exists()


def enrollment_list_for_student(student: User) -> QuerySet[Enrollment]:
    return (
        Enrollment.objects.filter(student=student)
        .select_related("course", "course__category", "course__instructor", "course__cover")
        .order_by("-enrolled_at", "-id")
    )


# --- a person's own data (privacy's export) --------------------------------------------------------
def course_list_taught_by(user: User) -> QuerySet[Course]:
    """Every course the user is the instructor of, any status, whatever role they hold now (unlike
    course_list_for_instructor), oldest first: what a privacy export lists."""
    return Course.objects.filter(instructor=user).order_by("created_at", "id")


def lesson_completion_list_for_student(student: User) -> QuerySet[LessonCompletion]:
    """Every lesson the student marked done, in any of their enrollments (active or revoked), oldest
    first, with the lesson and its course's id: one query."""
    return (
        LessonCompletion.objects.filter(enrollment__student=student)
        .select_related("lesson", "enrollment")
        .order_by("completed_at", "id")
    )
