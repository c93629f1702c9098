"""The staff dashboard for courses: pages load, actions go through the services."""

import pytest

from certificates.models import Certificate
from courses import cache as course_cache
from courses import services
from courses.models import Course, CourseStatus, Enrollment, Lesson, LessonCompletion, Section
from courses.tests.factories import (
    CategoryFactory,
    CourseFactory,
    EnrollmentFactory,
    LessonFactory,
    PublishedCourseFactory,
    SectionFactory,
)
from lms.tests.admin_forms import add_row, form_errors, inline_row, page_data

pytestmark = pytest.mark.django_db


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


# --- the curriculum goes through the services: order, lesson_count, catalog cache -----------------
def curriculum(course) -> list[tuple[str, int]]:
    return list(Section.objects.filter(course=course).order_by("order").values_list("title", "order"))


@pytest.fixture
def three_lessons(student):
    """The reported case: a published course with 3 lessons, 2 of them in the section staff will
    delete, and an enrolled student who has done one of those 2."""
    course = PublishedCourseFactory(lessons=0)
    kept_section = SectionFactory(course=course, title="Kept", order=1)
    doomed = SectionFactory(course=course, title="Doomed", order=2)
    kept = LessonFactory(section=kept_section)
    gone = [LessonFactory(section=doomed), LessonFactory(section=doomed)]
    enrollment = EnrollmentFactory(student=student, course=course)
    services.lesson_complete(student=student, lesson=gone[0])
    course.refresh_from_db()
    assert course.lesson_count == 3
    return {"course": course, "doomed": doomed, "kept": kept, "enrollment": enrollment}


def delete_on_its_page(staff, section):
    return staff.post(f"/admin/courses/section/{section.pk}/delete/", {"post": "yes"})


def delete_with_the_bulk_action(staff, section):
    return staff.post(
        "/admin/courses/section/", {"action": "delete_selected", "_selected_action": [section.pk], "post": "yes"}
    )


def delete_on_the_course_page(staff, section):
    url = f"/admin/courses/course/{section.course_id}/change/"
    page = staff.get(url)
    return staff.post(url, page_data(page, **{inline_row(page, "sections", section) + "DELETE": "on"}))


@pytest.mark.parametrize("delete", [delete_on_its_page, delete_with_the_bulk_action, delete_on_the_course_page])
def test_deleting_a_section_in_the_admin_leaves_a_course_the_student_can_complete(
    staff, student, clients, three_lessons, delete, django_capture_on_commit_callbacks
):
    course, kept = three_lessons["course"], three_lessons["kept"]

    response = delete(staff, three_lessons["doomed"])

    assert response.status_code == 302, form_errors(response)
    course.refresh_from_db()
    assert course.lesson_count == Lesson.objects.filter(course=course).count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        done = clients["student"].post(f"/api/v1/lessons/{kept.pk}/complete/")
    assert done.status_code == 200
    assert (done.json()["progress_percent"], done.json()["lessons_total"]) == (100, 1)
    enrollment = Enrollment.objects.get(pk=three_lessons["enrollment"].pk)
    assert enrollment.completed_at is not None
    assert Certificate.objects.filter(student=student, course=course).exists()


def add_on_its_page(staff, course, title, order=""):
    return staff.post("/admin/courses/section/add/", {"course": course.pk, "title": title, "order": order})


def add_on_the_course_page(staff, course, title, order=""):
    url = f"/admin/courses/course/{course.pk}/change/"
    return staff.post(url, add_row(page_data(staff.get(url)), "sections", title=title, order=order))


@pytest.mark.parametrize("add", [add_on_its_page, add_on_the_course_page])
def test_a_section_added_in_the_admin_goes_last_and_reaches_the_cached_course_page(
    staff, settings, anon_client, add, django_capture_on_commit_callbacks
):
    settings.CATALOG_CACHE_SECONDS = 300
    course = PublishedCourseFactory(lessons=0)
    SectionFactory(course=course, title="One", order=1)
    SectionFactory(course=course, title="Two", order=2)
    detail = f"/api/v1/courses/{course.pk}/"
    assert [s["title"] for s in anon_client.get(detail).json()["sections"]] == ["One", "Two"]
    assert course_cache.cached_course_page(course.pk) is not None  # the page is cached now

    with django_capture_on_commit_callbacks(execute=True):
        response = add(staff, course, "Three")

    assert response.status_code == 302, form_errors(response)
    assert curriculum(course) == [("One", 1), ("Two", 2), ("Three", 3)]
    assert [s["title"] for s in anon_client.get(detail).json()["sections"]] == ["One", "Two", "Three"]


@pytest.mark.parametrize("add", [add_on_its_page, add_on_the_course_page])
def test_a_section_added_in_the_admin_at_a_position_moves_the_others(staff, add):
    course = CourseFactory()
    SectionFactory(course=course, title="One", order=1)
    SectionFactory(course=course, title="Two", order=2)

    assert add(staff, course, "Intro", order="1").status_code == 302

    assert curriculum(course) == [("Intro", 1), ("One", 2), ("Two", 3)]


def test_moving_and_renaming_sections_on_the_course_page(staff):
    course = CourseFactory()
    one = SectionFactory(course=course, title="One", order=1)
    SectionFactory(course=course, title="Two", order=2)
    url = f"/admin/courses/course/{course.pk}/change/"
    page = staff.get(url)
    row = inline_row(page, "sections", one)

    response = staff.post(url, page_data(page, **{f"{row}order": "2", f"{row}title": "First, now second"}))

    assert response.status_code == 302, form_errors(response)
    assert curriculum(course) == [("Two", 1), ("First, now second", 2)]


def test_lessons_added_and_deleted_on_the_course_page_keep_the_count(staff):
    course = PublishedCourseFactory(lessons=2)
    first, second = Lesson.objects.filter(course=course).order_by("id")
    url = f"/admin/courses/course/{course.pk}/change/"
    page = staff.get(url)
    data = page_data(page, **{inline_row(page, "lessons", first) + "DELETE": "on"})
    add_row(data, "lessons", section=second.section_id, title="Added here", order="", duration_seconds="60")

    response = staff.post(url, data)

    assert response.status_code == 302, form_errors(response)
    course.refresh_from_db()
    assert course.lesson_count == Lesson.objects.filter(course=course).count() == 2
    added = Lesson.objects.get(title="Added here")
    assert (added.section_id, added.order) == (second.section_id, second.order + 1)


def test_a_lesson_cannot_be_moved_to_another_section_on_the_course_page(staff):
    course = PublishedCourseFactory(lessons=2)
    first, second = Lesson.objects.filter(course=course).order_by("id")
    url = f"/admin/courses/course/{course.pk}/change/"
    page = staff.get(url)

    response = staff.post(url, page_data(page, **{inline_row(page, "lessons", first) + "section": second.section_id}))

    assert response.status_code == 200
    assert "stays in its section" in response.content.decode()
    assert Lesson.objects.get(pk=first.pk).section_id == first.section_id


def test_deleting_a_section_with_its_lessons_rows_on_the_same_page(staff):
    """The lessons formset is saved after the sections: rows of a section just deleted are gone."""
    course = PublishedCourseFactory(lessons=0)
    doomed = SectionFactory(course=course)
    LessonFactory(section=SectionFactory(course=course))
    lessons = [LessonFactory(section=doomed), LessonFactory(section=doomed)]
    url = f"/admin/courses/course/{course.pk}/change/"
    page = staff.get(url)
    data = page_data(page, **{inline_row(page, "sections", doomed) + "DELETE": "on"})
    data[inline_row(page, "lessons", lessons[0]) + "DELETE"] = "on"
    data[inline_row(page, "lessons", lessons[1]) + "title"] = "Edited, but its section goes"

    response = staff.post(url, data)

    assert response.status_code == 302, form_errors(response)
    course.refresh_from_db()
    assert course.lesson_count == Lesson.objects.filter(course=course).count() == 1


def test_a_service_refusal_is_a_form_error_and_writes_nothing(staff, student):
    response = staff.post(
        "/admin/courses/course/add/",
        {
            "instructor": student.pk,
            "title": "Not by an instructor",
            "level": "all",
            "language": "en",
            "price": "0.00",
            "currency": "USD",
        },
    )

    assert form_errors(response) == {"__all__": ["Only instructors can create courses."]}
    assert not Course.objects.filter(title="Not by an instructor").exists()


def test_lesson_completions_are_read_only(staff, three_lessons):
    completion = LessonCompletion.objects.get()
    assert staff.get("/admin/courses/lessoncompletion/add/").status_code == 403
    assert staff.post(f"/admin/courses/lessoncompletion/{completion.pk}/delete/", {"post": "yes"}).status_code == 403
    assert LessonCompletion.objects.filter(pk=completion.pk).exists()


def test_categories_are_written_through_the_services(staff):
    response = staff.post("/admin/courses/category/add/", {"name": "Data", "slug": "data"})
    assert response.status_code == 302, form_errors(response)
    CategoryFactory(name="Design", slug="design")
    response = staff.post("/admin/courses/category/add/", {"name": "DATA", "slug": "data-2"})
    assert form_errors(response) == {"name": ["A category with this name already exists."]}
