"""The write services check their `actor` themselves (defence in depth: a view, admin page or task
that forgets is still refused). Called directly as the wrong user they raise NotPermitted and
change nothing; the course's instructor, an admin and the platform (actor=None) succeed."""

import pytest

from accounts.models import Role
from accounts.services import user_set_role
from accounts.tests.factories import InstructorFactory
from courses import services
from courses.models import Category, Course, CourseStatus, Enrollment, EnrollmentStatus, Lesson, Section
from courses.tests.factories import (
    CategoryFactory,
    CourseFactory,
    EnrollmentFactory,
    LessonFactory,
    PublishedCourseFactory,
    SectionFactory,
)
from lms.errors import NotPermitted

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(instructor, student):
    """A published course of `instructor` (two sections, two lessons each) with `student` enrolled."""
    course = PublishedCourseFactory(instructor=instructor, lessons=0)
    for s in (1, 2):
        section = SectionFactory(course=course, order=s)
        for n in (1, 2):
            LessonFactory(section=section, order=n)
    EnrollmentFactory(student=student, course=course)
    course.refresh_from_db()
    return course


@pytest.fixture
def demoted():
    """A former instructor: their course is frozen (courses.access.can_manage_course)."""
    user = InstructorFactory()
    user.frozen_course = PublishedCourseFactory(instructor=user)
    user_set_role(actor=None, user=user, role=Role.STUDENT)
    user.refresh_from_db()
    return user


def section_of(course):
    return course.sections.order_by("order").first()


def lesson_of(course):
    return course.lessons.order_by("section__order", "order").first()


def to_draft(course) -> None:
    Course.objects.filter(pk=course.pk).update(status=CourseStatus.DRAFT)


# Each: (name, call(actor, course), prepare(course) or None: sets the course up so the call changes it).
MANAGE = [
    ("course_update", lambda a, c: services.course_update(actor=a, course=c, data={"title": "Changed"}), None),
    ("course_publish", lambda a, c: services.course_publish(actor=a, course=c), to_draft),
    ("course_unpublish", lambda a, c: services.course_unpublish(actor=a, course=c), None),
    ("course_archive", lambda a, c: services.course_archive(actor=a, course=c), None),
    ("course_delete", lambda a, c: services.course_delete(actor=a, course=c), None),
    ("section_create", lambda a, c: services.section_create(actor=a, course=c, title="New"), None),
    (
        "section_update",
        lambda a, c: services.section_update(actor=a, section=section_of(c), data={"title": "Changed", "order": 2}),
        None,
    ),
    ("section_delete", lambda a, c: services.section_delete(actor=a, section=section_of(c)), None),
    (
        "sections_reorder",
        lambda a, c: services.sections_reorder(
            actor=a, course=c, ids=list(c.sections.order_by("-order").values_list("pk", flat=True))
        ),
        None,
    ),
    ("lesson_create", lambda a, c: services.lesson_create(actor=a, section=section_of(c), title="New"), None),
    (
        "lesson_update",
        lambda a, c: services.lesson_update(actor=a, lesson=lesson_of(c), data={"title": "Changed", "order": 2}),
        None,
    ),
    ("lesson_delete", lambda a, c: services.lesson_delete(actor=a, lesson=lesson_of(c)), None),
    (
        "lessons_reorder",
        lambda a, c: services.lessons_reorder(
            actor=a,
            section=section_of(c),
            ids=list(section_of(c).lessons.order_by("-order").values_list("pk", flat=True)),
        ),
        None,
    ),
]
MANAGE_IDS = [name for name, *_ in MANAGE]


def state(course) -> tuple:
    """Everything the manage services could change, to check a refusal changed nothing."""
    row = Course.objects.filter(pk=course.pk).values("title", "status", "lesson_count").first()
    sections = list(Section.objects.filter(course=course).order_by("pk").values_list("pk", "title", "order"))
    lessons = list(Lesson.objects.filter(course=course).order_by("pk").values_list("pk", "title", "order"))
    return row, sections, lessons


@pytest.mark.parametrize(("name", "call", "prepare"), MANAGE, ids=MANAGE_IDS)
@pytest.mark.parametrize("who", ["student", "other_student", "other_instructor", "demoted"])
def test_manage_services_refuse_the_wrong_user(
    course, student, other_student, other_instructor, demoted, who, name, call, prepare
):
    if prepare:
        prepare(course)
    actor = {
        "student": student,
        "other_student": other_student,
        "other_instructor": other_instructor,
        "demoted": demoted,
    }[who]
    before = state(course)
    with pytest.raises(NotPermitted) as refused:
        call(actor, course)
    assert refused.value.code == "not_course_staff"
    assert state(course) == before


@pytest.mark.parametrize(("name", "call", "prepare"), MANAGE, ids=MANAGE_IDS)
def test_a_demoted_instructor_cannot_change_their_former_course(demoted, name, call, prepare):
    course = demoted.frozen_course
    if prepare:
        prepare(course)
    before = state(course)
    with pytest.raises(NotPermitted):
        call(demoted, course)
    assert state(course) == before


@pytest.mark.parametrize(("name", "call", "prepare"), MANAGE, ids=MANAGE_IDS)
@pytest.mark.parametrize("who", ["instructor", "admin", "platform"])
def test_manage_services_let_the_owner_an_admin_and_the_platform_through(
    course, instructor, admin_user, who, name, call, prepare
):
    actor = {"instructor": instructor, "admin": admin_user, "platform": None}[who]
    if prepare:
        prepare(course)
    before = state(course)
    call(actor, course)
    assert state(course) != before


# --- admin-only services -------------------------------------------------------------------------
ADMIN_ONLY = [
    ("category_create", lambda a, c: services.category_create(actor=a, name="Brand new")),
    ("category_update", lambda a, c: services.category_update(actor=a, category=c.category, data={"name": "Renamed"})),
    ("category_delete", lambda a, c: services.category_delete(actor=a, category=Category.objects.get(name="Empty"))),
    ("course_set_status", lambda a, c: services.course_set_status(actor=a, course=c, status=CourseStatus.ARCHIVED)),
    ("course_remove", lambda a, c: services.course_remove(actor=a, course=c, reason="Spam")),
    (
        "enrollment_revoke",
        lambda a, c: services.enrollment_revoke(actor=a, enrollment=Enrollment.objects.get(course=c)),
    ),
]
ADMIN_IDS = [name for name, _ in ADMIN_ONLY]


@pytest.fixture
def empty_category():
    return CategoryFactory(name="Empty")


def admin_state(course) -> tuple:
    return (
        sorted(Category.objects.values_list("pk", "name")),
        Course.objects.get(pk=course.pk).status,
        sorted(Enrollment.objects.filter(course=course).values_list("pk", "status")),
    )


@pytest.mark.parametrize(("name", "call"), ADMIN_ONLY, ids=ADMIN_IDS)
@pytest.mark.parametrize("who", ["student", "instructor", "other_instructor"])
def test_admin_services_refuse_everyone_else(
    course, empty_category, student, instructor, other_instructor, who, name, call
):
    actor = {"student": student, "instructor": instructor, "other_instructor": other_instructor}[who]
    before = admin_state(course)
    with pytest.raises(NotPermitted) as refused:
        call(actor, course)
    assert refused.value.code == "not_admin"
    assert admin_state(course) == before


@pytest.mark.parametrize(("name", "call"), ADMIN_ONLY, ids=ADMIN_IDS)
@pytest.mark.parametrize("who", ["admin", "platform"])
def test_admin_services_let_an_admin_and_the_platform_through(course, empty_category, admin_user, who, name, call):
    before = admin_state(course)
    call(admin_user if who == "admin" else None, course)
    assert admin_state(course) != before


def test_course_reassign_is_for_admins_only(course, instructor, other_instructor):
    with pytest.raises(NotPermitted):
        services.course_reassign(course=course, instructor=other_instructor, actor=instructor)
    assert Course.objects.get(pk=course.pk).instructor == instructor


def test_enrollment_revoke_as_the_platform_is_what_a_refund_does(course, student):
    enrollment = Enrollment.objects.get(course=course, student=student)
    assert services.enrollment_revoke(actor=None, enrollment=enrollment).status == EnrollmentStatus.REVOKED


# --- publish and archive treat the caller's object the same way ----------------------------------
@pytest.mark.parametrize(
    ("service", "status"),
    [
        (services.course_publish, CourseStatus.PUBLISHED),
        (services.course_unpublish, CourseStatus.DRAFT),
        (services.course_archive, CourseStatus.ARCHIVED),
    ],
)
def test_status_services_reread_the_row_and_return_it_fresh(instructor, service, status):
    course = CourseFactory(
        instructor=instructor, status=CourseStatus.ARCHIVED if status != CourseStatus.ARCHIVED else CourseStatus.DRAFT
    )
    LessonFactory(section=SectionFactory(course=course))
    stale = Course.objects.get(pk=course.pk)
    Course.objects.filter(pk=course.pk).update(title="Renamed meanwhile")

    fresh = service(actor=instructor, course=stale)

    assert fresh is not stale
    assert (fresh.status, fresh.title) == (status, "Renamed meanwhile")
    assert stale.title != "Renamed meanwhile"  # the caller's object is left as it was


def test_status_services_check_the_owner_of_the_row_as_stored(instructor, other_instructor):
    """A caller's stale copy cannot vouch for an owner the course no longer has."""
    course = PublishedCourseFactory(instructor=instructor)
    stale = Course.objects.get(pk=course.pk)
    Course.objects.filter(pk=course.pk).update(instructor=other_instructor)
    with pytest.raises(NotPermitted):
        services.course_archive(actor=instructor, course=stale)
    assert services.course_archive(actor=other_instructor, course=stale).status == CourseStatus.ARCHIVED
