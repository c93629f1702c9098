"""Every write to courses, curricula, enrollments and progress."""

from collections.abc import Sequence
from decimal import Decimal
from functools import partial

from django.db import IntegrityError, transaction
from django.db.models import F, ProtectedError
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.text import slugify

from accounts.models import Role, User
from activity.models import Verb
from activity.services import activity_record
from lms.counters import true_values
from lms.errors import Conflict, InvalidInput, NotFound, NotPermitted, PaymentRequired
from lms.ordering import move, next_order, reorder
from notifications.services import course_students_notify_later, notify

from . import cache
from .access import is_course_instructor
from .counters import LESSON_COUNT
from .hooks import enrollment_status_changed
from .models import (
    Category,
    Course,
    CourseStatus,
    Enrollment,
    EnrollmentSource,
    EnrollmentStatus,
    Lesson,
    LessonCompletion,
    Section,
)
from .progress import Progress, completion_handlers, progress_for

COURSE_FIELDS = (
    "title",
    "subtitle",
    "description",
    "category",
    "level",
    "language",
    "price",
    "currency",
    "thumbnail_url",
)
SECTION_FIELDS = ("title",)
LESSON_FIELDS = ("title", "content", "video_url", "duration_seconds", "is_preview")


# --- categories ----------------------------------------------------------------------------------
def _unique_slug(model, text: str, *, max_length: int, fallback: str) -> str:
    base = slugify(text)[: max_length - 7].strip("-") or fallback
    slug = base
    while model.objects.filter(slug=slug).exists():
        slug = f"{base}-{get_random_string(6, 'abcdefghijklmnopqrstuvwxyz0123456789')}"
    return slug


@transaction.atomic
def category_create(*, name: str, slug: str = "") -> Category:
    if Category.objects.filter(name__iexact=name).exists():
        raise InvalidInput("A category with this name already exists.", code="duplicate", extra={"field": "name"})
    if slug and Category.objects.filter(slug=slug).exists():
        raise InvalidInput("A category with this slug already exists.", code="duplicate", extra={"field": "slug"})
    return Category.objects.create(
        name=name, slug=slug or _unique_slug(Category, name, max_length=100, fallback="category")
    )


@transaction.atomic
def category_update(*, category: Category, data: dict) -> Category:
    if "name" in data and Category.objects.filter(name__iexact=data["name"]).exclude(pk=category.pk).exists():
        raise InvalidInput("A category with this name already exists.", code="duplicate", extra={"field": "name"})
    if "slug" in data and Category.objects.filter(slug=data["slug"]).exclude(pk=category.pk).exists():
        raise InvalidInput("A category with this slug already exists.", code="duplicate", extra={"field": "slug"})
    for field in ("name", "slug"):
        if field in data:
            setattr(category, field, data[field])
    category.save()
    cache.course_changed()
    return category


@transaction.atomic
def category_delete(*, category: Category) -> None:
    """Only an empty category can be deleted (409 otherwise): courses are never left without one."""
    if category.courses.exists():
        raise Conflict("This category still has courses; move them first.", code="category_in_use")
    category.delete()
    cache.course_changed()


# --- courses -------------------------------------------------------------------------------------
@transaction.atomic
def course_create(
    *,
    instructor: User,
    title: str,
    subtitle: str = "",
    description: str = "",
    category: Category | None = None,
    level: str = "all",
    language: str = "en",
    price: Decimal = Decimal("0.00"),
    currency: str = "USD",
    thumbnail_url: str = "",
) -> Course:
    """Creates a draft owned by `instructor`. The slug is made once from the title and never
    changes, so links keep working after a rename."""
    if instructor.role != Role.INSTRUCTOR:
        raise NotPermitted("Only instructors can create courses.")
    course = Course(
        instructor=instructor,
        title=title,
        subtitle=subtitle,
        description=description,
        category=category,
        level=level,
        language=language,
        price=price,
        currency=currency.upper(),
        thumbnail_url=thumbnail_url,
        status=CourseStatus.DRAFT,
    )
    for _ in range(5):
        course.slug = _unique_slug(Course, title, max_length=80, fallback="course")
        try:
            with transaction.atomic():
                course.save()
            cache.course_changed(course.pk)
            return course
        except IntegrityError:  # the same slug was taken concurrently; draw another
            continue
    raise Conflict("Could not find a free slug for this title; try again.")


@transaction.atomic
def course_update(*, course: Course, data: dict) -> Course:
    """Updates the editable fields. Status changes go through publish/unpublish/archive."""
    fields = [f for f in COURSE_FIELDS if f in data]
    for field in fields:
        value = data[field]
        setattr(course, field, value.upper() if field == "currency" else value)
    if fields:
        course.save(update_fields=[*fields, "updated_at"])
    cache.course_changed(course.pk)
    return course


@transaction.atomic
def course_publish(*, course: Course) -> Course:
    """Publishes (from draft or archived). A course needs at least one lesson (400)."""
    course = Course.objects.select_for_update().get(pk=course.pk)
    if not course.lessons.exists():
        raise InvalidInput("A course needs at least one lesson before it can be published.", code="no_lessons")
    if course.status != CourseStatus.PUBLISHED:
        course.status = CourseStatus.PUBLISHED
        course.published_at = course.published_at or timezone.now()
        course.save(update_fields=["status", "published_at", "updated_at"])
    cache.course_changed(course.pk)
    return course


@transaction.atomic
def course_unpublish(*, course: Course) -> Course:
    """Back to draft: hidden from the catalog; enrolled students keep their access."""
    if course.status != CourseStatus.DRAFT:
        course.status = CourseStatus.DRAFT
        course.save(update_fields=["status", "updated_at"])
    cache.course_changed(course.pk)
    return course


@transaction.atomic
def course_archive(*, course: Course) -> Course:
    """Hidden from the catalog and closed to new enrollments; enrolled students keep access."""
    if course.status != CourseStatus.ARCHIVED:
        course.status = CourseStatus.ARCHIVED
        course.save(update_fields=["status", "updated_at"])
    cache.course_changed(course.pk)
    return course


@transaction.atomic
def course_set_status(*, course: Course, status: str) -> Course:
    """An admin's status change: publish (needs a lesson), back to draft, or archive."""
    actions = {
        CourseStatus.PUBLISHED: course_publish,
        CourseStatus.DRAFT: course_unpublish,
        CourseStatus.ARCHIVED: course_archive,
    }
    if status not in actions:
        raise InvalidInput(f"Unknown status {status!r}.", extra={"field": "status"})
    return actions[status](course=course)


@transaction.atomic
def course_remove(*, course: Course, reason: str = "") -> Course:
    """Takes down an inappropriate course: archived (out of the catalog, closed to new students),
    enrollments kept, and the instructor told why."""
    course_archive(course=course)
    notify(
        recipients=[course.instructor_id],
        type="course_removed",
        title=f"Your course “{course.title}” was removed from the catalog",
        body=reason or "An administrator removed it. Contact support for details.",
        payload={"course_id": course.pk},
    )
    return course


def course_lock(*, course_id: int) -> None:
    """Takes the course row's lock for the caller's transaction (which must be open): writers that
    keep figures on the course (reviews, enrollments) serialise on it."""
    Course.objects.select_for_update().filter(pk=course_id).first()


@transaction.atomic
def course_rating_update(*, course_id: int, figures: dict) -> Course:
    """Stores the course's rating figures (average_rating, rating_count, rating_distribution),
    computed by reviews from the reviews that count, and drops the cached course. Takes the course
    row lock if the caller's transaction does not hold it yet. Called by reviews.services only."""
    course = Course.objects.select_for_update().get(pk=course_id)
    for name, value in figures.items():
        setattr(course, name, value)
    course.save(update_fields=list(figures))
    cache.course_changed(course.pk)
    return course


@transaction.atomic
def course_reassign(*, course: Course, instructor: User, actor: User) -> Course:
    """An admin hands the course to another instructor: the way to unfreeze the courses of a
    demoted instructor (courses.access.can_manage_course). The new owner must be an active user
    with the instructor role (400 otherwise), and must not be enrolled in the course (409: nobody
    teaches a course they take). Enrollments, reviews, orders and coupons stay with the course;
    the catalog cache forgets it."""
    if actor.role != Role.ADMIN:
        raise NotPermitted("Only an administrator can reassign a course.")
    if instructor.role != Role.INSTRUCTOR or not instructor.is_active:
        raise InvalidInput(
            "A course can only be reassigned to an active user with the instructor role.",
            code="not_an_instructor",
            extra={"field": "instructor"},
        )
    course = Course.objects.select_for_update().get(pk=course.pk)
    if Enrollment.objects.filter(course=course, student=instructor, status=EnrollmentStatus.ACTIVE).exists():
        raise Conflict(
            "This instructor is enrolled in the course; an instructor never takes their own course.",
            code="own_course",
            extra={"field": "instructor"},
        )
    if course.instructor_id != instructor.pk:
        course.instructor = instructor
        course.save(update_fields=["instructor", "updated_at"])
    cache.course_changed(course.pk)
    return course


@transaction.atomic
def course_delete(*, course: Course) -> str:
    """Deletes a course nobody depends on. A course with enrollments (or orders, or anything else
    that protects it) is archived instead, so no student's data is lost. Returns what happened:
    "deleted" or "archived"."""
    course_id = course.pk
    try:
        with transaction.atomic():
            course.delete()
        cache.course_changed(course_id)
        return "deleted"
    except ProtectedError:
        course_archive(course=course)
        return "archived"


# --- curriculum ----------------------------------------------------------------------------------
@transaction.atomic
def section_create(*, course: Course, title: str, order: int | None = None) -> Section:
    siblings = Section.objects.filter(course=course)
    section = Section.objects.create(course=course, title=title, order=next_order(siblings))
    if order is not None:
        move(section, siblings, order)
        section.refresh_from_db(fields=["order"])
    cache.course_changed(course.pk)
    return section


@transaction.atomic
def section_update(*, section: Section, data: dict) -> Section:
    if "title" in data:
        section.title = data["title"]
        section.save(update_fields=["title"])
    if data.get("order") is not None:
        move(section, Section.objects.filter(course_id=section.course_id), data["order"])
        section.refresh_from_db(fields=["order"])
    cache.course_changed(section.course_id)
    return section


@transaction.atomic
def section_delete(*, section: Section) -> None:
    """Deletes the section and its lessons (and students' completions of them). The course's
    lesson_count drops by the lessons this delete removed, as counted by the delete itself: a
    section already gone (deleted twice, or with its course page's other rows) takes nothing."""
    course_id = section.course_id
    _, deleted = section.delete()
    removed = deleted.get(Lesson._meta.label, 0)
    if removed:
        Course.objects.filter(pk=course_id).update(lesson_count=F("lesson_count") - removed)
    cache.course_changed(course_id)


@transaction.atomic
def sections_reorder(*, course: Course, ids: Sequence[int]) -> list[Section]:
    reorder(Section.objects.filter(course=course), ids, "section")
    cache.course_changed(course.pk)
    return list(Section.objects.filter(course=course).order_by("order", "id"))


@transaction.atomic
def lesson_create(
    *,
    section: Section,
    title: str,
    content: str = "",
    video_url: str = "",
    duration_seconds: int = 0,
    is_preview: bool = False,
    order: int | None = None,
) -> Lesson:
    siblings = Lesson.objects.filter(section=section)
    lesson = Lesson.objects.create(
        section=section,
        course_id=section.course_id,
        title=title,
        content=content,
        video_url=video_url,
        duration_seconds=duration_seconds,
        is_preview=is_preview,
        order=next_order(siblings),
    )
    Course.objects.filter(pk=section.course_id).update(lesson_count=F("lesson_count") + 1)
    if order is not None:
        move(lesson, siblings, order)
        lesson.refresh_from_db(fields=["order"])
    course = section.course
    if course.status == CourseStatus.PUBLISHED:
        course_students_notify_later(
            course_id=course.pk,
            type="course_updated",
            title=f"New lesson in {course.title}: {lesson.title}",
            body="A new lesson was added to a course you take.",
            payload={"course_id": course.pk, "lesson_id": lesson.pk},
        )
    cache.course_changed(section.course_id)
    return lesson


@transaction.atomic
def lesson_update(*, lesson: Lesson, data: dict) -> Lesson:
    fields = [f for f in LESSON_FIELDS if f in data]
    for field in fields:
        setattr(lesson, field, data[field])
    if fields:
        lesson.save(update_fields=[*fields, "updated_at"])
    if data.get("order") is not None:
        move(lesson, Lesson.objects.filter(section_id=lesson.section_id), data["order"])
        lesson.refresh_from_db(fields=["order"])
    cache.course_changed(lesson.course_id)
    return lesson


@transaction.atomic
def lesson_delete(*, lesson: Lesson) -> None:
    """Deletes the lesson (and students' completions of it). A lesson already gone (deleted twice,
    or with its section) leaves the course's lesson_count alone."""
    course_id = lesson.course_id
    _, deleted = lesson.delete()
    if deleted.get(Lesson._meta.label):
        Course.objects.filter(pk=course_id).update(lesson_count=F("lesson_count") - 1)
    cache.course_changed(course_id)


@transaction.atomic
def course_recount_lessons(*, course: Course) -> int:
    """Resets the stored lesson count from the database (after edits outside the services), under
    the course row's lock, with the definition `repair_counters` uses (courses/counters.py)."""
    Course.objects.select_for_update().filter(pk=course.pk).first()
    count = true_values(LESSON_COUNT, course.pk)["lesson_count"]
    Course.objects.filter(pk=course.pk).update(lesson_count=count)
    cache.course_changed(course.pk)
    return count


@transaction.atomic
def lessons_reorder(*, section: Section, ids: Sequence[int]) -> list[Lesson]:
    reorder(Lesson.objects.filter(section=section), ids, "lesson")
    cache.course_changed(section.course_id)
    return list(Lesson.objects.filter(section=section).order_by("order", "id"))


# --- enrollment ----------------------------------------------------------------------------------
def enrollment_refuse_own_course(*, student: User, course: Course) -> None:
    """An instructor never enrolls in (or buys) their own course, even after a demotion to student
    (403 `own_course`): they would see it as a student, use their own coupons and review it.
    enrollment_create and payments' checkout_start call this."""
    if is_course_instructor(student, course):
        raise NotPermitted("You cannot enroll in a course you teach.", code="own_course")


@transaction.atomic
def enrollment_create(*, student: User, course: Course, source: str = EnrollmentSource.FREE) -> Enrollment:
    """Enrolls a student. `free`: the course must be published and free (402 when it has a price).
    `paid`: called by payments once Stripe confirms the order (whatever the course's status
    by then: the student paid). `admin`: granted by staff, into any
    course that is not archived. A second active enrollment is a 409 (also under concurrent
    requests: the database's partial unique index decides). A revoked enrollment is reactivated,
    keeping the student's progress."""
    if student.role != Role.STUDENT:
        raise NotPermitted("Only students can enroll in courses.")
    enrollment_refuse_own_course(student=student, course=course)
    if source == EnrollmentSource.FREE and course.status != CourseStatus.PUBLISHED:
        raise NotFound("No published course with this id.")
    if source == EnrollmentSource.ADMIN and course.status == CourseStatus.ARCHIVED:
        raise Conflict("This course is archived and closed to new enrollments.", code="course_archived")
    if source == EnrollmentSource.FREE and not course.is_free:
        raise PaymentRequired(
            "This course has a price; buy it through checkout.",
            extra={"price": str(course.price), "currency": course.currency},
        )
    existing = Enrollment.objects.filter(student=student, course=course).order_by("-enrolled_at").first()
    if existing is not None and existing.is_active:
        raise Conflict("You are already enrolled in this course.", code="already_enrolled")
    try:
        with transaction.atomic():
            if existing is not None:
                # Conditional, so that of concurrent re-enrollments only one reactivates.
                reactivated = Enrollment.objects.filter(pk=existing.pk, status=EnrollmentStatus.REVOKED).update(
                    status=EnrollmentStatus.ACTIVE, source=source, revoked_at=None
                )
                if not reactivated:
                    raise IntegrityError("reactivated concurrently")
                existing.refresh_from_db()
                enrollment = existing
            else:
                enrollment = Enrollment.objects.create(student=student, course=course, source=source)
    except IntegrityError as exc:  # a concurrent request enrolled the same student first
        raise Conflict("You are already enrolled in this course.", code="already_enrolled") from exc
    Course.objects.filter(pk=course.pk).update(enrollment_count=F("enrollment_count") + 1)
    if existing is not None:  # reactivated: the student's review (if any) counts again
        enrollment_status_changed(course_id=course.pk, student_id=student.pk)
    payload = {"course_id": course.pk, "enrollment_id": enrollment.pk}
    notify(
        recipients=[student],
        type="enrollment_confirmed",
        title=f"You are enrolled in {course.title}",
        body="Your course is ready. Start with the first lesson whenever you like.",
        payload=payload,
    )
    notify(
        recipients=[course.instructor_id],
        type="new_enrollment",
        title=f"{student.full_name} enrolled in {course.title}",
        payload={**payload, "student_id": student.pk},
    )
    activity_record(
        actor=student, verb=Verb.ENROLLMENT_CREATED, target=enrollment, course=course, metadata={"source": source}
    )
    cache.course_changed(course.pk)
    return enrollment


@transaction.atomic
def enrollment_revoke(*, enrollment: Enrollment) -> Enrollment:
    """Removes access (a refund, an admin decision). Progress is kept in case of re-enrollment; the
    student's review of the course, if any, stops counting in its rating figures (recounted here)."""
    updated = Enrollment.objects.filter(pk=enrollment.pk, status=EnrollmentStatus.ACTIVE).update(
        status=EnrollmentStatus.REVOKED, revoked_at=timezone.now()
    )
    if updated:
        Course.objects.filter(pk=enrollment.course_id).update(enrollment_count=F("enrollment_count") - 1)
        enrollment_status_changed(course_id=enrollment.course_id, student_id=enrollment.student_id)
        activity_record(
            actor=enrollment.student_id, verb=Verb.ENROLLMENT_REVOKED, target=enrollment, course=enrollment.course_id
        )
    enrollment.refresh_from_db()
    cache.course_changed(enrollment.course_id)
    return enrollment


@transaction.atomic
def enrollment_evaluate_completion(*, enrollment: Enrollment) -> bool:
    """Marks the enrollment completed, once, when every requirement is met (every lesson done,
    and whatever other apps require, e.g. every required quiz passed). The completion handlers
    (certificate, notifications) run after commit. Returns whether this call completed it.

    Takes the enrollment's row lock before reading progress: two requests meeting the last two
    requirements at once (the last lesson, the passing quiz) would otherwise each miss the
    other's uncommitted part, and the course would never be completed. The second waits for the
    first to commit, then sees everything."""
    if enrollment.completed_at is not None or not enrollment.is_active:
        return False
    locked = Enrollment.objects.select_for_update().filter(
        pk=enrollment.pk, completed_at__isnull=True, status=EnrollmentStatus.ACTIVE
    )
    if not list(locked.values_list("pk", flat=True)):  # completed or revoked meanwhile
        return False
    if not progress_for([enrollment])[enrollment.pk].complete:
        return False
    now = timezone.now()
    updated = Enrollment.objects.filter(
        pk=enrollment.pk, completed_at__isnull=True, status=EnrollmentStatus.ACTIVE
    ).update(completed_at=now)
    if not updated:  # completed concurrently by another request
        return False
    enrollment.completed_at = now
    activity_record(
        actor=enrollment.student_id, verb=Verb.COURSE_COMPLETED, target=enrollment, course=enrollment.course_id
    )
    for handler in completion_handlers():
        transaction.on_commit(partial(handler, enrollment.pk))
    return True


@transaction.atomic
def lesson_complete(*, student: User, lesson: Lesson) -> tuple[Enrollment, Progress]:
    """Marks a lesson done for the student's active enrollment (idempotent) and completes the
    course if that was the last requirement. Not enrolled: 403."""
    enrollment = (
        Enrollment.objects.select_related("course")
        .filter(student=student, course_id=lesson.course_id, status=EnrollmentStatus.ACTIVE)
        .first()
    )
    if enrollment is None:
        raise NotPermitted("Enroll in this course to track your progress.", code="not_enrolled")
    try:
        with transaction.atomic():
            _, created = LessonCompletion.objects.get_or_create(enrollment=enrollment, lesson=lesson)
    except IntegrityError:  # the same lesson completed by a concurrent request
        created = False
    if created:
        activity_record(actor=student, verb=Verb.LESSON_COMPLETED, target=lesson, course=lesson.course_id)
    enrollment.last_activity_at = timezone.now()
    enrollment.save(update_fields=["last_activity_at"])
    enrollment_evaluate_completion(enrollment=enrollment)
    return enrollment, progress_for([enrollment])[enrollment.pk]
