"""submission_grade: who grades, the score and the rubric's arithmetic, the late penalty, re-grades
kept as history, and the student's notification."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from assignments import services
from assignments.models import Grade, Submission, SubmissionStatus
from lms.errors import InvalidInput, NotPermitted
from notifications.models import Notification

from .factories import AssignmentFactory, CriterionFactory, enroll

pytestmark = pytest.mark.django_db


def submitted(student, instructor, *, late_by: timedelta | None = None, **assignment) -> Submission:
    """A submission of `student`'s to a new assignment of `instructor`'s course; with `late_by`, made
    that long after the due date (the clock moved with time-machine)."""
    if late_by is not None:
        due = (timezone.now() + timedelta(days=1)).replace(microsecond=0)
        assignment |= {"due_at": due, "accept_late": True}
    work = AssignmentFactory(section__course__instructor=instructor, **assignment)
    enroll(student, work)
    if late_by is None:
        return services.submission_create(student=student, assignment=work, text="My work")
    with time_machine.travel(work.due_at + late_by, tick=False):
        return services.submission_create(student=student, assignment=work, text="My work")


def with_rubric(student, instructor, *points, **assignment):
    submission = submitted(student, instructor, points=sum(points), **assignment)
    criteria = [
        CriterionFactory(assignment=submission.assignment, title=f"C{n}", points=p, order=n)
        for n, p in enumerate(points, 1)
    ]
    return submission, criteria


# --- the score ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("score", "percent"), [(0, "0.00"), (100, "100.00"), ("72.5", "72.50"), (7.555, "7.56")])
def test_a_score_within_bounds(student, instructor, score, percent):
    submission = submitted(student, instructor)
    grade = services.submission_grade(actor=instructor, submission=submission, score=score, feedback="Fine")

    assert grade.percent == Decimal(percent)
    assert grade.score == grade.points == Decimal(percent)  # 100 points: percent and points agree
    assert (grade.late_penalty, grade.feedback, grade.graded_by_id) == (Decimal("0"), "Fine", instructor.pk)
    assert grade.rubric_scores == []
    submission.refresh_from_db()
    assert submission.grade_id == grade.pk and submission.status == SubmissionStatus.GRADED


def test_percent_of_an_assignment_not_out_of_100(student, instructor):
    submission = submitted(student, instructor, points=20)
    grade = services.submission_grade(actor=instructor, submission=submission, score=15)
    assert (grade.points, grade.percent) == (Decimal("15.00"), Decimal("75.00"))


@pytest.mark.parametrize("score", [-1, "-0.01", "100.01", 101, 1000])
def test_a_score_out_of_bounds_is_refused(student, instructor, score):
    submission = submitted(student, instructor)
    with pytest.raises(InvalidInput) as exc:
        services.submission_grade(actor=instructor, submission=submission, score=score)
    assert exc.value.extra == {"field": "score"}
    assert not Grade.objects.exists()
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.SUBMITTED and submission.grade_id is None


@pytest.mark.parametrize("score", ["abc", "NaN"])
def test_a_score_that_is_not_a_number_is_refused(student, instructor, score):
    submission = submitted(student, instructor)
    with pytest.raises(InvalidInput) as exc:
        services.submission_grade(actor=instructor, submission=submission, score=score)
    assert exc.value.extra == {"field": "score"}


def test_score_and_rubric_scores_exactly_one(student, instructor):
    submission, (criterion,) = with_rubric(student, instructor, 10)
    with pytest.raises(InvalidInput) as exc:
        services.submission_grade(actor=instructor, submission=submission)
    assert exc.value.extra == {"field": "score"}
    with pytest.raises(InvalidInput) as exc:
        services.submission_grade(
            actor=instructor, submission=submission, score=5, rubric_scores=[{"criterion": criterion.pk, "points": 5}]
        )
    assert exc.value.extra == {"field": "score"}
    assert not Grade.objects.exists()


# --- the rubric ----------------------------------------------------------------------------------------------
def test_a_rubric_grade_is_the_sum_of_its_criteria(student, instructor):
    submission, (a, b, c) = with_rubric(student, instructor, 40, 40, 20)
    grade = services.submission_grade(
        actor=instructor,
        submission=submission,
        rubric_scores=[
            {"criterion": c.pk, "points": 10},
            {"criterion": a.pk, "points": "35.5"},
            {"criterion": b.pk, "points": 0},
        ],
    )
    assert (grade.score, grade.points, grade.percent) == (Decimal("45.50"), Decimal("45.50"), Decimal("45.50"))
    assert grade.rubric_scores == [
        {"criterion": a.pk, "title": "C1", "points": "35.5", "max_points": 40},
        {"criterion": b.pk, "title": "C2", "points": "0", "max_points": 40},
        {"criterion": c.pk, "title": "C3", "points": "10", "max_points": 20},
    ]


def test_a_rubric_grade_outlives_a_new_rubric(student, instructor):
    submission, (a, b) = with_rubric(student, instructor, 60, 40)
    grade = services.submission_grade(
        actor=instructor,
        submission=submission,
        rubric_scores=[{"criterion": a.pk, "points": 50}, {"criterion": b.pk, "points": 30}],
    )
    services.assignment_update(
        actor=instructor, assignment=submission.assignment, data={"rubric": [{"title": "New", "points": 100}]}
    )
    grade.refresh_from_db()
    assert grade.score == Decimal("80.00")
    assert [(r["title"], r["points"], r["max_points"]) for r in grade.rubric_scores] == [
        ("C1", "50", 60),
        ("C2", "30", 40),
    ]


def _refused(submission, instructor, rubric_scores) -> InvalidInput:
    with pytest.raises(InvalidInput) as exc:
        services.submission_grade(actor=instructor, submission=submission, rubric_scores=rubric_scores)
    assert exc.value.extra == {"field": "rubric_scores"}
    assert not Grade.objects.filter(submission=submission).exists()
    return exc.value


def test_every_criterion_must_be_scored(student, instructor):
    submission, (a, _) = with_rubric(student, instructor, 60, 40)
    error = _refused(submission, instructor, [{"criterion": a.pk, "points": 60}])
    assert "C2" in error.message
    _refused(submission, instructor, [])


@pytest.mark.parametrize("points", [-1, "-0.5", 41, "40.01"])
def test_each_criterion_is_bounded_by_its_points(student, instructor, points):
    submission, (a, b) = with_rubric(student, instructor, 60, 40)
    error = _refused(submission, instructor, [{"criterion": a.pk, "points": 10}, {"criterion": b.pk, "points": points}])
    assert "C2" in error.message and "40" in error.message


def test_a_criterion_at_its_bounds_is_fine(student, instructor):
    submission, (a, b) = with_rubric(student, instructor, 60, 40)
    grade = services.submission_grade(
        actor=instructor,
        submission=submission,
        rubric_scores=[{"criterion": a.pk, "points": 60}, {"criterion": b.pk, "points": 0}],
    )
    assert grade.score == Decimal("60.00")


def test_an_unknown_criterion_is_refused(student, instructor):
    submission, (a,) = with_rubric(student, instructor, 10)
    stranger = CriterionFactory()  # a criterion of another assignment
    _refused(submission, instructor, [{"criterion": a.pk, "points": 5}, {"criterion": stranger.pk, "points": 1}])
    _refused(submission, instructor, [{"criterion": a.pk, "points": 5}, {"criterion": 999_999, "points": 1}])


def test_a_criterion_scored_twice_is_refused(student, instructor):
    submission, (a, b) = with_rubric(student, instructor, 10, 10)
    _refused(
        submission,
        instructor,
        [{"criterion": a.pk, "points": 5}, {"criterion": b.pk, "points": 5}, {"criterion": a.pk, "points": 5}],
    )


def test_rubric_scores_without_a_rubric_are_refused(student, instructor):
    submission = submitted(student, instructor)
    _refused(submission, instructor, [{"criterion": 1, "points": 5}])


def test_a_rubric_entry_without_points_is_refused(student, instructor):
    submission, (a,) = with_rubric(student, instructor, 10)
    _refused(submission, instructor, [{"criterion": a.pk}])


# --- the late penalty --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("late_by", "days"), [(timedelta(0), 0), (timedelta(seconds=1), 1), (timedelta(days=2, seconds=1), 3)]
)
def test_penalty_per_day_late(student, instructor, late_by, days):
    submission = submitted(student, instructor, late_by=late_by, penalty_percent_per_day=Decimal("10"))
    assert submission.days_late == days
    grade = services.submission_grade(actor=instructor, submission=submission, score=80)

    penalty = Decimal("8.00") * days
    assert grade.score == Decimal("80.00")
    assert grade.late_penalty == penalty
    assert grade.points == grade.percent == Decimal("80.00") - penalty


def test_the_worked_example(student, instructor):
    """10% a day, 3 days late, 80 of 100: 24.00 off, 56.00 points, 56.00 percent."""
    submission = submitted(student, instructor, late_by=timedelta(days=3), penalty_percent_per_day=Decimal("10"))
    assert submission.days_late == 3
    grade = services.submission_grade(actor=instructor, submission=submission, score=80)
    assert (grade.late_penalty, grade.points, grade.percent) == (Decimal("24.00"), Decimal("56.00"), Decimal("56.00"))
    assert "56.00 of 100" in Notification.objects.get(type="assignment_graded").body


def test_the_penalty_is_capped_at_the_score(student, instructor):
    submission = submitted(student, instructor, late_by=timedelta(days=3), penalty_percent_per_day=Decimal("40"))
    grade = services.submission_grade(actor=instructor, submission=submission, score=80)
    assert (grade.late_penalty, grade.points, grade.percent) == (Decimal("80.00"), Decimal("0.00"), Decimal("0.00"))


def test_the_penalty_rounds_to_the_cent_on_a_rubric_score(student, instructor):
    submission = submitted(
        student, instructor, late_by=timedelta(days=1), penalty_percent_per_day=Decimal("3.33"), points=20
    )
    a = CriterionFactory(assignment=submission.assignment, points=20)
    grade = services.submission_grade(
        actor=instructor, submission=submission, rubric_scores=[{"criterion": a.pk, "points": "17.5"}]
    )
    # 17.50 x 3.33% = 0.58275 -> 0.58; 16.92 of 20 -> 84.60%
    assert (grade.score, grade.late_penalty, grade.points, grade.percent) == (
        Decimal("17.50"),
        Decimal("0.58"),
        Decimal("16.92"),
        Decimal("84.60"),
    )


def test_late_without_a_penalty_costs_nothing(student, instructor):
    submission = submitted(student, instructor, late_by=timedelta(days=5))
    assert submission.is_late
    grade = services.submission_grade(actor=instructor, submission=submission, score=80)
    assert (grade.late_penalty, grade.points) == (Decimal("0"), Decimal("80.00"))


# --- re-grades ------------------------------------------------------------------------------------------------------
def test_a_regrade_keeps_the_history(student, instructor, admin_user):
    submission = submitted(student, instructor)
    start = timezone.now()
    graders = [(instructor, 40, "Needs work"), (admin_user, 70, "Better"), (instructor, 65, "Final")]
    grades = []
    for n, (grader, score, feedback) in enumerate(graders):
        with time_machine.travel(start + timedelta(hours=n), tick=False):
            grades.append(
                services.submission_grade(actor=grader, submission=submission, score=score, feedback=feedback)
            )

    history = list(submission.grades.all())
    assert [g.pk for g in history] == [g.pk for g in reversed(grades)]  # newest first
    assert [(g.score, g.feedback, g.graded_by_id) for g in history] == [
        (Decimal("65.00"), "Final", instructor.pk),
        (Decimal("70.00"), "Better", admin_user.pk),
        (Decimal("40.00"), "Needs work", instructor.pk),
    ]
    assert [g.graded_at for g in history] == [start + timedelta(hours=n) for n in (2, 1, 0)]
    submission.refresh_from_db()
    assert submission.grade_id == grades[-1].pk and submission.status == SubmissionStatus.GRADED
    assert Notification.objects.filter(type="assignment_graded", recipient=student).count() == 3


def test_a_regrade_in_the_same_instant_still_points_at_the_newest(student, instructor):
    submission = submitted(student, instructor)
    with time_machine.travel(timezone.now(), tick=False):
        services.submission_grade(actor=instructor, submission=submission, score=10)
        last = services.submission_grade(actor=instructor, submission=submission, score=20)
    assert submission.grades.first().pk == last.pk
    submission.refresh_from_db()
    assert submission.grade_id == last.pk


# --- who grades ------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("role", ["other_instructor", "student", "other_student"])
def test_only_the_courses_staff_grade(request, student, instructor, role):
    submission = submitted(student, instructor)
    with pytest.raises(NotPermitted) as exc:
        services.submission_grade(actor=request.getfixturevalue(role), submission=submission, score=100)
    assert exc.value.code == "not_course_staff"
    assert not Grade.objects.exists()
    assert not Notification.objects.filter(type="assignment_graded").exists()


def test_an_admin_grades(student, instructor, admin_user):
    submission = submitted(student, instructor)
    grade = services.submission_grade(actor=admin_user, submission=submission, score=90)
    assert grade.graded_by_id == admin_user.pk


def test_a_grade_names_its_grader(student, instructor):
    submission = submitted(student, instructor)
    with pytest.raises(NotPermitted):
        services.submission_grade(actor=None, submission=submission, score=90)
    assert not Grade.objects.exists()


def test_the_student_is_told(student, instructor):
    submission = submitted(student, instructor, title="Essay")
    grade = services.submission_grade(actor=instructor, submission=submission, score="87.5")

    note = Notification.objects.get(type="assignment_graded")
    assert note.recipient_id == student.pk
    assert note.payload == {
        "course_id": submission.assignment.course_id,
        "assignment_id": submission.assignment_id,
        "submission_id": submission.pk,
        "percent": str(grade.percent),
    }
    assert "Essay" in note.title and "87.50" in note.body
    assert not Notification.objects.filter(type="assignment_graded").exclude(recipient=student).exists()
