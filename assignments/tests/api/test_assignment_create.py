"""POST /sections/<id>/assignments/: the course's instructor or an admin adds an assignment, with its
late policy and rubric; bad input is a 400 naming the field."""

from datetime import UTC, datetime

import pytest

from assignments.models import Assignment
from assignments.tests.api.conftest import MANAGE, MANAGERS, ok, refused_on, section_assignments_url
from conftest import ROLES

pytestmark = pytest.mark.django_db

DUE = "2031-05-01T12:00:00Z"
CUTOFF = "2031-05-03T12:00:00Z"


def body(**overrides) -> dict:
    return {
        "title": "Essay 1",
        "instructions": "Write 500 words.",
        "points": 50,
        "due_at": DUE,
        "submission_types": ["text", "file"],
        "allowed_file_types": ["application/pdf"],
        "max_files": 2,
        "max_attempts": 3,
        "is_required": True,
        "pass_percent": 70,
        "late_policy": {"accept_late": True, "penalty_percent_per_day": "10.00", "cutoff_at": CUTOFF},
        "rubric": [
            {"title": "Argument", "description": "Is it convincing?", "points": 30},
            {"title": "Style", "points": 20},
        ],
        **overrides,
    }


@pytest.mark.parametrize("role", ROLES)
def test_create_for_every_role(clients, section, role):
    response = clients[role].post(section_assignments_url(section.pk), body(), format="json")

    assert response.status_code == ok(MANAGE[role], 201), response.content
    assert Assignment.objects.filter(section=section).exists() == (MANAGE[role] == 200)
    if MANAGE[role] == 403:
        assert response.data["code"] == "not_course_staff"


@pytest.mark.parametrize("role", MANAGERS)
def test_create_with_a_late_policy_and_a_rubric(clients, section, role):
    response = clients[role].post(section_assignments_url(section.pk), body(), format="json")

    assert response.status_code == 201, response.content
    data = response.data
    assert (data["course"], data["section"], data["title"], data["points"]) == (
        section.course_id,
        section.pk,
        "Essay 1",
        50,
    )
    assert data["late_policy"] == {"accept_late": True, "penalty_percent_per_day": "10.00", "cutoff_at": CUTOFF}
    assert [(c["title"], c["description"], c["points"]) for c in data["rubric"]] == [
        ("Argument", "Is it convincing?", 30),
        ("Style", "", 20),
    ]
    assignment = Assignment.objects.get(pk=data["id"])
    assert assignment.cutoff_at == datetime(2031, 5, 3, 12, tzinfo=UTC)
    assert (assignment.max_attempts, assignment.is_required, assignment.pass_percent) == (3, True, 70)
    assert [c.pk for c in assignment.criteria.all()] == [c["id"] for c in data["rubric"]]


def test_the_defaults_and_the_order_at_the_end(clients, section, assignment):
    response = clients["instructor"].post(section_assignments_url(section.pk), {"title": "Minimal"}, format="json")

    assert response.status_code == 201, response.content
    data = response.data
    assert data["submission_types"] == ["text"]
    assert data["points"] == 100 and data["rubric"] == [] and data["max_attempts"] is None
    assert data["late_policy"] == {"accept_late": True, "penalty_percent_per_day": "0.00", "cutoff_at": None}
    assert data["order"] == assignment.order + 1


def test_unknown_fields_are_ignored(clients, section, other_instructor):
    response = clients["instructor"].post(
        section_assignments_url(section.pk),
        body(id=424242, course=999, section=999, created_at="2000-01-01T00:00:00Z", instructor=other_instructor.pk),
        format="json",
    )

    assert response.status_code == 201, response.content
    assert response.data["id"] != 424242
    assert (response.data["course"], response.data["section"]) == (section.course_id, section.pk)
    assert response.data["created_at"] > "2020"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        pytest.param({"late_policy": {"cutoff_at": "2031-04-30T12:00:00Z"}}, "cutoff_at", id="cutoff-before-due"),
        pytest.param({"submission_types": ["video"]}, "submission_types", id="unknown-type"),
        pytest.param({"submission_types": []}, "submission_types", id="no-type"),
        pytest.param({"submission_types": ["text", "text"]}, "submission_types", id="duplicate-type"),
        pytest.param({"submission_types": "text"}, "submission_types", id="not-a-list"),
        pytest.param({"points": 0}, "points", id="points-0"),
        pytest.param({"points": -5}, "points", id="points-negative"),
        pytest.param({"points": 10001}, "points", id="points-too-many"),
        pytest.param({"points": "many"}, "points", id="points-not-a-number"),
        pytest.param({"title": ""}, "title", id="blank-title"),
        pytest.param({"title": None}, "title", id="null-title"),
        pytest.param({"due_at": "tomorrow"}, "due_at", id="bad-date"),
        pytest.param({"pass_percent": 101}, "pass_percent", id="pass-over-100"),
        pytest.param({"max_files": 0}, "max_files", id="max-files-0"),
        pytest.param({"max_attempts": 0}, "max_attempts", id="max-attempts-0"),
        pytest.param({"late_policy": {"penalty_percent_per_day": "101"}}, "late_policy", id="penalty-over-100"),
        pytest.param({"late_policy": "lenient"}, "late_policy", id="policy-not-an-object"),
        pytest.param({"rubric": [{"title": "No points"}]}, "rubric", id="criterion-without-points"),
        pytest.param({"rubric": [{"title": "Zero", "points": 0}]}, "rubric", id="criterion-0-points"),
        pytest.param({"rubric": {"title": "x", "points": 1}}, "rubric", id="rubric-not-a-list"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(clients, section, overrides, field):
    response = clients["instructor"].post(section_assignments_url(section.pk), body(**overrides), format="json")

    refused_on(response, field)
    assert not Assignment.objects.filter(section=section).exists()


def test_without_a_title(clients, section):
    data = body()
    del data["title"]
    refused_on(clients["instructor"].post(section_assignments_url(section.pk), data, format="json"), "title")


def test_a_cutoff_without_a_due_date_is_fine(clients, section):
    response = clients["instructor"].post(section_assignments_url(section.pk), body(due_at=None), format="json")
    assert response.status_code == 201, response.content
    assert response.data["due_at"] is None and response.data["late_policy"]["cutoff_at"] == CUTOFF


def test_an_unknown_section_is_404(clients):
    assert clients["admin"].post(section_assignments_url(999999), body(), format="json").status_code == 404


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        pytest.param({"title": "a\x00b"}, "title", id="nul-in-title"),
        pytest.param({"instructions": "\x00"}, "instructions", id="nul-in-instructions"),
        pytest.param({"title": "x" * 201}, "title", id="title-too-long"),
        pytest.param({"rubric": [{"title": "\x00", "points": 1}]}, "rubric", id="nul-in-criterion"),
        pytest.param({"order": -1}, "order", id="negative-order"),
        pytest.param({"allowed_file_types": "application/pdf"}, "allowed_file_types", id="types-not-a-list"),
        pytest.param({"due_at": "99999-01-01T00:00:00Z"}, "due_at", id="year-99999"),
    ],
)
def test_hostile_input_is_a_400(clients, section, overrides, field):
    refused_on(clients["instructor"].post(section_assignments_url(section.pk), body(**overrides), format="json"), field)
