"""Query-count pins: the catalog, a course detail and my enrollments cost the same number of queries
whether there is one course, section, lesson and enrollment or dozens of each. Each test measures
a small case, grows the data, and asserts the count did not grow (so an N+1 fails the test)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import client_for
from courses.tests.factories import EnrollmentFactory, LessonFactory, PublishedCourseFactory, SectionFactory

pytestmark = pytest.mark.django_db

COURSES = "/api/v1/courses/"
MY_ENROLLMENTS = "/api/v1/me/enrollments/"


def count_queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200, response.content
    return len(ctx)


def add_curriculum(course, sections: int, lessons: int) -> None:
    for s in range(sections):
        section = SectionFactory(course=course, order=s + 1)
        for n in range(lessons):
            LessonFactory(section=section, order=n + 1, is_preview=n == 0)


@pytest.mark.parametrize("params", [{}, {"search": "course", "ordering": "-enrollment_count"}], ids=["plain", "search"])
@pytest.mark.parametrize("who", ["anonymous", "student"])
def test_catalog_list_query_count_does_not_grow(django_assert_max_num_queries, student, who, params):
    client = client_for(student if who == "student" else None)
    PublishedCourseFactory(lessons=1)
    baseline = count_queries(client, COURSES, params)
    assert baseline <= 3  # (user,) count, page

    for _ in range(25):  # more than a page; each with its own instructor and category
        course = PublishedCourseFactory(lessons=0)
        add_curriculum(course, sections=2, lessons=2)
        EnrollmentFactory(course=course)

    with django_assert_max_num_queries(baseline):
        response = client.get(COURSES, params)
    assert len(response.data["results"]) == 20


@pytest.mark.parametrize("who", ["anonymous", "enrolled", "owner", "admin"])
def test_course_detail_query_count_does_not_grow(django_assert_max_num_queries, student, instructor, admin_user, who):
    small = PublishedCourseFactory(instructor=instructor, lessons=1)
    big = PublishedCourseFactory(instructor=instructor, lessons=0)
    for course in (small, big):
        EnrollmentFactory(student=student, course=course)
    user = {"anonymous": None, "enrolled": student, "owner": instructor, "admin": admin_user}[who]
    client = client_for(user)
    baseline = count_queries(client, f"{COURSES}{small.pk}/")
    # user, course (cover joined), sections, lessons (video joined), attachments, prerequisites, enrollment
    assert baseline <= 7

    add_curriculum(big, sections=10, lessons=6)
    for _ in range(5):
        EnrollmentFactory(course=big)

    with django_assert_max_num_queries(baseline):
        response = client.get(f"{COURSES}{big.pk}/")
    assert sum(len(s["lessons"]) for s in response.data["sections"]) == 60


def test_my_enrollments_query_count_does_not_grow(django_assert_max_num_queries, student):
    client = client_for(student)
    first = EnrollmentFactory(student=student, course=PublishedCourseFactory(lessons=2))
    from courses import services

    services.lesson_complete(student=student, lesson=first.course.lessons.first())
    baseline = count_queries(client, MY_ENROLLMENTS)
    assert baseline <= 7  # user, count, page, release anchors, one per requirement (lessons, quizzes, assignments)

    for _ in range(15):
        course = PublishedCourseFactory(lessons=0)
        add_curriculum(course, sections=2, lessons=3)
        EnrollmentFactory(student=student, course=course)
        for lesson in list(course.lessons.all())[:2]:
            services.lesson_complete(student=student, lesson=lesson)
        EnrollmentFactory(course=course)  # someone else's

    with django_assert_max_num_queries(baseline):
        response = client.get(MY_ENROLLMENTS)
    assert response.data["count"] == 16
    assert {row["progress_percent"] for row in response.data["results"]} == {33, 50}
