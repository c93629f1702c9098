"""PUT and PATCH /assignments/<id>/: the course's instructor or an admin; `rubric`, when sent,
replaces the rubric and grades given keep their scores."""

from decimal import Decimal

import pytest

from assignments.models import Grade, RubricCriterion
from assignments.services import submission_grade
from assignments.tests.api.conftest import MANAGE, MANAGERS, assignment_url, refused_on, submit
from conftest import ROLES

pytestmark = pytest.mark.django_db

DUE = "2031-05-01T12:00:00Z"


@pytest.mark.parametrize("role", ROLES)
def test_patch_for_every_role(clients, assignment, role):
    response = clients[role].patch(assignment_url(assignment.pk), {"title": "Renamed", "points": 20}, format="json")

    assert response.status_code == MANAGE[role], response.content
    assignment.refresh_from_db()
    assert (assignment.title == "Renamed") == (MANAGE[role] == 200)
    assert (assignment.points == 20) == (MANAGE[role] == 200)
    if MANAGE[role] == 403:
        assert response.data["code"] == "not_course_staff"


@pytest.mark.parametrize("role", ROLES)
def test_put_for_every_role(clients, assignment, role):
    response = clients[role].put(
        assignment_url(assignment.pk), {"title": "Put", "submission_types": ["url"]}, format="json"
    )

    assert response.status_code == MANAGE[role], response.content
    assignment.refresh_from_db()
    assert (assignment.submission_types == ["url"]) == (MANAGE[role] == 200)


@pytest.mark.parametrize("role", MANAGERS)
def test_put_replaces_the_rubric(clients, assignment, role):
    old = set(assignment.criteria.values_list("pk", flat=True))

    response = clients[role].put(
        assignment_url(assignment.pk),
        {"title": "Put", "rubric": [{"title": "Only", "description": "All of it", "points": 100}]},
        format="json",
    )

    assert response.status_code == 200, response.content
    assert [(c["title"], c["description"], c["points"]) for c in response.data["rubric"]] == [
        ("Only", "All of it", 100)
    ]
    assert not RubricCriterion.objects.filter(pk__in=old).exists()
    assert list(assignment.criteria.values_list("title", flat=True)) == ["Only"]


def test_an_empty_rubric_removes_it(clients, assignment):
    response = clients["instructor"].put(assignment_url(assignment.pk), {"title": "Put", "rubric": []}, format="json")
    assert response.status_code == 200 and response.data["rubric"] == []
    assert not assignment.criteria.exists()


def test_patch_without_a_rubric_keeps_it(clients, assignment):
    before = list(assignment.criteria.values_list("pk", "title"))
    response = clients["instructor"].patch(assignment_url(assignment.pk), {"points": 10}, format="json")
    assert response.status_code == 200
    assert [(c["id"], c["title"]) for c in response.data["rubric"]] == before


def test_grades_keep_their_rubric_scores_when_the_rubric_is_replaced(clients, instructor, student, assignment):
    argument, style = assignment.criteria.all()
    submission = submit(student, assignment)
    submission_grade(
        actor=instructor,
        submission=submission,
        rubric_scores=[{"criterion": argument.pk, "points": 50}, {"criterion": style.pk, "points": 30}],
    )

    response = clients["instructor"].put(
        assignment_url(assignment.pk), {"title": "Put", "rubric": [{"title": "New", "points": 5}]}, format="json"
    )

    assert response.status_code == 200, response.content
    grade = Grade.objects.get(submission=submission)
    assert [(r["title"], Decimal(r["points"])) for r in grade.rubric_scores] == [("Argument", 50), ("Style", 30)]
    assert grade.score == 80


def test_patch_the_late_policy(clients, assignment):
    response = clients["instructor"].patch(
        assignment_url(assignment.pk),
        {"due_at": DUE, "late_policy": {"penalty_percent_per_day": "5", "cutoff_at": "2031-05-02T12:00:00Z"}},
        format="json",
    )

    assert response.status_code == 200, response.content
    assert response.data["late_policy"] == {
        "accept_late": True,
        "penalty_percent_per_day": "5.00",
        "cutoff_at": "2031-05-02T12:00:00Z",
    }


def test_patching_one_late_policy_field_keeps_the_others(clients, assignment):
    clients["instructor"].patch(
        assignment_url(assignment.pk),
        {"due_at": DUE, "late_policy": {"accept_late": False, "penalty_percent_per_day": "5"}},
        format="json",
    )

    response = clients["instructor"].patch(
        assignment_url(assignment.pk), {"late_policy": {"cutoff_at": "2031-06-01T00:00:00Z"}}, format="json"
    )

    assert response.status_code == 200, response.content
    assert response.data["late_policy"]["accept_late"] is False
    assert response.data["late_policy"]["penalty_percent_per_day"] == "5.00"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param({"points": 0}, "points", id="points-0"),
        pytest.param({"submission_types": ["video"]}, "submission_types", id="unknown-type"),
        pytest.param({"submission_types": []}, "submission_types", id="no-type"),
        pytest.param({"title": ""}, "title", id="blank-title"),
        pytest.param({"late_policy": {"penalty_percent_per_day": "-1"}}, "late_policy", id="negative-penalty"),
        pytest.param({"rubric": [{"title": "x", "points": 0}]}, "rubric", id="criterion-0-points"),
    ],
)
@pytest.mark.parametrize("method", ["put", "patch"])
def test_bad_input_is_a_400_naming_the_field(clients, assignment, method, body, field):
    if method == "put":
        body = {"title": "Put", **body}
    response = getattr(clients["instructor"], method)(assignment_url(assignment.pk), body, format="json")

    refused_on(response, field)
    assignment.refresh_from_db()
    assert assignment.points == 100 and assignment.criteria.count() == 2


def test_put_without_a_title_is_a_400(clients, assignment):
    refused_on(clients["instructor"].put(assignment_url(assignment.pk), {"points": 5}, format="json"), "title")


def test_a_cutoff_before_the_due_date_is_a_400(clients, assignment):
    clients["instructor"].patch(
        assignment_url(assignment.pk), {"due_at": DUE, "late_policy": {"cutoff_at": "2031-05-02T00:00:00Z"}},
        format="json",
    )  # fmt: skip

    # Moving the due date past the cutoff already stored, and a cutoff before the due date stored.
    refused_on(
        clients["instructor"].patch(assignment_url(assignment.pk), {"due_at": "2031-05-03T00:00:00Z"}, format="json"),
        "cutoff_at",
    )
    refused_on(
        clients["instructor"].patch(
            assignment_url(assignment.pk), {"late_policy": {"cutoff_at": "2031-04-01T00:00:00Z"}}, format="json"
        ),
        "cutoff_at",
    )
    assignment.refresh_from_db()
    assert assignment.cutoff_at.isoformat() == "2031-05-02T00:00:00+00:00"


def test_unknown_fields_are_ignored(clients, assignment, other_instructor):
    response = clients["instructor"].patch(
        assignment_url(assignment.pk), {"course": 999, "section": 999, "id": 1, "title": "T"}, format="json"
    )
    assert response.status_code == 200, response.content
    assignment.refresh_from_db()
    assert (assignment.course_id, assignment.section_id, assignment.title) == (
        response.data["course"],
        response.data["section"],
        "T",
    )
    assert response.data["id"] == assignment.pk
