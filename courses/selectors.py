"""Every non-trivial read of courses, scoped to who is asking. What a user may not see is absent."""

from django.db import connection
from django.db.models import BooleanField, Exists, FloatField, OuterRef, Prefetch, Q, QuerySet
from django.db.models.expressions import RawSQL

from accounts.models import Role, User

from .models import Course, CourseStatus, Enrollment, EnrollmentStatus, Lesson, Section


def _is_admin(user) -> bool:
    return bool(user and user.is_authenticated and user.role == Role.ADMIN)


def _is_instructor(user) -> bool:
    """Holds the instructor role now. A demoted instructor (an admin set their role to student)
    keeps the `instructor` foreign key of their courses, but not the power that came with it: their
    courses are frozen (unchanged, still open to their students) until an admin reassigns them
    (services.course_reassign)."""
    return bool(user and user.is_authenticated and user.role == Role.INSTRUCTOR)


def _has_active_enrollment(user) -> Exists:
    return Exists(Enrollment.objects.filter(course=OuterRef("pk"), student=user.pk, status=EnrollmentStatus.ACTIVE))


def course_list_public() -> QuerySet[Course]:
    """The catalog: published courses only, with what a catalog row shows loaded in one query."""
    return Course.objects.filter(status=CourseStatus.PUBLISHED).select_related("category", "instructor")


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


def courses_visible_to(user) -> QuerySet[Course]:
    """Courses this user may open: published ones; their own (instructors); every course (admins);
    any course they hold an active enrollment in (so unpublished or archived courses stay open to
    their students)."""
    if _is_admin(user):
        return Course.objects.all()
    if not (user and user.is_authenticated):
        return Course.objects.filter(status=CourseStatus.PUBLISHED)
    visible = Q(status=CourseStatus.PUBLISHED) | _has_active_enrollment(user)
    if _is_instructor(user):  # a demoted instructor's drafts are closed to them too
        visible |= Q(instructor=user)
    return Course.objects.filter(visible)


def courses_managed_by(user) -> QuerySet[Course]:
    """Courses this user may change: their own while they hold the instructor role; every course
    for admins."""
    if _is_admin(user):
        return Course.objects.all()
    if _is_instructor(user):
        return Course.objects.filter(instructor=user)
    return Course.objects.none()


def can_manage_course(user, course: Course) -> bool:
    """The one rule for changing a course and reading what only its staff reads (quiz results,
    coupons, announcements): admins, and its instructor while they hold the instructor role. A
    demoted instructor's courses are frozen until an admin reassigns them."""
    return _is_admin(user) or (_is_instructor(user) and course.instructor_id == user.pk)


def is_course_instructor(user, course: Course) -> bool:
    """Whether `user` is (or was, before a demotion) the course's instructor, whatever their role
    now: such a user never enrolls in, buys or reviews it."""
    return bool(user and user.is_authenticated and course.instructor_id == user.pk)


def can_read_content(user, course: Course) -> bool:
    """Full lesson content: the owner, admins and students with an active enrollment."""
    if not (user and user.is_authenticated):
        return False
    return can_manage_course(user, course) or enrollment_get_active(student=user, course=course) is not None


def course_detail_for_user(user, course_id) -> Course:
    """The course with its curriculum (sections and lessons in order): three queries whatever its
    size. Raises Course.DoesNotExist when the user may not see it."""
    lessons = Prefetch("lessons", queryset=Lesson.objects.order_by("order", "id"))
    sections = Prefetch("sections", queryset=Section.objects.order_by("order", "id").prefetch_related(lessons))
    return (
        courses_visible_to(user).select_related("category", "instructor").prefetch_related(sections).get(pk=course_id)
    )


def instructor_course_list(instructor: User) -> QuerySet[Course]:
    """The instructor's own courses, every status, with `revenue` (paid orders) annotated. Empty
    for a user who no longer holds the instructor role."""
    from payments.selectors import revenue_subquery

    return (
        courses_managed_by(instructor)
        .filter(instructor=instructor)
        .select_related("category", "instructor")
        .annotate(revenue=revenue_subquery())
    )


def sections_visible_to(user) -> QuerySet[Section]:
    return Section.objects.filter(course__in=courses_visible_to(user)).select_related("course")


def lessons_visible_to(user) -> QuerySet[Lesson]:
    return Lesson.objects.filter(course__in=courses_visible_to(user)).select_related("course", "section")


def enrollment_get_active(*, student, course: Course) -> Enrollment | None:
    return Enrollment.objects.filter(student=student, course=course, status=EnrollmentStatus.ACTIVE).first()


def enrollment_list_for_student(student: User) -> QuerySet[Enrollment]:
    return (
        Enrollment.objects.filter(student=student)
        .select_related("course", "course__category", "course__instructor")
        .order_by("-enrolled_at", "-id")
    )
