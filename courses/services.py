"""Every write to courses, curricula, enrollments and progress."""

import uuid
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from functools import partial

from django.db import IntegrityError, connection, transaction
from django.db.models import F, ProtectedError, Q, QuerySet
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.text import format_lazy, slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop, ngettext

from accounts.models import Role, User
from accounts.roles import is_admin
from activity.models import Verb
from activity.services import activity_record
from lms.counters import true_values
from lms.errors import Conflict, InvalidInput, Message, NotFound, NotPermitted, PaymentRequired
from lms.events import publish
from lms.i18n import deferred
from lms.ordering import move, next_order, reorder
from lms.services import model_update
from media.models import Upload, UploadPurpose
from media.services import upload_attach, upload_release
from notifications.services import course_students_notify_later, notify

from . import cache, release
from .access import ADMIN_DENIED, CHANGE_DENIED, course_actor_require, is_course_instructor
from .counters import LESSON_COUNT
from .hooks import Waitlisted, enrollment_gates_run, enrollment_status_changed
from .languages import INVALID_LANGUAGE, is_language, language_normalise
from .models import (
    Category,
    Course,
    CourseStatus,
    Enrollment,
    EnrollmentSource,
    EnrollmentStatus,
    Lesson,
    LessonAttachment,
    LessonCompletion,
    Section,
)
from .progress import Progress, completion_handlers, progress_for
from .selectors import enrollment_active_exists, enrollment_get_active

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
LESSON_FIELDS = ("title", "content", "video_url", "duration_seconds", "is_preview", *release.RULE_FIELDS)
MAX_ATTACHMENTS = 20
MAX_PREREQUISITES = 20
PREREQUISITE_GRAPH_LOCK = 0x4C4D535F505245  # "LMS_PRE": the advisory lock key of the prerequisite graph


# --- who may call ---------------------------------------------------------------------------------
# The write services that act for a person take it as `actor` and check it here, whatever the
# caller (view, admin, shell) checked already. `actor=None` is the platform itself (a task, a
# webhook, a management command); only such callers pass None.
def _require_manager(actor: User | None, course: Course) -> None:
    """`actor` may change the course: its instructor while they hold the role, or an admin."""
    course_actor_require(actor, course, message=CHANGE_DENIED)


def _require_admin(actor: User | None, message: Message = ADMIN_DENIED) -> None:
    if actor is not None and not is_admin(actor):
        raise NotPermitted(message, code="not_admin")


def _reread(queryset, pk: int, gone: Message):
    """The row as stored now (the caller's copy may be stale, or carry a form's unsaved values);
    NotFound with the message `gone` when it was deleted."""
    row = queryset.filter(pk=pk).first()
    if row is None:
        raise NotFound(gone)
    return row


def _course_locked(course_id: int) -> Course:
    """The course row, locked for the caller's (open) transaction and read fresh."""
    return _reread(Course.objects.select_for_update(), course_id, gettext_lazy("This course no longer exists."))


# --- uploads attached to courses and lessons -------------------------------------------------------
# Uploads are attached with media.services.upload_attach (a ready upload of the right purpose,
# the actor's own or, for an admin, anyone's, not in use elsewhere: InvalidInput on the field
# otherwise) and released with upload_release (the row now, its objects after commit). A row that
# points at an upload is changed or deleted before the upload is released: the foreign keys protect
# attached uploads.
def _same_upload(current, upload_id) -> bool:
    return current is not None and upload_id is not None and str(current) == str(upload_id)


def _attach(*, actor: User | None, course: Course, upload_id, purpose: str, field: str) -> Upload:
    """Attaches as `actor`; the platform (actor None) may attach only the course instructor's uploads."""
    return upload_attach(actor=actor or course.instructor, upload_id=upload_id, purposes=purpose, field=field)


def _course_cover_set(*, actor: User | None, course: Course, upload_id) -> bool:
    """Sets (or with None removes) the course's cover and releases the one it replaces. The same id
    again changes nothing. Returns whether it changed."""
    if _same_upload(course.cover_id, upload_id) or (course.cover_id is None and upload_id is None):
        return False
    old = Upload.objects.filter(pk=course.cover_id).first() if course.cover_id else None
    new = None
    if upload_id is not None:
        new = _attach(
            actor=actor, course=course, upload_id=upload_id, purpose=UploadPurpose.COURSE_COVER, field="cover"
        )
    course.cover = new
    course.save(update_fields=["cover", "updated_at"])
    upload_release(upload=old)
    return True


def _lesson_video_set(*, actor: User | None, lesson: Lesson, upload_id) -> None:
    """Sets (or with None removes) the lesson's video, releasing the one it replaces."""
    if _same_upload(lesson.video_id, upload_id) or (lesson.video_id is None and upload_id is None):
        return
    old = Upload.objects.filter(pk=lesson.video_id).first() if lesson.video_id else None
    new = None
    if upload_id is not None:
        new = _attach(
            actor=actor,
            course=lesson.course,
            upload_id=upload_id,
            purpose=UploadPurpose.LESSON_VIDEO,
            field="video",
        )
    lesson.video = new
    lesson.save(update_fields=["video", "updated_at"])
    upload_release(upload=old)


def _attachment_ids(upload_ids: Sequence) -> list[str]:
    if len(upload_ids) > MAX_ATTACHMENTS:
        message = ngettext(
            "A lesson has at most {count} attachment.", "A lesson has at most {count} attachments.", MAX_ATTACHMENTS
        ).format(count=MAX_ATTACHMENTS)
        raise InvalidInput(message, code="too_many", extra={"field": "attachments"})
    try:
        ids = [str(uuid.UUID(str(upload_id))) for upload_id in upload_ids]
    except ValueError:
        raise InvalidInput(_("Attachments are upload ids."), extra={"field": "attachments"}) from None
    if len(set(ids)) != len(ids):
        raise InvalidInput(_("Each attachment may appear once."), code="duplicate", extra={"field": "attachments"})
    return ids


def _lesson_attachments_set(*, actor: User | None, lesson: Lesson, upload_ids: Sequence) -> None:
    """Makes the lesson's attachments exactly `upload_ids`, in that order: new ids are attached,
    kept ones stay attached (renumbered), dropped ones are released. At most MAX_ATTACHMENTS."""
    ids = _attachment_ids(upload_ids)
    current = {str(a.upload_id): a for a in LessonAttachment.objects.filter(lesson=lesson).select_related("upload")}
    for upload_id in ids:
        if upload_id not in current:
            _attach(
                actor=actor,
                course=lesson.course,
                upload_id=upload_id,
                purpose=UploadPurpose.LESSON_ATTACHMENT,
                field="attachments",
            )
    dropped = [a for key, a in current.items() if key not in ids]
    if dropped:
        LessonAttachment.objects.filter(pk__in=[a.pk for a in dropped]).delete()
        for attachment in dropped:
            upload_release(upload=attachment.upload)
    for position, upload_id in enumerate(ids, start=1):
        kept = current.get(upload_id)
        if kept is None:
            LessonAttachment.objects.create(lesson=lesson, upload_id=upload_id, order=position)
        elif kept.order != position:
            LessonAttachment.objects.filter(pk=kept.pk).update(order=position)


def _lesson_uploads(lessons: QuerySet[Lesson]) -> list[Upload]:
    """The uploads the lessons use (videos and attachments), read before the lessons are deleted."""
    return list(
        Upload.objects.filter(
            Q(pk__in=lessons.exclude(video=None).values("video")) | Q(lesson_attachment__lesson__in=lessons)
        ).distinct()
    )


def _release_all(uploads: Sequence[Upload]) -> None:
    for upload in uploads:
        upload_release(upload=upload)


# --- categories ----------------------------------------------------------------------------------
def _unique_slug(model, text: str, *, max_length: int, fallback: str) -> str:
    base = slugify(text)[: max_length - 7].strip("-") or fallback
    slug = base
    while model.objects.filter(slug=slug).exists():
        slug = f"{base}-{get_random_string(6, 'abcdefghijklmnopqrstuvwxyz0123456789')}"
    return slug


@transaction.atomic
def category_create(*, actor: User | None, name: str, slug: str = "") -> Category:
    """Adds a category (name and slug unique: 400). Admins only; actor None: the platform (seeding).
    No lock: the unique indexes on name and slug refuse a concurrent duplicate."""
    _require_admin(actor)
    if Category.objects.filter(name__iexact=name).exists():
        raise InvalidInput(_("A category with this name already exists."), code="duplicate", extra={"field": "name"})
    if slug and Category.objects.filter(slug=slug).exists():
        raise InvalidInput(_("A category with this slug already exists."), code="duplicate", extra={"field": "slug"})
    return Category.objects.create(
        name=name, slug=slug or _unique_slug(Category, name, max_length=100, fallback="category")
    )


@transaction.atomic
def category_update(*, actor: User | None, category: Category, data: dict) -> Category:
    """Renames a category (`name`, `slug`; each stays unique: 400). Admins only; actor None: the
    platform. Takes the category's row lock and returns the fresh row."""
    _require_admin(actor)
    category = _reread(Category.objects.select_for_update(), category.pk, _("This category no longer exists."))
    if "name" in data and Category.objects.filter(name__iexact=data["name"]).exclude(pk=category.pk).exists():
        raise InvalidInput(_("A category with this name already exists."), code="duplicate", extra={"field": "name"})
    if "slug" in data and Category.objects.filter(slug=data["slug"]).exclude(pk=category.pk).exists():
        raise InvalidInput(_("A category with this slug already exists."), code="duplicate", extra={"field": "slug"})
    category, _changed = model_update(instance=category, fields=("name", "slug"), data=data)
    cache.course_changed()
    return category


@transaction.atomic
def category_delete(*, actor: User | None, category: Category) -> None:
    """Only an empty category can be deleted (409 otherwise): courses are never left without one.
    Admins only; actor None: the platform. No lock: a course moved into the category meanwhile makes
    the delete fail on its protected foreign key."""
    _require_admin(actor)
    if category.courses.exists():
        raise Conflict(_("This category still has courses; move them first."), code="category_in_use")
    category.delete()
    cache.course_changed()


# --- courses -------------------------------------------------------------------------------------
def _language_clean(value: str) -> str:
    """The course language as stored: an ISO 639-1 code in lower case (courses.languages), else 400
    on `language`. The API and the admin check it first; the shell and other apps' callers too."""
    language = language_normalise(value)
    if not is_language(language):
        raise InvalidInput(INVALID_LANGUAGE, code="invalid_language", extra={"field": "language"})
    return language


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
    cover: uuid.UUID | str | None = None,
    prerequisites: Sequence[int] = (),
) -> Course:
    """Creates a draft owned by `instructor`, with `cover` (a ready course_cover upload of theirs)
    attached when given (400 on `cover` otherwise) and its `prerequisites` (course ids, as
    course_update). The slug is made once from the title and never changes, so links keep working
    after a rename."""
    if instructor.role != Role.INSTRUCTOR:
        raise NotPermitted(_("Only instructors can create courses."))
    course = Course(
        instructor=instructor,
        title=title,
        subtitle=subtitle,
        description=description,
        category=category,
        level=level,
        language=_language_clean(language),
        price=price,
        currency=currency.upper(),
        thumbnail_url=thumbnail_url,
        status=CourseStatus.DRAFT,
    )
    for _attempt in range(5):
        course.slug = _unique_slug(Course, title, max_length=80, fallback="course")
        try:
            with transaction.atomic():
                course.save()
        except IntegrityError:  # the same slug was taken concurrently; draw another
            continue
        if cover is not None:
            _course_cover_set(actor=instructor, course=course, upload_id=cover)
        if prerequisites:
            _prerequisites_set(actor=instructor, course=course, ids=prerequisites)
        cache.course_changed(course.pk)
        return course
    raise Conflict(_("Could not find a free slug for this title; try again."))


@transaction.atomic
def course_update(*, actor: User | None, course: Course, data: dict) -> Course:
    """Updates the editable fields (COURSE_FIELDS) and, when `data` has `cover`, the cover: an
    upload id (a ready course_cover upload of the actor's, or anyone's for an admin; 400 on `cover`
    otherwise) or None to remove it. The cover it replaces is deleted (its files after commit); the
    same id again changes nothing. Status changes go through publish, unpublish and archive. The
    course's instructor (while they hold the role) or an admin; actor None: the platform, which
    attaches the instructor's uploads only. Takes the course row lock, re-reads the row and returns
    it fresh."""
    course = _course_locked(course.pk)
    _require_manager(actor, course)
    if data.get("currency"):
        data = {**data, "currency": data["currency"].upper()}
    if "language" in data:
        data = {**data, "language": _language_clean(data["language"])}
    course, _changed = model_update(instance=course, fields=COURSE_FIELDS, data=data)
    if "cover" in data:
        _course_cover_set(actor=actor, course=course, upload_id=data["cover"])
    if "prerequisites" in data:
        _prerequisites_set(actor=actor, course=course, ids=data["prerequisites"])
    cache.course_changed(course.pk)
    return course


def _prerequisite_graph_lock() -> None:
    """Serialises changes to the prerequisite graph for the transaction, so that two edits that
    each look fine alone (A needs B, B needs A) cannot both commit a cycle. PostgreSQL: a
    transaction-level advisory lock; SQLite writes one transaction at a time anyway."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [PREREQUISITE_GRAPH_LOCK])


def _prerequisites_set(*, actor: User | None, course: Course, ids: Sequence[int]) -> None:
    """Replaces the course's prerequisites with the courses `ids`: each must exist and be one the
    actor may point students to (published, or their own; any for an admin or the platform), and
    the graph must stay free of cycles (400 `prerequisite_cycle`, naming the loop)."""
    ids = list(dict.fromkeys(ids))
    if course.pk in ids:
        raise InvalidInput(
            _("A course cannot require itself."), code="prerequisite_cycle", extra={"field": "prerequisites"}
        )
    allowed = Course.objects.filter(pk__in=ids)
    if actor is not None and not is_admin(actor):
        allowed = allowed.filter(Q(status=CourseStatus.PUBLISHED) | Q(instructor=actor))
    found = dict(allowed.values_list("pk", "title"))
    unknown = [str(pk) for pk in ids if pk not in found]
    if unknown:
        message = _("No course {ids} to require.").format(ids=", ".join(unknown))
        raise InvalidInput(message, extra={"field": "prerequisites"})
    _prerequisite_graph_lock()
    edges = Course.prerequisites.through.objects
    # Does any new prerequisite lead back to this course through the existing graph?
    came_from: dict[int, int | None] = dict.fromkeys(ids)
    frontier = set(ids)
    while frontier and course.pk not in came_from:
        step = edges.filter(from_course_id__in=frontier).values_list("from_course_id", "to_course_id")
        frontier = set()
        for source, target in step:
            if target not in came_from:
                came_from[target] = source
                frontier.add(target)
    if course.pk in came_from:
        loop, node = [course.pk], came_from[course.pk]
        while node is not None:
            loop.append(node)
            node = came_from[node]
        titles = dict(Course.objects.filter(pk__in=loop).values_list("pk", "title"))
        path = " -> ".join(titles[pk] for pk in [course.pk, *reversed(loop[1:]), course.pk])
        raise InvalidInput(
            _("That would make a loop of prerequisites (each needs the next): {path}.").format(path=path),
            code="prerequisite_cycle",
            extra={"field": "prerequisites"},
        )
    course.prerequisites.set(ids)


@transaction.atomic
def course_publish(*, actor: User | None, course: Course) -> Course:
    """Publishes (from draft or archived). A course needs at least one lesson (400). The course's
    instructor or an admin; actor None: the platform. Like unpublish and archive, it takes the
    course row lock, re-reads the row and returns it fresh (the caller's object is not changed)."""
    course = _course_locked(course.pk)
    _require_manager(actor, course)
    if not course.lessons.exists():
        raise InvalidInput(_("A course needs at least one lesson before it can be published."), code="no_lessons")
    if course.status != CourseStatus.PUBLISHED:
        course.status = CourseStatus.PUBLISHED
        course.published_at = course.published_at or timezone.now()
        course.save(update_fields=["status", "published_at", "updated_at"])
    cache.course_changed(course.pk)
    return course


@transaction.atomic
def course_unpublish(*, actor: User | None, course: Course) -> Course:
    """Back to draft: hidden from the catalog; enrolled students keep their access. The course's
    instructor or an admin; actor None: the platform. Takes the course row lock and returns the
    fresh row (as course_publish)."""
    course = _course_locked(course.pk)
    _require_manager(actor, course)
    if course.status != CourseStatus.DRAFT:
        course.status = CourseStatus.DRAFT
        course.save(update_fields=["status", "updated_at"])
    cache.course_changed(course.pk)
    return course


@transaction.atomic
def course_archive(*, actor: User | None, course: Course) -> Course:
    """Hidden from the catalog and closed to new enrollments; enrolled students keep access. The
    course's instructor or an admin; actor None: the platform. Takes the course row lock and
    returns the fresh row (as course_publish)."""
    course = _course_locked(course.pk)
    _require_manager(actor, course)
    if course.status != CourseStatus.ARCHIVED:
        course.status = CourseStatus.ARCHIVED
        course.save(update_fields=["status", "updated_at"])
    cache.course_changed(course.pk)
    return course


@transaction.atomic
def course_set_status(*, actor: User | None, course: Course, status: str) -> Course:
    """An admin's status change: publish (needs a lesson), back to draft, or archive. Admins only;
    actor None: the platform. Returns the fresh row, locked as those services lock it."""
    _require_admin(actor, _("Only an administrator can set a course's status."))
    actions = {
        CourseStatus.PUBLISHED: course_publish,
        CourseStatus.DRAFT: course_unpublish,
        CourseStatus.ARCHIVED: course_archive,
    }
    if status not in actions:
        raise InvalidInput(_("Unknown status {status}.").format(status=repr(status)), extra={"field": "status"})
    return actions[status](actor=actor, course=course)


@transaction.atomic
def course_remove(*, actor: User | None, course: Course, reason: str = "") -> Course:
    """Takes down an inappropriate course: archived (out of the catalog, closed to new students),
    enrollments kept, and the instructor told why. Admins only; actor None: the platform. Takes the
    course row lock (course_archive) and returns the fresh row."""
    _require_admin(actor, _("Only an administrator can remove a course."))
    course = course_archive(actor=actor, course=course)
    notify(
        recipients=[course.instructor_id],
        type="course_removed",
        title=format_lazy(gettext_lazy("Your course “{course}” was removed from the catalog"), course=course.title),
        body=reason or gettext_lazy("An administrator removed it. Contact support for details."),
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
    the catalog cache forgets it. Takes the course row lock."""
    if not is_admin(actor):
        raise NotPermitted(_("Only an administrator can reassign a course."), code="not_admin")
    if instructor.role != Role.INSTRUCTOR or not instructor.is_active:
        raise InvalidInput(
            _("A course can only be reassigned to an active user with the instructor role."),
            code="not_an_instructor",
            extra={"field": "instructor"},
        )
    course = _course_locked(course.pk)
    if enrollment_active_exists(student=instructor, course=course):
        raise Conflict(
            _("This instructor is enrolled in the course; an instructor never takes their own course."),
            code="own_course",
            extra={"field": "instructor"},
        )
    if course.instructor_id != instructor.pk:
        course.instructor = instructor
        course.save(update_fields=["instructor", "updated_at"])
    cache.course_changed(course.pk)
    return course


@transaction.atomic
def course_delete(*, actor: User | None, course: Course) -> str:
    """Deletes a course nobody depends on. A course with enrollments (or orders, or anything else
    that protects it) is archived instead, so no student's data is lost. Returns what happened:
    "deleted" or "archived". The course's instructor or an admin; actor None: the platform. Takes
    the course row lock first. A deleted course's cover and its lessons' videos and attachments are
    deleted too (their files after commit); an archived one keeps them."""
    course = _course_locked(course.pk)
    _require_manager(actor, course)
    course_id = course.pk
    uploads = _lesson_uploads(Lesson.objects.filter(course_id=course_id))
    if course.cover_id:
        uploads.append(Upload.objects.get(pk=course.cover_id))
    try:
        with transaction.atomic():
            course.delete()
        _release_all(uploads)
        cache.course_changed(course_id)
        return "deleted"
    except ProtectedError:
        course_archive(actor=actor, course=course)
        return "archived"


# --- curriculum ----------------------------------------------------------------------------------
@transaction.atomic
def section_create(*, actor: User | None, course: Course, title: str, order: int | None = None) -> Section:
    """Adds a section at `order` (last when None; siblings renumbered). The course's instructor or
    an admin; actor None: the platform. No row lock: concurrent creates may share an order number
    (lists break ties by id) until the next move or reorder renumbers the siblings under their row
    locks."""
    _require_manager(actor, course)
    siblings = Section.objects.filter(course=course)
    section = Section.objects.create(course=course, title=title, order=next_order(siblings))
    if order is not None:
        move(section, siblings, order)
        section.refresh_from_db(fields=["order"])
    cache.course_changed(course.pk)
    return section


@transaction.atomic
def section_update(*, actor: User | None, section: Section, data: dict) -> Section:
    """Renames (`title`) and moves (`order`) a section. The course's instructor or an admin; actor
    None: the platform. Re-reads the section and returns it fresh. A move locks the sibling
    sections' rows (lms.ordering.reorder)."""
    section = _reread(Section.objects.select_related("course"), section.pk, _("This section no longer exists."))
    _require_manager(actor, section.course)
    section, _changed = model_update(instance=section, fields=("title",), data=data)
    if data.get("order") is not None:
        move(section, Section.objects.filter(course_id=section.course_id), data["order"])
        section.refresh_from_db(fields=["order"])
    cache.course_changed(section.course_id)
    return section


@transaction.atomic
def section_delete(*, actor: User | None, section: Section) -> None:
    """Deletes the section and its lessons (and students' completions of them). The course's
    lesson_count drops by the lessons this delete removed, as counted by the delete itself: a
    section already gone (deleted twice, or with its course page's other rows) takes nothing.
    The course's instructor or an admin; actor None: the platform. No lock: the delete itself counts
    what it removed, so a concurrent delete of the same rows takes nothing twice. The lessons'
    videos and attachments are deleted with them (their files after commit)."""
    _require_manager(actor, section.course)
    course_id = section.course_id
    uploads = _lesson_uploads(Lesson.objects.filter(section_id=section.pk))
    _total, deleted = section.delete()
    removed = deleted.get(Lesson._meta.label, 0)
    if removed:
        Course.objects.filter(pk=course_id).update(lesson_count=F("lesson_count") - removed)
        _release_all(uploads)
    cache.course_changed(course_id)


@transaction.atomic
def sections_reorder(*, actor: User | None, course: Course, ids: Sequence[int]) -> list[Section]:
    """Puts every section of the course in the order of `ids` (each id exactly once: 400). The
    course's instructor or an admin; actor None: the platform. Locks the course's section rows."""
    _require_manager(actor, course)
    reorder(Section.objects.filter(course=course), ids)
    cache.course_changed(course.pk)
    return list(Section.objects.filter(course=course).order_by("order", "id"))


@transaction.atomic
def lesson_create(
    *,
    actor: User | None,
    section: Section,
    title: str,
    content: str = "",
    video_url: str = "",
    duration_seconds: int = 0,
    is_preview: bool = False,
    order: int | None = None,
    video: uuid.UUID | str | None = None,
    attachments: Sequence[uuid.UUID | str] = (),
    available_from: datetime | None = None,
    available_after_days: int | None = None,
    requires_passing: Sequence[dict] | None = (),
) -> Lesson:
    """Adds a lesson to the section at `order` (last when None) and counts it in the course's
    lesson_count; the students of a published course hear of it after commit. `video` (a ready
    lesson_video upload) and `attachments` (ready lesson_attachment uploads, at most
    MAX_ATTACHMENTS, in order) are attached as lesson_update attaches them (400 on the field). The course's
    instructor or an admin; actor None: the platform. No row lock: concurrent creates may share an
    order number (lists break ties by id) until the next move or reorder renumbers the siblings
    under their row locks; the lesson_count increment is one conditional UPDATE. The release
    rules (courses.release) are checked by rules_prepare (400 on the field)."""
    _require_manager(actor, section.course)
    rules = release.rules_prepare(
        course=section.course,
        kind="lesson",
        data={
            "available_from": available_from,
            "available_after_days": available_after_days,
            "requires_passing": list(requires_passing or ()),
        },
    )
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
        **rules,
    )
    lesson.course = section.course
    if video is not None:
        _lesson_video_set(actor=actor, lesson=lesson, upload_id=video)
    if attachments:
        _lesson_attachments_set(actor=actor, lesson=lesson, upload_ids=attachments)
    Course.objects.filter(pk=section.course_id).update(lesson_count=F("lesson_count") + 1)
    if order is not None:
        move(lesson, siblings, order)
        lesson.refresh_from_db(fields=["order"])
    course = section.course
    if course.status == CourseStatus.PUBLISHED:
        course_students_notify_later(
            course_id=course.pk,
            type="course_updated",
            title=deferred(gettext_noop("New lesson in {course}: {lesson}"), course=course.title, lesson=lesson.title),
            body=deferred(gettext_noop("A new lesson was added to a course you take.")),
            payload={"course_id": course.pk, "lesson_id": lesson.pk},
        )
    cache.course_changed(section.course_id)
    return lesson


@transaction.atomic
def lesson_update(*, actor: User | None, lesson: Lesson, data: dict) -> Lesson:
    """Updates the lesson's fields (LESSON_FIELDS), its uploads and moves it within its section
    (`order`). `video`: an upload id (a ready lesson_video upload of the actor's, or anyone's for an
    admin) or None to remove it; `attachments`: the whole list of attachment upload ids, in order
    (ids new to the lesson are attached, ids kept stay, ids left out are deleted; at most
    MAX_ATTACHMENTS). A refused upload is a 400 on its field and changes nothing; replaced uploads'
    files are deleted after commit. The course's instructor or an admin; actor None: the platform,
    which attaches the instructor's uploads only. Re-reads the lesson (locked when its uploads
    change) and returns it fresh. A move locks the sibling lessons' rows (lms.ordering.reorder)."""
    queryset = Lesson.objects.select_related("course", "section")
    if "video" in data or "attachments" in data:
        queryset = queryset.select_for_update(of=("self",))
    lesson = _reread(queryset, lesson.pk, _("This lesson no longer exists."))
    _require_manager(actor, lesson.course)
    data = release.rules_prepare(course=lesson.course, kind="lesson", data=data, item=lesson)
    lesson, _changed = model_update(instance=lesson, fields=LESSON_FIELDS, data=data)
    if "video" in data:
        _lesson_video_set(actor=actor, lesson=lesson, upload_id=data["video"])
    if "attachments" in data:
        _lesson_attachments_set(actor=actor, lesson=lesson, upload_ids=data["attachments"] or ())
    if data.get("order") is not None:
        move(lesson, Lesson.objects.filter(section_id=lesson.section_id), data["order"])
        lesson.refresh_from_db(fields=["order"])
    cache.course_changed(lesson.course_id)
    return lesson


@transaction.atomic
def lesson_delete(*, actor: User | None, lesson: Lesson) -> None:
    """Deletes the lesson (and students' completions of it). A lesson already gone (deleted twice,
    or with its section) leaves the course's lesson_count alone. The course's instructor or an
    admin; actor None: the platform. No lock: the delete itself tells whether it removed the row, so
    lesson_count drops once. Its video and attachments are deleted with it (files after commit)."""
    _require_manager(actor, lesson.course)
    course_id = lesson.course_id
    uploads = _lesson_uploads(Lesson.objects.filter(pk=lesson.pk))
    _total, deleted = lesson.delete()
    if deleted.get(Lesson._meta.label):
        Course.objects.filter(pk=course_id).update(lesson_count=F("lesson_count") - 1)
        _release_all(uploads)
    cache.course_changed(course_id)


@transaction.atomic
def course_recount_lessons(*, course: Course) -> int:
    """Resets the stored lesson count from the database (after edits outside the services), under
    the course row's lock, with the definition `repair_counters` uses (courses/counters.py)."""
    course_lock(course_id=course.pk)
    count = true_values(LESSON_COUNT, course.pk)["lesson_count"]
    Course.objects.filter(pk=course.pk).update(lesson_count=count)
    cache.course_changed(course.pk)
    return count


@transaction.atomic
def lessons_reorder(*, actor: User | None, section: Section, ids: Sequence[int]) -> list[Lesson]:
    """Puts every lesson of the section in the order of `ids` (each id exactly once: 400). The
    course's instructor or an admin; actor None: the platform. Locks the section's lesson rows."""
    _require_manager(actor, section.course)
    reorder(Lesson.objects.filter(section=section), ids)
    cache.course_changed(section.course_id)
    return list(Lesson.objects.filter(section=section).order_by("order", "id"))


# --- enrollment ----------------------------------------------------------------------------------
def enrollment_refuse_own_course(*, student: User, course: Course) -> None:
    """An instructor never enrolls in (or buys) their own course, even after a demotion to student
    (403 `own_course`): they would see it as a student, use their own coupons and review it.
    enrollment_create and payments' checkout_start call this."""
    if is_course_instructor(student, course):
        raise NotPermitted(_("You cannot enroll in a course you teach."), code="own_course")


def enrollment_prerequisites_require(*, student: User, course: Course) -> None:
    """A student enrolls (or buys) only once they completed each of the course's prerequisites:
    else 409 `prerequisites_not_met` with the `missing` courses ({id, title, slug}). A completion
    counts even if that enrollment was revoked later (a refund does not unlearn a course). Only a
    published prerequisite is required: a draft or archived one cannot be taken, so it would lock
    the course for good. enrollment_create (free) and payments' checkout_start call this; staff
    grants skip it."""
    missing = list(
        course.prerequisites.filter(status=CourseStatus.PUBLISHED)
        .exclude(pk__in=Enrollment.objects.filter(student=student, completed_at__isnull=False).values("course_id"))
        .order_by("title", "id")
        .values("id", "title", "slug")
    )
    if missing:
        raise Conflict(
            _("Complete {courses} first.").format(courses=", ".join(m["title"] for m in missing)),
            code="prerequisites_not_met",
            extra={"missing": missing},
        )


@transaction.atomic
def enrollment_create(
    *,
    student: User,
    course: Course,
    source: str = EnrollmentSource.FREE,
    cohort: int | None = None,
    waitlist: bool = False,
) -> Enrollment | Waitlisted:
    """Enrolls a student. `free`: the course must be published and free (402 when it has a price),
    and its prerequisites completed (409 `prerequisites_not_met`).
    `paid`: called by payments once Stripe confirms the order (whatever the course's status
    by then: the student paid). `admin`: granted by staff, into any
    course that is not archived. A second active enrollment is a 409 (also under concurrent
    requests: the database's partial unique index decides). A revoked enrollment is reactivated,
    keeping the student's progress.

    Then the enrollment gates (courses.hooks) decide, in this transaction: for a course taught in
    cohorts, `cohort` (an id) picks the cohort and the seat is taken under its row lock (400, 409
    `enrollment_closed` / `cohort_full`); with `waitlist`, a full cohort returns a Waitlisted
    instead and nothing is enrolled. A self-paced course takes neither (a `cohort` is a 400)."""
    if student.role != Role.STUDENT:
        raise NotPermitted(_("Only students can enroll in courses."))
    enrollment_refuse_own_course(student=student, course=course)
    if source == EnrollmentSource.FREE and course.status != CourseStatus.PUBLISHED:
        raise NotFound(_("No published course with this id."))
    if source == EnrollmentSource.ADMIN and course.status == CourseStatus.ARCHIVED:
        raise Conflict(_("This course is archived and closed to new enrollments."), code="course_archived")
    if source == EnrollmentSource.FREE and not course.is_free:
        raise PaymentRequired(
            _("This course has a price; buy it through checkout."),
            extra={"price": str(course.price), "currency": course.currency},
        )
    existing = Enrollment.objects.filter(student=student, course=course).order_by("-enrolled_at").first()
    if existing is not None and existing.is_active:
        raise Conflict(_("You are already enrolled in this course."), code="already_enrolled")
    if source == EnrollmentSource.FREE:
        enrollment_prerequisites_require(student=student, course=course)
    waitlisted = enrollment_gates_run(
        student=student, course=course, cohort_id=cohort, waitlist=waitlist, source=source
    )
    if waitlisted is not None:
        return waitlisted
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
        raise Conflict(_("You are already enrolled in this course."), code="already_enrolled") from exc
    Course.objects.filter(pk=course.pk).update(enrollment_count=F("enrollment_count") + 1)
    if existing is not None:  # reactivated: the student's review (if any) counts again
        enrollment_status_changed(course_id=course.pk, student_id=student.pk)
    payload = {"course_id": course.pk, "enrollment_id": enrollment.pk}
    notify(
        recipients=[student],
        type="enrollment_confirmed",
        title=format_lazy(gettext_lazy("You are enrolled in {course}"), course=course.title),
        body=gettext_lazy("Your course is ready. Start with the first lesson whenever you like."),
        payload=payload,
    )
    notify(
        recipients=[course.instructor_id],
        type="new_enrollment",
        title=format_lazy(
            gettext_lazy("{student} enrolled in {course}"), student=student.full_name, course=course.title
        ),
        payload={**payload, "student_id": student.pk},
    )
    activity_record(
        actor=student, verb=Verb.ENROLLMENT_CREATED, target=enrollment, course=course, metadata={"source": source}
    )
    publish("enrollment.created", enrollment)
    cache.course_changed(course.pk)
    return enrollment


@transaction.atomic
def enrollment_revoke(*, actor: User | None, enrollment: Enrollment) -> Enrollment:
    """Removes access (a refund, an admin decision). Progress is kept in case of re-enrollment; the
    student's review of the course, if any, stops counting in its rating figures (recounted here).
    An admin, or the platform (actor None: a refund confirmed by the payment provider). Idempotent:
    the status change is conditional, so of concurrent revokes only one counts. No row lock: the
    conditional UPDATE serialises revokes."""
    _require_admin(actor, _("Only an administrator can revoke an enrollment."))
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
    if updated:
        publish("enrollment.revoked", enrollment)
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
    publish("enrollment.completed", enrollment)
    for handler in completion_handlers():
        transaction.on_commit(partial(handler, enrollment.pk))
    return True


@transaction.atomic
def lesson_complete(*, student: User, lesson: Lesson) -> tuple[Enrollment, Progress]:
    """Marks a lesson done for the student's active enrollment (idempotent) and completes the
    course if that was the last requirement. Not enrolled: 403; a lesson its release rules still
    lock for them: 403 `not_yet_available` / `prerequisite`."""
    enrollment = enrollment_get_active(student=student, course=lesson.course_id)
    if enrollment is None:
        raise NotPermitted(_("Enroll in this course to track your progress."), code="not_enrolled")
    release.require_open(
        user=student,
        item=lesson,
        course=lesson.course,
        enrollment=enrollment,
        message=_("This lesson is not open yet."),
    )
    try:
        with transaction.atomic():
            _completion, created = LessonCompletion.objects.get_or_create(enrollment=enrollment, lesson=lesson)
    except IntegrityError:  # the same lesson completed by a concurrent request
        created = False
    if created:
        activity_record(actor=student, verb=Verb.LESSON_COMPLETED, target=lesson, course=lesson.course_id)
    enrollment.last_activity_at = timezone.now()
    enrollment.save(update_fields=["last_activity_at"])
    enrollment_evaluate_completion(enrollment=enrollment)
    return enrollment, progress_for([enrollment])[enrollment.pk]


# --- erasure (privacy) ------------------------------------------------------------------------------
def enrollments_erase_for_user(*, user: User) -> int:
    """Erasure of a person (privacy's erasure job, the platform: there is no actor, and no other
    caller). Each of the user's active enrollments is revoked through enrollment_revoke, so
    everything a revoke does happens: the course's enrollment_count drops, the status hooks run
    (schedules gives the cohort seat to the next in line; reviews recounts the course's rating) and
    the revoke is recorded in the activity log. The enrollments and their lesson completions stay,
    as history pointing at the pseudonymised user; courses the user teaches are not touched here
    (they stay readable, their instructor shown as the pseudonym).

    Not atomic as a whole, on purpose: each revoke is its own transaction (enrollment_revoke's
    conditional UPDATE locks only that enrollment's row, then its course's row and, through the
    hook, its cohorts'), so no locks of several courses are held at once. A run that dies half way
    leaves each enrollment revoked or active, and a second run revokes the rest; with nothing left
    active it does nothing. Returns how many enrollments it found active (and revoked)."""
    active = list(Enrollment.objects.filter(student=user, status=EnrollmentStatus.ACTIVE).order_by("pk"))
    for enrollment in active:
        enrollment_revoke(actor=None, enrollment=enrollment)
    return len(active)
