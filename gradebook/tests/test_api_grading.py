"""GET and PATCH /api/v1/courses/{id}/grading/: who may, the defaults, what a PATCH changes, and
every kind of bad input refused with a 400 naming the field, saving nothing."""

import pytest

from courses.tests.factories import CourseFactory, EnrollmentFactory
from gradebook.models import CourseGrading

from .helpers import CUSTOM_SCALE, CUSTOM_SCALE_SORTED, STAFF_ONLY, course_for_grading

pytestmark = pytest.mark.django_db

DEFAULTS = {
    "weights": {"quizzes": 50, "assignments": 50},
    "pass_percent": 60,
    "letter_scale": [
        {"letter": "A", "min_percent": 90},
        {"letter": "B", "min_percent": 80},
        {"letter": "C", "min_percent": 70},
        {"letter": "D", "min_percent": 60},
        {"letter": "F", "min_percent": 0},
    ],
}
CHANGE = {"weights": {"quizzes": 30, "assignments": 70}, "pass_percent": 55, "letter_scale": CUSTOM_SCALE}
CHANGED = {"weights": {"quizzes": 30, "assignments": 70}, "pass_percent": 55, "letter_scale": CUSTOM_SCALE_SORTED}


@pytest.fixture
def course(instructor, student):
    course = course_for_grading(instructor)
    EnrollmentFactory(student=student, course=course)
    return course


def url(course) -> str:
    return f"/api/v1/courses/{course.pk}/grading/"


def stored(course) -> dict | None:
    row = CourseGrading.objects.filter(course=course).first()
    if row is None:
        return None
    return {
        "weights": {"quizzes": row.quizzes_weight, "assignments": row.assignments_weight},
        "pass_percent": row.pass_percent,
        "letter_scale": row.letter_scale,
    }


# --- who may ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(("role", "code"), STAFF_ONLY)
def test_get(clients, course, role, code):
    response = clients[role].get(url(course))
    assert response.status_code == code, response.content
    if code == 200:
        assert response.json() == DEFAULTS
    elif code == 403:
        assert response.json()["code"] == "not_course_staff"
        assert response.json()["detail"] == "Only the course's instructor or an admin can see or change its grading."
    assert stored(course) is None  # reading never creates the row


@pytest.mark.parametrize(("role", "code"), STAFF_ONLY)
def test_patch(clients, course, role, code):
    response = clients[role].patch(url(course), CHANGE, format="json")
    assert response.status_code == code, response.content
    if code == 200:
        assert response.json() == CHANGED
        assert stored(course) == CHANGED
        assert CourseGrading.objects.get(course=course).updated_by == clients[role].user
        assert clients[role].get(url(course)).json() == CHANGED
    else:
        assert stored(course) is None
        if code == 403:
            assert response.json()["code"] == "not_course_staff"


@pytest.mark.parametrize("method", ["get", "patch"])
@pytest.mark.parametrize(
    ("role", "code"),
    [("student", 404), ("other_instructor", 404), ("instructor", 200), ("admin", 200), ("anonymous", 401)],
)
def test_a_draft_course_is_hidden_from_those_who_cannot_see_it(clients, instructor, method, role, code):
    draft = CourseFactory(instructor=instructor)
    response = getattr(clients[role], method)(url(draft), {} if method == "get" else CHANGE, format="json")
    assert response.status_code == code, response.content
    assert (stored(draft) is not None) == (method == "patch" and code == 200)


def test_an_unknown_course_is_404(clients):
    assert clients["admin"].get("/api/v1/courses/999999/grading/").status_code == 404
    assert clients["admin"].patch("/api/v1/courses/999999/grading/", CHANGE, format="json").status_code == 404


# --- what a PATCH changes ---------------------------------------------------------------------------
def test_a_patch_changes_only_what_it_sends(clients, course):
    client = clients["instructor"]

    response = client.patch(url(course), {"pass_percent": 75}, format="json")
    assert response.status_code == 200
    assert response.json() == {**DEFAULTS, "pass_percent": 75}  # made with the defaults on first use

    response = client.patch(url(course), {"weights": {"quizzes": 100, "assignments": 0}}, format="json")
    assert response.json() == {**DEFAULTS, "pass_percent": 75, "weights": {"quizzes": 100, "assignments": 0}}

    response = client.patch(url(course), {"letter_scale": [{"letter": " P ", "min_percent": 0}]}, format="json")
    assert response.json()["letter_scale"] == [{"letter": "P", "min_percent": 0}]  # trimmed
    assert stored(course) == {
        "weights": {"quizzes": 100, "assignments": 0},
        "pass_percent": 75,
        "letter_scale": [{"letter": "P", "min_percent": 0}],
    }


def test_an_empty_patch_changes_nothing(clients, course):
    response = clients["instructor"].patch(url(course), {}, format="json")
    assert response.status_code == 200
    assert response.json() == DEFAULTS


def test_a_patch_ignores_fields_it_does_not_know(clients, course):
    response = clients["instructor"].patch(url(course), {"pass_percent": 50, "course": 999, "updated_by": 1})
    assert response.status_code == 200, response.content
    assert stored(course)["pass_percent"] == 50
    assert CourseGrading.objects.get(course=course).updated_by == clients["instructor"].user


# --- bad input: 400 naming the field, nothing saved -----------------------------------------------------
SCALE_NO_FLOOR = [{"letter": "A", "min_percent": 90}, {"letter": "B", "min_percent": 10}]
BAD = [
    ({"weights": {"quizzes": 50, "assignments": 60}}, "weights.non_field_errors", "The weights must add up to 100."),
    ({"weights": {"quizzes": 30, "assignments": 60}}, "weights.non_field_errors", "The weights must add up to 100."),
    ({"weights": {"quizzes": -10, "assignments": 110}}, "weights.quizzes", "greater than or equal to 0"),
    ({"weights": {"quizzes": 101, "assignments": -1}}, "weights.quizzes", "less than or equal to 100"),
    ({"weights": {"quizzes": 40.5, "assignments": 59.5}}, "weights.quizzes", "A valid integer is required."),
    ({"weights": {"quizzes": "forty", "assignments": 60}}, "weights.quizzes", "A valid integer is required."),
    ({"weights": "40/60"}, "weights.non_field_errors", "Expected a dictionary, but got str."),
    ({"weights": [40, 60]}, "weights.non_field_errors", "Expected a dictionary, but got list."),
    ({"weights": {"quizzes": 40}}, "weights.assignments", "This field is required."),
    ({"weights": None}, "weights", "This field may not be null."),
    ({"pass_percent": 101}, "pass_percent", "less than or equal to 100"),
    ({"pass_percent": -1}, "pass_percent", "greater than or equal to 0"),
    ({"pass_percent": "sixty"}, "pass_percent", "A valid integer is required."),
    ({"pass_percent": True}, "pass_percent", "A valid integer is required."),
    ({"pass_percent": 60.5}, "pass_percent", "A valid integer is required."),
    ({"letter_scale": []}, "letter_scale.non_field_errors", "at least 1 elements"),
    ({"letter_scale": "A"}, "letter_scale.non_field_errors", "Expected a list of items"),
    ({"letter_scale": [{"letter": "A", "min_percent": 0}] * 21}, "letter_scale.non_field_errors", "no more than 20"),
    (
        {"letter_scale": [{"letter": "A", "min_percent": 90}, {"letter": "A", "min_percent": 0}]},
        "letter_scale",
        "Each letter may appear once.",
    ),
    (
        {"letter_scale": [{"letter": "A", "min_percent": 90}, {"letter": " A", "min_percent": 0}]},
        "letter_scale",
        "Each letter may appear once.",
    ),
    (
        {"letter_scale": [{"letter": "A", "min_percent": 0}, {"letter": "B", "min_percent": 0}]},
        "letter_scale",
        "Two letters cannot start at the same percent.",
    ),
    (
        {"letter_scale": SCALE_NO_FLOOR},
        "letter_scale",
        "One letter must start at 0, so that every percent has a letter.",
    ),
    ({"letter_scale": [{"letter": "  ", "min_percent": 0}]}, "letter_scale.0.letter", "may not be blank"),
    ({"letter_scale": [{"letter": "", "min_percent": 0}]}, "letter_scale.0.letter", "may not be blank"),
    ({"letter_scale": [{"letter": "A" * 21, "min_percent": 0}]}, "letter_scale.0.letter", "no more than 20"),
    (
        {"letter_scale": [{"letter": "A", "min_percent": 101}, {"letter": "F", "min_percent": 0}]},
        "letter_scale.0.min_percent",
        "less than or equal to 100",
    ),
    ({"letter_scale": [{"letter": "F", "min_percent": -5}]}, "letter_scale.0.min_percent", "greater than or equal"),
    ({"letter_scale": [{"letter": "A"}]}, "letter_scale.0.min_percent", "This field is required."),
    ({"letter_scale": [{"min_percent": 0}]}, "letter_scale.0.letter", "This field is required."),
    ({"letter_scale": ["A"]}, "letter_scale.0.non_field_errors", "Expected a dictionary"),
    ({"letter_scale": [{"letter": "F", "min_percent": "zero"}]}, "letter_scale.0.min_percent", "valid integer"),
]


@pytest.mark.parametrize(("body", "field", "message"), BAD, ids=[f"{n}-{b[1]}" for n, b in enumerate(BAD)])
def test_bad_input_is_a_400_naming_the_field_and_saves_nothing(clients, course, body, field, message):
    # The valid parts sent alongside must not be saved either.
    sent = {"pass_percent": 42, **body} if "pass_percent" not in body else {**body, "weights": CHANGE["weights"]}
    for role in ("instructor", "admin"):
        response = clients[role].patch(url(course), sent, format="json")
        assert response.status_code == 400, response.content
        errors = response.json()
        assert field in errors, errors
        assert any(message in text for text in errors[field]), errors
    assert stored(course) is None


def test_bad_input_leaves_an_existing_scheme_as_it_was(clients, course):
    clients["instructor"].patch(url(course), CHANGE, format="json")
    response = clients["instructor"].patch(
        url(course), {"pass_percent": 90, "letter_scale": SCALE_NO_FLOOR}, format="json"
    )
    assert response.status_code == 400
    assert stored(course) == CHANGED


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("[]", "application/json"),
        ('"weights"', "application/json"),
        ("{not json", "application/json"),
        ("pass_percent=50", "text/plain"),
    ],
)
def test_a_body_that_is_not_an_object_is_a_400_or_415(clients, course, body, content_type):
    response = clients["instructor"].generic("PATCH", url(course), body, content_type=content_type)
    assert response.status_code in (400, 415), response.content
    assert stored(course) is None


def test_a_bad_patch_by_someone_without_access_is_refused_before_validation(clients, course):
    response = clients["other_instructor"].patch(url(course), {"weights": "bad"}, format="json")
    assert response.status_code == 403
    response = clients["anonymous"].patch(url(course), {"weights": "bad"}, format="json")
    assert response.status_code == 401
