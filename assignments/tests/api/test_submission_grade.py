"""POST /submissions/<id>/grade/: the course's instructor or an admin grades by `score` or by
`rubric_scores` (exactly one), with `feedback`; the late penalty applies; a re-grade keeps the
history; the student is notified."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from assignments.models import Grade, Submission
from assignments.tests.api.conftest import SUBMISSION_GRADE, grade, refused_on, submission_url
from conftest import ROLES

pytestmark = pytest.mark.django_db

GRADE_FIELDS = {"score", "points", "percent", "late_penalty", "feedback", "graded_by", "graded_at"}


def post(client, submission, body):
    return client.post(submission_url(submission.pk, "grade"), body, format="json")


def criteria(assignment):
    argument, style = assignment.criteria.all()
    return argument, style


@pytest.mark.parametrize("role", ROLES)
def test_grade_for_every_role(clients, submission, role):
    response = post(clients[role], submission, {"score": 80, "feedback": "Good."})

    assert response.status_code == SUBMISSION_GRADE[role], response.content
    submission.refresh_from_db()
    assert (submission.status == "graded") == (SUBMISSION_GRADE[role] == 200)
    assert Grade.objects.filter(submission=submission).count() == (1 if SUBMISSION_GRADE[role] == 200 else 0)
    if SUBMISSION_GRADE[role] == 403:
        assert response.data["code"] == "not_course_staff"


@pytest.mark.parametrize("role", ["instructor", "admin"])
def test_by_score_the_response_shape(clients, submission, role):
    grader = clients[role].user

    response = post(clients[role], submission, {"score": "80.5", "feedback": "Good."})

    assert response.status_code == 200, response.content
    data = response.data
    assert set(data) >= GRADE_FIELDS
    assert (data["score"], data["points"], data["percent"], data["late_penalty"]) == (
        "80.50",
        "80.50",
        "80.50",
        "0.00",
    )
    assert data["feedback"] == "Good." and data["rubric_scores"] == []
    assert data["graded_by"]["id"] == grader.pk and data["graded_at"]
    submission.refresh_from_db()
    assert submission.grade_id == Grade.objects.get(submission=submission).pk


def test_by_rubric(clients, submission, assignment):
    argument, style = criteria(assignment)

    response = post(
        clients["instructor"],
        submission,
        {"rubric_scores": [{"criterion": style.pk, "points": 30}, {"criterion": argument.pk, "points": "45.5"}]},
    )

    assert response.status_code == 200, response.content
    assert response.data["score"] == "75.50"
    assert [(r["criterion"], r["title"], r["points"], r["max_points"]) for r in response.data["rubric_scores"]] == [
        (argument.pk, "Argument", "45.50", 60),
        (style.pk, "Style", "30.00", 40),
    ]


def test_the_late_penalty_applies(clients, student, assignment):
    submission = Submission.objects.create(
        assignment=assignment, student=student, attempt=1, text="Late.", submitted_at=timezone.now(), is_late=True,
        days_late=2,
    )  # fmt: skip
    assignment.penalty_percent_per_day = Decimal("10")
    assignment.due_at = timezone.now() - timedelta(days=2)
    assignment.save()

    response = post(clients["instructor"], submission, {"score": 80})

    assert response.status_code == 200, response.content
    assert (response.data["score"], response.data["late_penalty"], response.data["points"]) == (
        "80.00",
        "16.00",
        "64.00",
    )
    assert response.data["percent"] == "64.00"


def test_a_regrade_keeps_the_history(clients, instructor, admin_user, submission):
    first = post(clients["instructor"], submission, {"score": 50, "feedback": "First."})
    second = post(clients["admin"], submission, {"score": 70, "feedback": "Second look."})

    assert first.status_code == second.status_code == 200
    history = list(Grade.objects.filter(submission=submission).order_by("graded_at", "id"))
    assert [(g.score, g.feedback, g.graded_by_id) for g in history] == [
        (Decimal("50.00"), "First.", instructor.pk),
        (Decimal("70.00"), "Second look.", admin_user.pk),
    ]
    submission.refresh_from_db()
    assert submission.grade_id == history[-1].pk
    shown = clients["student"].get(submission_url(submission.pk)).data["grade"]
    assert (shown["score"], shown["feedback"]) == ("70.00", "Second look.")


def test_the_student_is_notified(clients, student, submission, django_capture_on_commit_callbacks):
    from notifications.models import Notification

    with django_capture_on_commit_callbacks(execute=True):
        assert post(clients["instructor"], submission, {"score": 90}).status_code == 200

    notification = Notification.objects.filter(recipient=student, type="assignment_graded").get()
    assert notification.payload["submission_id"] == submission.pk


# --- 400s ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param({}, "score", id="neither"),
        pytest.param({"feedback": "Only words."}, "score", id="feedback-only"),
        pytest.param({"score": 10, "rubric_scores": []}, "score", id="both"),
        pytest.param({"score": 101}, "score", id="over-the-points"),
        pytest.param({"score": -1}, "score", id="negative"),
        pytest.param({"score": "lots"}, "score", id="not-a-number"),
        pytest.param({"score": "NaN"}, "score", id="nan"),
        pytest.param({"score": "Infinity"}, "score", id="infinity"),
        pytest.param({"score": None}, "score", id="null"),
        pytest.param({"score": "1e400"}, "score", id="huge-exponent"),
        pytest.param({"rubric_scores": "all"}, "rubric_scores", id="rubric-not-a-list"),
        pytest.param({"rubric_scores": [{"criterion": 1}]}, "rubric_scores", id="rubric-without-points"),
        pytest.param({"rubric_scores": [{"criterion": 999999, "points": 1}]}, "rubric_scores", id="unknown-criterion"),
        pytest.param({"rubric_scores": []}, "rubric_scores", id="rubric-empty"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(clients, submission, body, field):
    refused_on(post(clients["instructor"], submission, body), field)
    assert not Grade.objects.filter(submission=submission).exists()


@pytest.mark.parametrize(
    ("scores", "why"),
    [
        (lambda a, s: [{"criterion": a.pk, "points": 61}, {"criterion": s.pk, "points": 1}], "over-a-criterion"),
        (lambda a, s: [{"criterion": a.pk, "points": 10}], "a-criterion-missing"),
        (lambda a, s: [{"criterion": a.pk, "points": 1}, {"criterion": a.pk, "points": 2}], "scored-twice"),
        (lambda a, s: [{"criterion": a.pk, "points": -1}, {"criterion": s.pk, "points": 1}], "negative"),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_bad_rubric_scores(clients, submission, assignment, scores, why):
    refused_on(
        post(clients["instructor"], submission, {"rubric_scores": scores(*criteria(assignment))}), "rubric_scores"
    )
    assert not Grade.objects.filter(submission=submission).exists()


def test_rubric_scores_without_a_rubric(clients, submission, assignment):
    assignment.criteria.all().delete()
    refused_on(
        post(clients["instructor"], submission, {"rubric_scores": [{"criterion": 1, "points": 1}]}), "rubric_scores"
    )


def test_another_assignments_criterion(clients, submission, section):
    from assignments.tests.factories import AssignmentFactory, CriterionFactory

    foreign = CriterionFactory(assignment=AssignmentFactory(section=section, course=section.course))
    refused_on(
        post(clients["instructor"], submission, {"rubric_scores": [{"criterion": foreign.pk, "points": 1}]}),
        "rubric_scores",
    )


def test_grading_an_already_graded_submission_by_a_student_is_still_403(clients, instructor, submission):
    grade(instructor, submission)
    response = post(clients["student"], submission, {"score": 100})
    assert response.status_code == 403
    assert Grade.objects.get(submission=submission).score == 80


def test_an_unknown_submission_is_404(clients):
    assert clients["admin"].post("/api/v1/submissions/999999/grade/", {"score": 1}, format="json").status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param({"score": 10, "feedback": "\x00"}, "feedback", id="nul-in-feedback"),
        pytest.param({"score": "123456789.5"}, "score", id="too-many-digits"),
        pytest.param({"rubric_scores": [{"criterion": 10**20, "points": 1}]}, "rubric_scores", id="criterion-huge"),
    ],
)
def test_hostile_input_is_a_400(clients, submission, body, field):
    refused_on(post(clients["instructor"], submission, body), field)
