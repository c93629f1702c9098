"""The assignments' reports: `submissions` (work submitted per period) and `grading-turnaround` (the
mean hours from a submission to its current grade, by the period it was graded in), for admins and
for the instructor's own courses, against figures computed by hand."""

import datetime

import pytest
import time_machine

from assignments import services
from courses.tests.factories import EnrollmentFactory, PublishedCourseFactory, SectionFactory

from .test_reports import series

pytestmark = pytest.mark.django_db


def at(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text).replace(tzinfo=datetime.UTC)


@pytest.fixture
def graded(instructor, other_instructor, student, other_student):
    """Nov 1: three submissions in the instructor's course (graded after 3 h and 5 h on Nov 1, and
    after 26 h on Nov 2); Nov 2: one in another instructor's course, graded after 10 h."""
    mine = PublishedCourseFactory(instructor=instructor)
    theirs = PublishedCourseFactory(instructor=other_instructor)
    for course in (mine, theirs):
        for who in (student, other_student):
            EnrollmentFactory(student=who, course=course)
    essay = services.assignment_create(actor=instructor, section=SectionFactory(course=mine), title="Essay")
    other = services.assignment_create(actor=other_instructor, section=SectionFactory(course=theirs), title="Other")

    def submit_and_grade(assignment, student, submitted: str, hours: int, grader):
        with time_machine.travel(at(submitted), tick=False):
            submission = services.submission_create(student=student, assignment=assignment, text="Work")
        with time_machine.travel(at(submitted) + datetime.timedelta(hours=hours), tick=False):
            services.submission_grade(actor=grader, submission=submission, score=50)

    submit_and_grade(essay, student, "2026-11-01T08:00:00", 3, instructor)
    submit_and_grade(essay, other_student, "2026-11-01T09:00:00", 5, instructor)
    with time_machine.travel(at("2026-11-01T10:00:00"), tick=False):
        late = services.assignment_create(actor=instructor, section=essay.section, title="Late one")
    submit_and_grade(late, student, "2026-11-01T10:00:00", 26, instructor)
    submit_and_grade(other, student, "2026-11-02T06:00:00", 10, other_instructor)


QUERY = {"from": "2026-11-01", "to": "2026-11-03", "interval": "day"}


def test_submissions_per_day(clients, graded):
    admin = clients["admin"].get("/api/v1/admin/reports/submissions/", QUERY)
    assert series(admin) == [("2026-11-01", 3), ("2026-11-02", 1), ("2026-11-03", 0)]
    mine = clients["instructor"].get("/api/v1/instructor/reports/submissions/", QUERY)
    assert series(mine) == [("2026-11-01", 3), ("2026-11-02", 0), ("2026-11-03", 0)]


def test_grading_turnaround_is_the_mean_hours_by_the_day_graded(clients, graded):
    admin = clients["admin"].get("/api/v1/admin/reports/grading-turnaround/", QUERY)
    # Nov 1: (3 + 5) / 2 = 4.00; Nov 2: (26 + 10) / 2 = 18.00; Nov 3: nothing graded.
    assert series(admin) == [("2026-11-01", "4.00"), ("2026-11-02", "18.00"), ("2026-11-03", "0.00")]
    mine = clients["instructor"].get("/api/v1/instructor/reports/grading-turnaround/", QUERY)
    assert series(mine) == [("2026-11-01", "4.00"), ("2026-11-02", "26.00"), ("2026-11-03", "0.00")]
    csv = clients["admin"].get("/api/v1/admin/reports/grading-turnaround/", {**QUERY, "format": "csv"})
    assert csv.status_code == 200 and "2026-11-02,18.00" in csv.content.decode()
