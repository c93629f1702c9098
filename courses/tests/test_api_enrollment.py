"""Enrollment, my enrollments, lesson completion and course progress, for every role."""

from decimal import Decimal

import pytest
from django.db import transaction

from conftest import ROLES, client_for
from courses import services
from courses.models import Course, CourseStatus, Enrollment, LessonCompletion
from courses.progress import _completion_handlers, on_course_completed
from courses.tests.factories import (
    CourseFactory,
    EnrollmentFactory,
    LessonFactory,
    PublishedCourseFactory,
    SectionFactory,
)

pytestmark = pytest.mark.django_db

COURSES = "/api/v1/courses/"
MY_ENROLLMENTS = "/api/v1/me/enrollments/"


def enroll_url(course) -> str:
    return f"{COURSES}{course.pk}/enroll/"


def progress_url(course) -> str:
    return f"{COURSES}{course.pk}/progress/"


def complete_url(lesson) -> str:
    return f"/api/v1/lessons/{lesson.pk}/complete/"


@pytest.fixture
def free_course(instructor):
    """A free published course with three lessons in two sections."""
    course = PublishedCourseFactory(instructor=instructor, lessons=0)
    first = SectionFactory(course=course, order=1)
    LessonFactory(section=first, order=1)
    LessonFactory(section=first, order=2)
    LessonFactory(section=SectionFactory(course=course, order=2), order=1)
    course.refresh_from_db()
    return course


def lessons(course):
    return list(course.lessons.order_by("section__order", "order"))


# --- enroll --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", 401),
        ("student", 201),
        ("other_student", 201),
        ("instructor", 403),
        ("other_instructor", 403),
        ("admin", 403),
    ],
)
def test_enroll_in_free_course_for_every_role(clients, free_course, role, expected):
    response = clients[role].post(enroll_url(free_course))

    assert response.status_code == expected
    free_course.refresh_from_db()
    assert free_course.enrollment_count == (1 if expected == 201 else 0)
    assert Enrollment.objects.filter(course=free_course).count() == (expected == 201)
    if expected == 201:
        data = response.data
        assert data["course"]["id"] == free_course.pk
        assert data["status"] == "active"
        assert data["progress_percent"] == 0
        assert data["completed_at"] is None
        assert data["enrolled_at"]
        enrollment = Enrollment.objects.get(pk=data["id"])
        assert enrollment.student == clients[role].user
        assert enrollment.source == "free"


def test_enrolled_student_sees_is_enrolled_and_content(clients, free_course):
    clients["student"].post(enroll_url(free_course))

    detail = clients["student"].get(f"{COURSES}{free_course.pk}/")

    assert detail.data["is_enrolled"] is True
    assert detail.data["enrollment_count"] == 1
    assert all(not lesson["locked"] for s in detail.data["sections"] for lesson in s["lessons"])


def test_enroll_in_paid_course_is_402_with_price(clients, instructor):
    course = PublishedCourseFactory(instructor=instructor, price=Decimal("49.99"), currency="EUR")

    response = clients["student"].post(enroll_url(course))

    assert response.status_code == 402
    assert response.data["price"] == "49.99"
    assert response.data["currency"] == "EUR"
    assert "detail" in response.data
    assert not Enrollment.objects.exists()
    course.refresh_from_db()
    assert course.enrollment_count == 0


def test_enroll_twice_is_409(clients, free_course):
    assert clients["student"].post(enroll_url(free_course)).status_code == 201

    response = clients["student"].post(enroll_url(free_course))

    assert response.status_code == 409
    assert Enrollment.objects.filter(course=free_course).count() == 1
    free_course.refresh_from_db()
    assert free_course.enrollment_count == 1


@pytest.mark.parametrize("status", [CourseStatus.DRAFT, CourseStatus.ARCHIVED])
def test_enroll_in_unpublished_course_is_404(clients, instructor, status):
    course = PublishedCourseFactory(instructor=instructor, status=status)

    assert clients["student"].post(enroll_url(course)).status_code == 404
    assert not Enrollment.objects.exists()


def test_enroll_in_unknown_course_is_404(clients):
    assert clients["student"].post(f"{COURSES}999999/enroll/").status_code == 404


def test_enroll_with_non_numeric_id_is_404(clients):
    assert clients["student"].post(f"{COURSES}abc/enroll/").status_code == 404


def test_enroll_with_get_is_405(clients, free_course):
    assert clients["student"].get(enroll_url(free_course)).status_code == 405


# --- my enrollments ------------------------------------------------------------------------------
@pytest.mark.parametrize("role", [r for r in ROLES if r != "anonymous"])
def test_my_enrollments_lists_only_my_own(clients, student, other_student, free_course, role):
    mine = EnrollmentFactory(student=student, course=free_course)
    second = EnrollmentFactory(student=student)
    theirs = EnrollmentFactory(student=other_student, course=free_course)
    expected = {"student": {mine.pk, second.pk}, "other_student": {theirs.pk}}.get(role, set())

    response = clients[role].get(MY_ENROLLMENTS)

    assert response.status_code == 200
    assert {row["id"] for row in response.data["results"]} == expected
    assert response.data["count"] == len(expected)


def test_my_enrollments_anonymous_is_401(clients):
    assert clients["anonymous"].get(MY_ENROLLMENTS).status_code == 401


def test_my_enrollments_shows_course_summary_and_progress(clients, student, free_course):
    EnrollmentFactory(student=student, course=free_course)
    clients["student"].post(complete_url(lessons(free_course)[0]))

    response = clients["student"].get(MY_ENROLLMENTS)

    row = response.data["results"][0]
    assert set(row) >= {"id", "course", "status", "progress_percent", "enrolled_at", "completed_at"}
    assert row["progress_percent"] == 33
    assert row["course"]["id"] == free_course.pk
    assert row["course"]["title"] == free_course.title
    assert row["course"]["instructor"]["id"] == free_course.instructor_id
    assert "sections" not in row["course"]


def test_my_enrollments_status_filter(clients, student, free_course):
    active = EnrollmentFactory(student=student, course=free_course)
    revoked = EnrollmentFactory(student=student)
    services.enrollment_revoke(actor=None, enrollment=revoked)

    everything = clients["student"].get(MY_ENROLLMENTS)
    only_active = clients["student"].get(MY_ENROLLMENTS, {"status": "active"})
    only_revoked = clients["student"].get(MY_ENROLLMENTS, {"status": "revoked"})
    bogus = clients["student"].get(MY_ENROLLMENTS, {"status": "bogus"})

    assert {r["id"] for r in everything.data["results"]} == {active.pk, revoked.pk}
    assert [r["id"] for r in only_active.data["results"]] == [active.pk]
    assert [r["id"] for r in only_revoked.data["results"]] == [revoked.pk]
    assert bogus.status_code == 400


def test_my_enrollments_paginates(clients, student):
    for _ in range(3):
        EnrollmentFactory(student=student)
    response = clients["student"].get(MY_ENROLLMENTS, {"page_size": 2})
    assert response.data["count"] == 3
    assert len(response.data["results"]) == 2
    assert clients["student"].get(MY_ENROLLMENTS, {"page": 9}).status_code == 404


# --- lesson completion and progress --------------------------------------------------------------
def test_complete_lesson_returns_progress(clients, student, free_course):
    EnrollmentFactory(student=student, course=free_course)
    first = lessons(free_course)[0]

    response = clients["student"].post(complete_url(first))

    assert response.status_code == 200
    assert response.data["progress_percent"] == 33
    assert response.data["completed_lessons"] == [first.pk]
    assert response.data["passed_quizzes"] == []
    assert response.data["completed_at"] is None


def test_complete_lesson_is_idempotent(clients, student, free_course):
    enrollment = EnrollmentFactory(student=student, course=free_course)
    first = lessons(free_course)[0]

    responses = [clients["student"].post(complete_url(first)) for _ in range(3)]

    assert [r.status_code for r in responses] == [200, 200, 200]
    assert responses[0].data == responses[2].data
    assert LessonCompletion.objects.filter(enrollment=enrollment).count() == 1


@pytest.mark.parametrize(
    ("role", "expected"),
    [("anonymous", 401), ("other_student", 403), ("instructor", 403), ("other_instructor", 403), ("admin", 403)],
)
def test_complete_lesson_not_enrolled(clients, student, free_course, role, expected):
    EnrollmentFactory(student=student, course=free_course)

    response = clients[role].post(complete_url(lessons(free_course)[0]))

    assert response.status_code == expected
    assert LessonCompletion.objects.count() == 0


@pytest.mark.parametrize("role", ["student", "other_student", "other_instructor"])
def test_complete_lesson_of_invisible_draft_is_404(clients, instructor, role):
    draft = CourseFactory(instructor=instructor)
    lesson = LessonFactory(section=SectionFactory(course=draft))

    assert clients[role].post(complete_url(lesson)).status_code == 404


def test_complete_unknown_lesson_is_404(clients):
    assert clients["student"].post("/api/v1/lessons/999999/complete/").status_code == 404


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", 401),
        ("student", 200),
        ("other_student", 403),
        ("instructor", 403),
        ("other_instructor", 403),
        ("admin", 403),
    ],
)
def test_course_progress_for_every_role(clients, student, free_course, role, expected):
    EnrollmentFactory(student=student, course=free_course)
    first, second, _ = lessons(free_course)
    for lesson in (second, first):
        clients["student"].post(complete_url(lesson))

    response = clients[role].get(progress_url(free_course))

    assert response.status_code == expected
    if expected == 200:
        assert response.data["progress_percent"] == 66
        assert response.data["completed_lessons"] == sorted([first.pk, second.pk])
        assert response.data["passed_quizzes"] == []
        assert response.data["completed_at"] is None


@pytest.mark.parametrize(
    ("role", "expected"), [("student", 404), ("other_student", 404), ("other_instructor", 404), ("instructor", 403)]
)
def test_progress_of_invisible_draft(clients, instructor, role, expected):
    draft = CourseFactory(instructor=instructor)
    LessonFactory(section=SectionFactory(course=draft))
    assert clients[role].get(progress_url(draft)).status_code == expected


def test_completing_every_lesson_sets_completed_at_once(clients, student, free_course):
    enrollment = EnrollmentFactory(student=student, course=free_course)
    *rest, last = lessons(free_course)
    for lesson in rest:
        assert clients["student"].post(complete_url(lesson)).data["completed_at"] is None

    done = clients["student"].post(complete_url(last))

    assert done.data["progress_percent"] == 100
    assert done.data["completed_at"] is not None
    enrollment.refresh_from_db()
    completed_at = enrollment.completed_at
    assert completed_at is not None

    again = clients["student"].post(complete_url(last))
    other = clients["student"].post(complete_url(rest[0]))

    enrollment.refresh_from_db()
    assert enrollment.completed_at == completed_at
    assert again.data["completed_at"] == done.data["completed_at"] == other.data["completed_at"]
    progress = clients["student"].get(progress_url(free_course))
    assert progress.data["completed_at"] == done.data["completed_at"]
    mine = clients["student"].get(MY_ENROLLMENTS).data["results"][0]
    assert mine["progress_percent"] == 100
    assert mine["completed_at"] == done.data["completed_at"]


def test_a_new_lesson_after_completion_does_not_reset_completed_at(clients, student, free_course):
    enrollment = EnrollmentFactory(student=student, course=free_course)
    for lesson in lessons(free_course):
        clients["student"].post(complete_url(lesson))
    enrollment.refresh_from_db()
    completed_at = enrollment.completed_at

    services.lesson_create(actor=None, section=free_course.sections.first(), title="Bonus")

    progress = clients["student"].get(progress_url(free_course))
    assert progress.data["progress_percent"] == 75
    enrollment.refresh_from_db()
    assert enrollment.completed_at == completed_at


# --- revocation ----------------------------------------------------------------------------------
def test_revoked_enrollment_loses_access_and_reenrolling_keeps_progress(clients, student, free_course):
    enrollment = EnrollmentFactory(student=student, course=free_course)
    first, second, _ = lessons(free_course)
    clients["student"].post(complete_url(first))

    services.enrollment_revoke(actor=None, enrollment=enrollment)

    free_course.refresh_from_db()
    assert free_course.enrollment_count == 0
    detail = clients["student"].get(f"{COURSES}{free_course.pk}/")
    assert detail.data["is_enrolled"] is False
    assert any(lesson["locked"] for s in detail.data["sections"] for lesson in s["lessons"])
    assert clients["student"].get(progress_url(free_course)).status_code == 403
    assert clients["student"].post(complete_url(second)).status_code == 403
    assert LessonCompletion.objects.filter(enrollment=enrollment).count() == 1

    again = clients["student"].post(enroll_url(free_course))

    assert again.status_code == 201
    assert again.data["id"] == enrollment.pk
    assert again.data["status"] == "active"
    assert again.data["progress_percent"] == 33
    assert Enrollment.objects.filter(student=student, course=free_course).count() == 1
    free_course.refresh_from_db()
    assert free_course.enrollment_count == 1
    assert clients["student"].get(progress_url(free_course)).data["completed_lessons"] == [first.pk]


def test_revoked_enrollment_of_archived_course_loses_access(clients, student, free_course):
    enrollment = EnrollmentFactory(student=student, course=free_course)
    Course.objects.filter(pk=free_course.pk).update(status=CourseStatus.ARCHIVED)
    assert clients["student"].get(f"{COURSES}{free_course.pk}/").status_code == 200

    services.enrollment_revoke(actor=None, enrollment=enrollment)

    assert clients["student"].get(f"{COURSES}{free_course.pk}/").status_code == 404
    assert clients["student"].post(enroll_url(free_course)).status_code == 404


def test_revoke_twice_counts_once(student, free_course):
    enrollment = EnrollmentFactory(student=student, course=free_course)
    services.enrollment_revoke(actor=None, enrollment=enrollment)
    services.enrollment_revoke(actor=None, enrollment=enrollment)
    free_course.refresh_from_db()
    assert free_course.enrollment_count == 0


# --- completion handlers -------------------------------------------------------------------------
@pytest.fixture
def completion_calls():
    calls = []

    def handler(enrollment_id):
        calls.append(enrollment_id)

    on_course_completed(handler)
    try:
        yield calls
    finally:
        # progress.py has no public unregister; take our handler out so other tests never see it.
        _completion_handlers.remove(handler)


def test_completion_handler_runs_once_after_commit(
    student, free_course, completion_calls, django_capture_on_commit_callbacks
):
    enrollment = EnrollmentFactory(student=student, course=free_course)
    client = client_for(student)
    *rest, last = lessons(free_course)

    with django_capture_on_commit_callbacks(execute=True):
        for lesson in rest:
            client.post(complete_url(lesson))
    assert completion_calls == []

    with django_capture_on_commit_callbacks(execute=False) as pending:
        client.post(complete_url(last))
    assert completion_calls == []  # not before the commit
    for callback in pending:
        callback()
    assert completion_calls == [enrollment.pk]

    with django_capture_on_commit_callbacks(execute=True):
        client.post(complete_url(last))
        client.post(complete_url(rest[0]))
    assert completion_calls == [enrollment.pk]


def test_completion_handler_not_called_when_transaction_rolls_back(
    student, free_course, completion_calls, django_capture_on_commit_callbacks
):
    enrollment = EnrollmentFactory(student=student, course=free_course)

    class Abort(Exception):
        pass

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(Abort), transaction.atomic():
        for lesson in lessons(free_course):
            services.lesson_complete(student=student, lesson=lesson)
        raise Abort

    assert callbacks == []

    assert completion_calls == []
    enrollment.refresh_from_db()
    assert enrollment.completed_at is None
