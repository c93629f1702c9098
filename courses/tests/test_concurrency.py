"""Concurrent requests on PostgreSQL: threads released together by a barrier, each with its own
API client and its own database connection, so the database (not Python) decides the race."""

import pytest

from accounts.tests.factories import StudentFactory
from conftest import client_for
from courses.models import Enrollment, EnrollmentStatus, LessonCompletion
from courses.tests.factories import EnrollmentFactory, PublishedCourseFactory
from lms.testing import run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 4


def race(requests) -> list:
    """The response status codes of run_together (or the exception a request raised)."""
    return [getattr(r, "status_code", r) for r in run_together(requests, timeout=30)]


def test_concurrent_enrolls_for_one_student_create_one_enrollment(postgres, student):
    course = PublishedCourseFactory()
    clients = [client_for(student) for _ in range(THREADS)]  # tokens made before the race
    url = f"/api/v1/courses/{course.pk}/enroll/"

    statuses = race([lambda c=c: c.post(url) for c in clients])

    assert sorted(statuses, key=str) == [201] + [409] * (THREADS - 1), statuses
    assert Enrollment.objects.filter(student=student, course=course, status=EnrollmentStatus.ACTIVE).count() == 1
    assert Enrollment.objects.filter(student=student, course=course).count() == 1
    course.refresh_from_db()
    assert course.enrollment_count == 1


def test_concurrent_reenrolls_after_revoke_reactivate_once(postgres, student):
    from courses import services

    course = PublishedCourseFactory()
    services.enrollment_revoke(actor=None, enrollment=EnrollmentFactory(student=student, course=course))
    clients = [client_for(student) for _ in range(THREADS * 2)]
    url = f"/api/v1/courses/{course.pk}/enroll/"

    statuses = race([lambda c=c: c.post(url) for c in clients])

    course.refresh_from_db()
    assert Enrollment.objects.filter(student=student, course=course, status=EnrollmentStatus.ACTIVE).count() == 1
    assert course.enrollment_count == 1
    assert sorted(statuses, key=str) == [201] + [409] * (len(clients) - 1), statuses


def test_concurrent_enrolls_of_different_students_all_count(postgres):
    course = PublishedCourseFactory()
    students = StudentFactory.create_batch(THREADS)
    clients = [client_for(s) for s in students]
    url = f"/api/v1/courses/{course.pk}/enroll/"

    statuses = race([lambda c=c: c.post(url) for c in clients])

    assert statuses == [201] * THREADS
    course.refresh_from_db()
    assert course.enrollment_count == THREADS == course.enrollments.count()


def test_concurrent_completion_of_one_lesson_records_it_once(postgres, student):
    course = PublishedCourseFactory(lessons=1)
    enrollment = EnrollmentFactory(student=student, course=course)
    lesson = course.lessons.get()
    clients = [client_for(student) for _ in range(THREADS)]
    url = f"/api/v1/lessons/{lesson.pk}/complete/"

    statuses = race([lambda c=c: c.post(url) for c in clients])

    assert statuses == [200] * THREADS
    assert LessonCompletion.objects.filter(enrollment=enrollment).count() == 1
    enrollment.refresh_from_db()
    assert enrollment.completed_at is not None


def test_enrolls_racing_revokes_keep_the_count_equal_to_active_enrollments(postgres):
    """Each of several students re-enrolls while an admin revokes their enrollment: whichever wins
    each pair, there is one row per student and enrollment_count matches the active rows."""
    from courses import services

    course = PublishedCourseFactory()
    students = StudentFactory.create_batch(THREADS)
    enrollments = [EnrollmentFactory(student=s, course=course) for s in students]
    course.enrollment_count = THREADS
    course.save(update_fields=["enrollment_count"])
    requests = []
    for student, enrollment in zip(students, enrollments, strict=True):
        client = client_for(student)
        requests.append(lambda e=enrollment: _Status(services.enrollment_revoke(actor=None, enrollment=e)))
        requests.append(lambda c=client: c.post(f"/api/v1/courses/{course.pk}/enroll/"))

    statuses = race(requests)

    assert all(s in (200, 201, 409) for s in statuses), statuses
    course.refresh_from_db()
    active = Enrollment.objects.filter(course=course, status=EnrollmentStatus.ACTIVE).count()
    assert course.enrollment_count == active
    assert Enrollment.objects.filter(course=course).count() == THREADS  # never a second row


class _Status:
    """A service result posing as a response, for race()."""

    status_code = 200

    def __init__(self, _result):
        pass


def test_an_admin_grant_racing_the_students_own_enroll_enrolls_once(postgres, student):
    from courses import services
    from lms.errors import Conflict

    course = PublishedCourseFactory()
    client = client_for(student)

    def grant():
        try:
            services.enrollment_create(student=student, course=course, source="admin")
        except Conflict:
            return _Conflict()
        return _Status(None)

    statuses = race([grant, lambda: client.post(f"/api/v1/courses/{course.pk}/enroll/")] * 2)

    assert sorted(statuses) in ([200, 409, 409, 409], [201, 409, 409, 409]), statuses  # grant or own enroll won
    assert Enrollment.objects.filter(student=student, course=course).count() == 1
    course.refresh_from_db()
    assert course.enrollment_count == 1


class _Conflict:
    status_code = 409
