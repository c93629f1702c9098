"""The staff pages for a course's grading: adding and changing go through
gradebook.services.grading_update (the scale trimmed and stored highest first, the editor recorded),
the API's own rules refuse a bad scheme on the form with nothing saved, and deleting returns the
course to the defaults through grading_reset."""

import json

import pytest
from django.contrib.messages import get_messages

from gradebook import selectors, services
from gradebook.models import CourseGrading
from lms.tests.admin_forms import form_errors, page_data

from .helpers import CUSTOM_SCALE, CUSTOM_SCALE_SORTED, course_for_grading

pytestmark = pytest.mark.django_db

ADD = "/admin/gradebook/coursegrading/add/"
CHANGELIST = "/admin/gradebook/coursegrading/"


def change_url(course) -> str:
    return f"/admin/gradebook/coursegrading/{course.pk}/change/"


def delete_url(course) -> str:
    return f"/admin/gradebook/coursegrading/{course.pk}/delete/"


def stored(course) -> tuple | None:
    row = CourseGrading.objects.filter(course=course).first()
    if row is None:
        return None
    return row.quizzes_weight, row.assignments_weight, row.pass_percent, row.letter_scale


@pytest.fixture
def course(instructor):
    return course_for_grading(instructor, title="Admin grading")


@pytest.fixture
def saved(instructor, course):
    services.grading_update(
        actor=instructor, course=course, weights={"quizzes": 40, "assignments": 60}, pass_percent=65
    )
    return course


def add(staff, course, **fields):
    data = {
        "course": course.pk,
        "quizzes_weight": "30",
        "assignments_weight": "70",
        "pass_percent": "55",
        "letter_scale": json.dumps(CUSTOM_SCALE),
        **fields,
    }
    return staff.post(ADD, page_data(staff.get(ADD), **data))


# --- add and change through the service -----------------------------------------------------------
def test_adding_goes_through_the_service(staff, admin_user, course):
    scale = [{**step, "letter": f" {step['letter']} "} for step in CUSTOM_SCALE]  # padded, out of order

    response = add(staff, course, letter_scale=json.dumps(scale))

    assert response.status_code == 302, form_errors(response)
    assert stored(course) == (30, 70, 55, CUSTOM_SCALE_SORTED)  # trimmed and sorted as the service stores it
    assert CourseGrading.objects.get(course=course).updated_by == admin_user
    scheme = selectors.scheme_get(course)
    assert (scheme.weights, scheme.pass_percent) == ({"quizzes": 30, "assignments": 70}, 55)


def test_changing_goes_through_the_service(staff, admin_user, saved):
    scale = [{"letter": "Pass", "min_percent": 50}, {"letter": "Fail", "min_percent": 0}]
    page = staff.get(change_url(saved))
    assert page.status_code == 200

    response = staff.post(
        change_url(saved),
        page_data(page, quizzes_weight="25", assignments_weight="75", letter_scale=json.dumps(scale[::-1])),
    )

    assert response.status_code == 302, form_errors(response)
    assert stored(saved) == (25, 75, 65, scale)
    grading = CourseGrading.objects.get(course=saved)
    assert grading.updated_by == admin_user  # was the instructor


def test_the_course_of_a_saved_scheme_cannot_be_changed(staff, instructor, saved):
    other = course_for_grading(instructor)
    response = staff.post(change_url(saved), page_data(staff.get(change_url(saved)), course=other.pk))
    assert response.status_code == 302
    assert stored(other) is None
    assert stored(saved) is not None


# --- refusals: a form error, nothing saved ----------------------------------------------------------
BAD = [
    ({"letter_scale": json.dumps([{"letter": "A", "min_percent": 90}])}, "letter_scale", "must start at 0"),
    (
        {"letter_scale": json.dumps([{"letter": "A", "min_percent": 50}, {"letter": "A", "min_percent": 0}])},
        "letter_scale",
        "Each letter may appear once.",
    ),
    (
        {"letter_scale": json.dumps([{"letter": "A", "min_percent": 0}, {"letter": "B", "min_percent": 0}])},
        "letter_scale",
        "Two letters cannot start at the same percent.",
    ),
    ({"letter_scale": json.dumps([{"letter": " ", "min_percent": 0}])}, "letter_scale", "may not be blank"),
    ({"letter_scale": json.dumps([{"letter": "A", "min_percent": 120}])}, "letter_scale", "less than or equal to 100"),
    ({"letter_scale": json.dumps("A")}, "letter_scale", "Expected a list"),
    ({"letter_scale": "[]"}, "letter_scale", "required"),
    ({"letter_scale": "not json"}, "letter_scale", "Enter a valid JSON."),
    ({"quizzes_weight": "30", "assignments_weight": "60"}, "assignments_weight", "The weights must add up to 100."),
    ({"quizzes_weight": "thirty"}, "quizzes_weight", "Enter a whole number."),
    ({"pass_percent": "101"}, "pass_percent", "less than or equal to 100"),
    ({"pass_percent": "-1"}, "pass_percent", "greater than or equal to 0"),
]


@pytest.mark.parametrize(("fields", "field", "message"), BAD)
def test_a_bad_scheme_is_a_form_error_and_nothing_is_added(staff, course, fields, field, message):
    response = add(staff, course, **fields)
    errors = form_errors(response)
    assert field in errors, errors
    assert any(message in text for text in errors[field]), errors
    assert stored(course) is None


@pytest.mark.parametrize(("fields", "field", "message"), BAD)
def test_a_bad_scheme_is_a_form_error_and_nothing_is_changed(staff, saved, fields, field, message):
    before = stored(saved)
    response = staff.post(
        change_url(saved), page_data(staff.get(change_url(saved)), **{"pass_percent": "90", **fields})
    )
    errors = form_errors(response)
    assert field in errors, errors
    assert any(message in text for text in errors[field]), errors
    assert stored(saved) == before


def test_a_course_has_one_scheme(staff, saved):
    before = stored(saved)
    errors = form_errors(add(staff, saved))
    assert list(errors) == ["course"]
    assert stored(saved) == before


# --- delete: back to the defaults ----------------------------------------------------------------------
def test_deleting_returns_the_course_to_the_defaults(staff, saved):
    assert staff.get(delete_url(saved)).status_code == 200

    response = staff.post(delete_url(saved), {"post": "yes"})

    assert response.status_code == 302
    assert stored(saved) is None
    scheme = selectors.scheme_get(saved)
    assert (scheme.weights, scheme.pass_percent) == ({"quizzes": 50, "assignments": 50}, 60)
    assert [step["letter"] for step in scheme.letter_scale] == ["A", "B", "C", "D", "F"]


def test_the_bulk_delete_action_resets_each_course(staff, instructor, saved):
    second = course_for_grading(instructor)
    services.grading_update(actor=instructor, course=second, pass_percent=80)

    response = staff.post(
        CHANGELIST,
        {"action": "delete_selected", "_selected_action": [saved.pk, second.pk], "post": "yes"},
        follow=True,
    )

    assert response.status_code == 200
    assert not CourseGrading.objects.exists()
    assert not [str(m) for m in get_messages(response.wsgi_request) if m.level_tag == "error"]


def test_the_pages_render(staff, saved):
    listing = staff.get(CHANGELIST)
    assert listing.status_code == 200
    assert [row.pk for row in listing.context["cl"].result_list] == [saved.pk]
    assert "Admin grading" in listing.content.decode()
    assert staff.get(f"{CHANGELIST}?q=Admin").context["cl"].result_count == 1
    assert staff.get(f"{CHANGELIST}?q=nothing-like-it").context["cl"].result_count == 0
    assert staff.get(ADD).status_code == 200
