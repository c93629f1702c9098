"""The staff dashboard for courses: pages load, actions go through the services."""

import pytest
from django.test import Client

from courses.models import Course, CourseStatus, Enrollment, Lesson
from courses.tests.factories import (
    CategoryFactory,
    CourseFactory,
    EnrollmentFactory,
    LessonFactory,
    PublishedCourseFactory,
    SectionFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(admin_user):
    client = Client()
    client.force_login(admin_user)
    return client


@pytest.mark.parametrize(
    "url",
    [
        "/admin/courses/category/",
        "/admin/courses/course/?q=course&status__exact=published",
        "/admin/courses/section/",
        "/admin/courses/lesson/?is_preview__exact=1",
        "/admin/courses/enrollment/?status__exact=active",
        "/admin/courses/lessoncompletion/",
        "/admin/courses/enrollment/add/",
    ],
)
def test_changelists_load(staff, url):
    EnrollmentFactory()
    assert staff.get(url).status_code == 200


def test_course_change_page_shows_sections_and_lessons_inline(staff):
    course = PublishedCourseFactory(lessons=2)
    response = staff.get(f"/admin/courses/course/{course.pk}/change/")
    assert response.status_code == 200
    assert b"lessons-TOTAL_FORMS" in response.content
    assert b"sections-TOTAL_FORMS" in response.content


def test_publish_action_reports_a_course_without_lessons(staff):
    empty = CourseFactory()
    ready = CourseFactory()
    LessonFactory(section=SectionFactory(course=ready))
    response = staff.post(
        "/admin/courses/course/",
        {"action": "publish", "_selected_action": [empty.pk, ready.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert b"needs at least one lesson" in response.content
    empty.refresh_from_db()
    ready.refresh_from_db()
    assert empty.status == CourseStatus.DRAFT
    assert ready.status == CourseStatus.PUBLISHED


@pytest.mark.parametrize("action,status", [("unpublish", "draft"), ("archive", "archived")])
def test_unpublish_and_archive_actions(staff, action, status):
    course = PublishedCourseFactory()
    staff.post("/admin/courses/course/", {"action": action, "_selected_action": [course.pk]})
    course.refresh_from_db()
    assert course.status == status


def test_a_course_with_enrollments_cannot_be_deleted_in_the_admin(staff):
    enrollment = EnrollmentFactory()
    course = enrollment.course
    response = staff.post(f"/admin/courses/course/{course.pk}/delete/", {"post": "yes"})
    assert b"Cannot delete course" in response.content
    assert Course.objects.filter(pk=course.pk).exists()
    assert Enrollment.objects.filter(pk=enrollment.pk).exists()


def test_deleting_a_course_without_enrollments(staff):
    course = PublishedCourseFactory()
    staff.post(f"/admin/courses/course/{course.pk}/delete/", {"post": "yes"})
    assert not Course.objects.filter(pk=course.pk).exists()


def test_adding_a_course_in_the_admin_uses_the_service(staff, instructor):
    category = CategoryFactory()
    response = staff.post(
        "/admin/courses/course/add/",
        {
            "instructor": instructor.pk,
            "category": category.pk,
            "title": "Admin Made Course",
            "subtitle": "",
            "description": "",
            "level": "all",
            "language": "en",
            "price": "10.00",
            "currency": "USD",
            "thumbnail_url": "",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    course = Course.objects.get(title="Admin Made Course")
    assert course.slug == "admin-made-course"
    assert course.status == CourseStatus.DRAFT


def test_lesson_added_and_deleted_in_admin_keeps_the_count(staff):
    section = SectionFactory()
    staff.post(
        "/admin/courses/lesson/add/",
        {"section": section.pk, "title": "New", "content": "", "video_url": "", "duration_seconds": 0, "order": 1},
    )
    section.course.refresh_from_db()
    assert section.course.lesson_count == 1
    lesson = Lesson.objects.get(title="New")
    staff.post(f"/admin/courses/lesson/{lesson.pk}/delete/", {"post": "yes"})
    section.course.refresh_from_db()
    assert section.course.lesson_count == 0


def test_enrollment_added_in_admin_is_an_admin_grant_and_revoke_action(staff, student):
    course = CourseFactory()  # a draft: staff may grant access before publishing
    response = staff.post("/admin/courses/enrollment/add/", {"student": student.pk, "course": course.pk})
    assert response.status_code == 302
    enrollment = Enrollment.objects.get(student=student, course=course)
    assert enrollment.source == "admin"
    staff.post("/admin/courses/enrollment/", {"action": "revoke", "_selected_action": [enrollment.pk]})
    enrollment.refresh_from_db()
    assert enrollment.status == "revoked"
