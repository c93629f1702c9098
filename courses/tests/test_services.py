"""The course services called directly, as tasks, the admin and the payments app call them."""

from decimal import Decimal

import pytest

from courses import services
from courses.models import Course, CourseStatus, Enrollment, EnrollmentSource, EnrollmentStatus, Section
from courses.tests.factories import (
    CategoryFactory,
    CourseFactory,
    EnrollmentFactory,
    LessonFactory,
    PublishedCourseFactory,
    SectionFactory,
)
from lms.errors import Conflict, InvalidInput, NotFound, NotPermitted, PaymentRequired

pytestmark = pytest.mark.django_db


# --- slugs ---------------------------------------------------------------------------------------
def test_course_slug_comes_from_the_title(instructor):
    course = services.course_create(instructor=instructor, title="Intro to Python & Data!")
    assert course.slug == "intro-to-python-data"
    assert course.status == CourseStatus.DRAFT


def test_course_slugs_are_unique_for_the_same_title(instructor, other_instructor):
    slugs = {services.course_create(instructor=i, title="Same Title").slug for i in (instructor, other_instructor)}
    slugs.add(services.course_create(instructor=instructor, title="same title").slug)
    assert len(slugs) == 3
    assert "same-title" in slugs


def test_course_slug_never_changes(instructor):
    course = services.course_create(instructor=instructor, title="First")
    services.course_update(actor=None, course=course, data={"title": "Second"})
    course.refresh_from_db()
    assert (course.title, course.slug) == ("Second", "first")


@pytest.mark.parametrize("title", ["!!!", "日本語", "x" * 200])
def test_course_slug_always_fits(instructor, title):
    course = services.course_create(instructor=instructor, title=title)
    assert course.slug
    assert len(course.slug) <= Course._meta.get_field("slug").max_length


def test_course_create_uppercases_currency(instructor):
    assert services.course_create(instructor=instructor, title="t", currency="eur").currency == "EUR"


@pytest.mark.parametrize("role", ["student", "admin"])
def test_only_instructors_create_courses(request, role):
    user = request.getfixturevalue("admin_user" if role == "admin" else role)
    with pytest.raises(NotPermitted):
        services.course_create(instructor=user, title="Nope")
    assert not Course.objects.exists()


def test_category_slug_is_unique():
    first = services.category_create(actor=None, name="Web")
    CategoryFactory(name="Other", slug="data")
    second = services.category_create(actor=None, name="Data")
    assert first.slug == "web"
    assert second.slug != "data"
    assert second.slug.startswith("data")


def test_category_delete_with_courses_is_conflict():
    category = CategoryFactory()
    CourseFactory(category=category)
    with pytest.raises(Conflict):
        services.category_delete(actor=None, category=category)


# --- publish and delete --------------------------------------------------------------------------
def test_publish_needs_a_lesson(instructor):
    course = CourseFactory(instructor=instructor)
    with pytest.raises(InvalidInput):
        services.course_publish(actor=None, course=course)
    LessonFactory(section=SectionFactory(course=course))
    assert services.course_publish(actor=None, course=course).status == CourseStatus.PUBLISHED


def test_course_delete_without_enrollments_is_deleted():
    course = PublishedCourseFactory(lessons=2)
    assert services.course_delete(actor=None, course=course) == "deleted"
    assert not Course.objects.filter(pk=course.pk).exists()


def test_course_delete_with_enrollments_is_archived(student):
    course = PublishedCourseFactory(lessons=2)
    enrollment = EnrollmentFactory(student=student, course=course)

    assert services.course_delete(actor=None, course=course) == "archived"

    course.refresh_from_db()
    assert course.status == CourseStatus.ARCHIVED
    assert course.lessons.count() == 2
    assert Enrollment.objects.filter(pk=enrollment.pk, status=EnrollmentStatus.ACTIVE).exists()


def test_course_delete_with_only_a_revoked_enrollment_is_archived(student):
    course = PublishedCourseFactory()
    services.enrollment_revoke(actor=None, enrollment=EnrollmentFactory(student=student, course=course))
    assert services.course_delete(actor=None, course=course) == "archived"


# --- ordering ------------------------------------------------------------------------------------
@pytest.fixture
def three_sections():
    course = CourseFactory()
    return course, [SectionFactory(course=course, order=i, title=f"S{i}") for i in (1, 2, 3)]


def orders(course) -> list[tuple[str, int]]:
    return list(Section.objects.filter(course=course).order_by("order").values_list("title", "order"))


def test_sections_reorder(three_sections):
    course, (s1, s2, s3) = three_sections
    result = services.sections_reorder(actor=None, course=course, ids=[s3.pk, s1.pk, s2.pk])
    assert [s.pk for s in result] == [s3.pk, s1.pk, s2.pk]
    assert orders(course) == [("S3", 1), ("S1", 2), ("S2", 3)]


@pytest.mark.parametrize("bad", ["missing", "duplicate", "foreign", "extra-unknown"])
def test_sections_reorder_rejects_anything_but_a_permutation(three_sections, bad):
    course, (s1, s2, s3) = three_sections
    foreign = SectionFactory()
    ids = {
        "missing": [s1.pk, s2.pk],
        "duplicate": [s1.pk, s2.pk, s2.pk, s3.pk],
        "foreign": [s1.pk, s2.pk, s3.pk, foreign.pk],
        "extra-unknown": [s1.pk, s2.pk, s3.pk, 999999],
    }[bad]

    with pytest.raises(InvalidInput):
        services.sections_reorder(actor=None, course=course, ids=ids)
    assert orders(course) == [("S1", 1), ("S2", 2), ("S3", 3)]


def test_lessons_reorder_rejects_a_lesson_of_another_section():
    section = SectionFactory()
    a, b = LessonFactory(section=section, order=1), LessonFactory(section=section, order=2)
    elsewhere = LessonFactory(section=SectionFactory(course=section.course))
    with pytest.raises(InvalidInput):
        services.lessons_reorder(actor=None, section=section, ids=[b.pk, a.pk, elsewhere.pk])
    assert [lesson.pk for lesson in services.lessons_reorder(actor=None, section=section, ids=[b.pk, a.pk])] == [
        b.pk,
        a.pk,
    ]


def test_section_create_at_position_and_move(three_sections):
    course, _ = three_sections
    new = services.section_create(actor=None, course=course, title="New", order=2)
    assert orders(course) == [("S1", 1), ("New", 2), ("S2", 3), ("S3", 4)]
    services.section_update(actor=None, section=new, data={"order": 99})  # past the end: last
    assert orders(course) == [("S1", 1), ("S2", 2), ("S3", 3), ("New", 4)]


def test_lesson_count_follows_create_and_delete():
    course = CourseFactory()
    section = SectionFactory(course=course)
    lessons = [services.lesson_create(actor=None, section=section, title=f"L{i}") for i in range(3)]
    course.refresh_from_db()
    assert course.lesson_count == 3
    services.lesson_delete(actor=None, lesson=lessons[0])
    course.refresh_from_db()
    assert course.lesson_count == 2
    services.section_delete(actor=None, section=section)
    course.refresh_from_db()
    assert course.lesson_count == 0


# --- enrollment_create ---------------------------------------------------------------------------
def test_free_enrollment(student):
    course = PublishedCourseFactory()
    enrollment = services.enrollment_create(student=student, course=course)
    course.refresh_from_db()
    assert (enrollment.source, enrollment.status) == (EnrollmentSource.FREE, EnrollmentStatus.ACTIVE)
    assert course.enrollment_count == 1


def test_free_source_on_paid_course_is_payment_required(student):
    course = PublishedCourseFactory(price=Decimal("10.00"))
    with pytest.raises(PaymentRequired) as info:
        services.enrollment_create(student=student, course=course)
    assert info.value.extra == {"price": "10.00", "currency": "USD"}


def test_paid_source_on_paid_course(student):
    course = PublishedCourseFactory(price=Decimal("10.00"))
    enrollment = services.enrollment_create(student=student, course=course, source=EnrollmentSource.PAID)
    course.refresh_from_db()
    assert enrollment.source == EnrollmentSource.PAID
    assert course.enrollment_count == 1


def test_paid_source_enrolls_whatever_the_course_status(student):
    """The student paid; a course unpublished since the checkout still gets them in."""
    draft = CourseFactory(price=Decimal("10.00"))
    enrollment = services.enrollment_create(student=student, course=draft, source=EnrollmentSource.PAID)
    assert (enrollment.source, enrollment.is_active) == (EnrollmentSource.PAID, True)


def test_admin_source_on_draft(student):
    draft = CourseFactory(price=Decimal("99.00"))
    enrollment = services.enrollment_create(student=student, course=draft, source=EnrollmentSource.ADMIN)
    assert enrollment.source == EnrollmentSource.ADMIN
    assert enrollment.is_active


def test_admin_source_on_archived_is_conflict(student):
    archived = PublishedCourseFactory(status=CourseStatus.ARCHIVED)
    with pytest.raises(Conflict):
        services.enrollment_create(student=student, course=archived, source=EnrollmentSource.ADMIN)


@pytest.mark.parametrize("status", [CourseStatus.DRAFT, CourseStatus.ARCHIVED])
def test_free_source_on_unpublished_is_not_found(student, status):
    with pytest.raises(NotFound):
        services.enrollment_create(student=student, course=PublishedCourseFactory(status=status))


@pytest.mark.parametrize("who", ["instructor", "admin_user"])
def test_only_students_enroll(request, who):
    user = request.getfixturevalue(who)
    with pytest.raises(NotPermitted):
        services.enrollment_create(student=user, course=PublishedCourseFactory(), source=EnrollmentSource.ADMIN)


def test_second_enrollment_is_conflict(student):
    course = PublishedCourseFactory()
    services.enrollment_create(student=student, course=course)
    with pytest.raises(Conflict):
        services.enrollment_create(student=student, course=course, source=EnrollmentSource.ADMIN)
    course.refresh_from_db()
    assert course.enrollment_count == 1


def test_revoked_enrollment_is_reactivated_with_its_progress(student):
    course = PublishedCourseFactory(lessons=2)
    enrollment = services.enrollment_create(student=student, course=course)
    services.lesson_complete(student=student, lesson=course.lessons.first())
    services.enrollment_revoke(actor=None, enrollment=enrollment)

    with pytest.raises(NotPermitted):
        services.lesson_complete(student=student, lesson=course.lessons.last())
    again = services.enrollment_create(student=student, course=course, source=EnrollmentSource.PAID)

    assert again.pk == enrollment.pk
    assert again.is_active
    assert again.source == EnrollmentSource.PAID
    assert again.revoked_at is None
    assert again.lesson_completions.count() == 1
    course.refresh_from_db()
    assert course.enrollment_count == 1


def test_lesson_complete_requires_an_active_enrollment(student):
    course = PublishedCourseFactory()
    with pytest.raises(NotPermitted):
        services.lesson_complete(student=student, lesson=course.lessons.first())


def test_evaluate_completion_needs_a_lesson(student):
    course = PublishedCourseFactory(lessons=0)
    enrollment = EnrollmentFactory(student=student, course=course)
    assert services.enrollment_evaluate_completion(enrollment=enrollment) is False
    enrollment.refresh_from_db()
    assert enrollment.completed_at is None
