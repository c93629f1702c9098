"""Completion with required assignments: one counts once its current grade is at or above its
pass_percent; then the course completes and the certificate follows, as for lessons and quizzes."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from assignments import services
from certificates.models import Certificate
from courses.models import Lesson
from courses.progress import progress_for
from courses.services import enrollment_revoke, lesson_complete
from courses.tests.factories import EnrollmentFactory, PublishedCourseFactory

from .factories import AssignmentFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]


@pytest.fixture
def course(instructor):
    return PublishedCourseFactory(instructor=instructor, lessons=1)


@pytest.fixture
def lesson(course):
    return Lesson.objects.get(course=course)


def required(course, lesson, **fields):
    return AssignmentFactory(section=lesson.section, course=course, is_required=True, pass_percent=60, **fields)


def parts(enrollment):
    enrollment.refresh_from_db()
    return progress_for([enrollment])[enrollment.pk]


def test_a_required_assignment_gates_completion_and_the_certificate(
    student, instructor, course, lesson, django_capture_on_commit_callbacks
):
    assignment = required(course, lesson)
    enrollment = EnrollmentFactory(student=student, course=course)

    with django_capture_on_commit_callbacks(execute=True):
        lesson_complete(student=student, lesson=lesson)
    enrollment.refresh_from_db()
    assert enrollment.completed_at is None
    progress = parts(enrollment)
    assert (progress.done, progress.total, progress.complete) == (1, 2, False)
    assert progress.parts["assignments"].total == 1 and progress.parts["assignments"].done == 0

    submission = services.submission_create(student=student, assignment=assignment, text="Mine")
    with django_capture_on_commit_callbacks(execute=True):
        services.submission_grade(actor=instructor, submission=submission, score="59.99")
    enrollment.refresh_from_db()
    assert enrollment.completed_at is None
    assert not Certificate.objects.filter(enrollment=enrollment).exists()

    with django_capture_on_commit_callbacks(execute=True):
        services.submission_grade(actor=instructor, submission=submission, score=60)  # exactly pass_percent
    enrollment.refresh_from_db()
    assert enrollment.completed_at is not None
    assert parts(enrollment).complete and parts(enrollment).ids("assignments") == [assignment.pk]
    certificate = Certificate.objects.get(enrollment=enrollment)
    assert certificate.student_id == student.pk and certificate.course_id == course.pk


def test_passing_the_assignment_first_then_the_last_lesson_completes(
    student, instructor, course, lesson, django_capture_on_commit_callbacks
):
    assignment = required(course, lesson)
    enrollment = EnrollmentFactory(student=student, course=course)
    submission = services.submission_create(student=student, assignment=assignment, text="Mine")
    services.submission_grade(actor=instructor, submission=submission, score=100)
    enrollment.refresh_from_db()
    assert enrollment.completed_at is None  # the lesson is still to do

    with django_capture_on_commit_callbacks(execute=True):
        lesson_complete(student=student, lesson=lesson)
    enrollment.refresh_from_db()
    assert enrollment.completed_at is not None
    assert Certificate.objects.filter(enrollment=enrollment).exists()


def test_an_assignment_that_is_not_required_does_not_gate(student, course, lesson):
    AssignmentFactory(section=lesson.section, course=course, is_required=False)
    enrollment = EnrollmentFactory(student=student, course=course)
    lesson_complete(student=student, lesson=lesson)
    enrollment.refresh_from_db()
    assert enrollment.completed_at is not None
    assert parts(enrollment).parts["assignments"].total == 0


def test_the_late_penalty_counts_against_the_pass_mark(student, instructor, course, lesson):
    due = timezone.now() - timedelta(hours=1)
    assignment = required(course, lesson, due_at=due, penalty_percent_per_day=Decimal("50"))
    enrollment = EnrollmentFactory(student=student, course=course)
    lesson_complete(student=student, lesson=lesson)
    submission = services.submission_create(student=student, assignment=assignment, text="Late")
    grade = services.submission_grade(actor=instructor, submission=submission, score=100)

    assert grade.percent == Decimal("50.00")
    enrollment.refresh_from_db()
    assert enrollment.completed_at is None


def test_every_required_assignment_must_pass(student, instructor, course, lesson):
    first, second = required(course, lesson), required(course, lesson)
    enrollment = EnrollmentFactory(student=student, course=course)
    lesson_complete(student=student, lesson=lesson)
    done = services.submission_create(student=student, assignment=first, text="One")
    services.submission_grade(actor=instructor, submission=done, score=90)
    enrollment.refresh_from_db()
    assert enrollment.completed_at is None
    assert parts(enrollment).ids("assignments") == [first.pk]

    other = services.submission_create(student=student, assignment=second, text="Two")
    services.submission_grade(actor=instructor, submission=other, score=90)
    enrollment.refresh_from_db()
    assert enrollment.completed_at is not None


def test_another_students_pass_does_not_count(student, other_student, instructor, course, lesson):
    assignment = required(course, lesson)
    mine = EnrollmentFactory(student=student, course=course)
    EnrollmentFactory(student=other_student, course=course)
    lesson_complete(student=student, lesson=lesson)
    theirs = services.submission_create(student=other_student, assignment=assignment, text="Theirs")
    services.submission_grade(actor=instructor, submission=theirs, score=100)

    mine.refresh_from_db()
    assert mine.completed_at is None
    assert parts(mine).ids("assignments") == []


def test_a_pass_on_any_attempt_counts(student, instructor, course, lesson):
    assignment = required(course, lesson, max_attempts=2)
    enrollment = EnrollmentFactory(student=student, course=course)
    lesson_complete(student=student, lesson=lesson)
    first = services.submission_create(student=student, assignment=assignment, text="v1")
    services.submission_grade(actor=instructor, submission=first, score=30)
    second = services.submission_create(student=student, assignment=assignment, text="v2")
    services.submission_grade(actor=instructor, submission=second, score=75)

    enrollment.refresh_from_db()
    assert enrollment.completed_at is not None


def test_a_revoked_enrollment_is_not_completed_by_a_grade(student, instructor, course, lesson):
    assignment = required(course, lesson)
    enrollment = EnrollmentFactory(student=student, course=course)
    lesson_complete(student=student, lesson=lesson)
    submission = services.submission_create(student=student, assignment=assignment, text="Mine")
    enrollment_revoke(actor=None, enrollment=enrollment)

    services.submission_grade(actor=instructor, submission=submission, score=100)
    enrollment.refresh_from_db()
    assert enrollment.completed_at is None
    assert not Certificate.objects.exists()


def test_progress_is_two_queries_for_the_assignments_of_many_enrollments(
    course, lesson, instructor, django_assert_num_queries
):
    from assignments.progress import assignments_requirement

    assignment = required(course, lesson)
    enrollments = [EnrollmentFactory(course=course) for _ in range(5)]
    for enrollment in enrollments[:3]:
        submission = services.submission_create(student=enrollment.student, assignment=assignment, text="x")
        services.submission_grade(actor=instructor, submission=submission, score=80)

    with django_assert_num_queries(2):
        result = assignments_requirement(enrollments)
    assert [result[e.pk].done for e in enrollments] == [1, 1, 1, 0, 0]
    assert all(result[e.pk].total == 1 for e in enrollments)
