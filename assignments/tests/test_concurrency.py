"""Concurrent submissions on PostgreSQL: threads released together by a barrier, each with its own
database connection, so the database's locks (not Python) decide the race. One submission per
attempt, never past the limit."""

import pytest

from accounts.tests.factories import StudentFactory
from assignments import services
from assignments.models import Submission
from lms.errors import Conflict
from lms.testing import run_together

from .factories import AssignmentFactory, enroll

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 8


def _submit(student, assignment, text):
    return lambda: services.submission_create(student=student, assignment=assignment, text=text)


def test_one_student_racing_gets_exactly_the_attempts_allowed(postgres, student):
    assignment = AssignmentFactory(max_attempts=2)
    enroll(student, assignment)

    results = run_together([_submit(student, assignment, f"copy {n}") for n in range(THREADS)])

    made = [r for r in results if isinstance(r, Submission)]
    refused = [r for r in results if isinstance(r, Conflict)]
    assert len(made) == 2 and len(refused) == THREADS - 2, results
    assert all(r.code == "attempts_used" for r in refused)
    stored = Submission.objects.filter(assignment=assignment, student=student).order_by("attempt")
    assert list(stored.values_list("attempt", flat=True)) == [1, 2]
    assert {s.pk for s in made} == {s.pk for s in stored}


def test_unlimited_attempts_racing_are_numbered_without_gaps(postgres, student):
    assignment = AssignmentFactory(max_attempts=None)
    enroll(student, assignment)

    results = run_together([_submit(student, assignment, f"copy {n}") for n in range(THREADS)])

    assert all(isinstance(r, Submission) for r in results), results
    assert sorted(r.attempt for r in results) == list(range(1, THREADS + 1))
    assert Submission.objects.filter(assignment=assignment, student=student).count() == THREADS


def test_two_students_at_once_both_get_their_first_attempt(postgres):
    assignment = AssignmentFactory(max_attempts=1)
    students = [StudentFactory(), StudentFactory()]
    for student in students:
        enroll(student, assignment)

    results = run_together([_submit(s, assignment, "mine") for s in students])

    assert all(isinstance(r, Submission) for r in results), results
    assert sorted((r.student_id, r.attempt) for r in results) == sorted((s.pk, 1) for s in students)
    assert Submission.objects.filter(assignment=assignment).count() == 2
