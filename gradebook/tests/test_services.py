"""gradebook.services: grading_update and grading_reset check their actor (the course's instructor
or an admin; None for the platform), make the row with the defaults on first use, change only
what they are given, and leave the database's own rules (weights adding up to 100) standing."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from accounts.models import Role
from accounts.services import user_set_role
from gradebook import selectors, services
from gradebook.models import CourseGrading, default_letter_scale
from lms.errors import InvalidInput, NotPermitted

from .helpers import CUSTOM_SCALE, CUSTOM_SCALE_SORTED, course_for_grading

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(instructor):
    return course_for_grading(instructor)


def stored(course) -> tuple | None:
    row = CourseGrading.objects.filter(course=course).first()
    if row is None:
        return None
    return row.quizzes_weight, row.assignments_weight, row.pass_percent, row.letter_scale


@pytest.fixture
def demoted(instructor, course):
    """The course's instructor, since demoted to student: their course is frozen."""
    user_set_role(actor=None, user=instructor, role=Role.STUDENT)
    instructor.refresh_from_db()
    return instructor


# --- grading_update ---------------------------------------------------------------------------------
def test_the_first_update_makes_the_row_from_the_defaults(instructor, course):
    assert stored(course) is None
    grading = services.grading_update(actor=instructor, course=course, pass_percent=70)
    assert stored(course) == (50, 50, 70, default_letter_scale())
    assert grading.updated_by == instructor and grading.updated_at is not None


def test_an_update_changes_only_what_it_is_given(instructor, admin_user, course):
    services.grading_update(actor=instructor, course=course, weights={"quizzes": 40, "assignments": 60})
    services.grading_update(actor=admin_user, course=course, letter_scale=CUSTOM_SCALE)
    services.grading_update(actor=instructor, course=course, pass_percent=55)
    assert stored(course) == (40, 60, 55, CUSTOM_SCALE_SORTED)


def test_the_letter_scale_is_stored_highest_first_with_only_its_two_keys(instructor, course):
    scale = [{"letter": "F", "min_percent": 0, "note": "x"}, {"letter": "P", "min_percent": 50}]
    services.grading_update(actor=instructor, course=course, letter_scale=scale)
    assert stored(course)[3] == [{"letter": "P", "min_percent": 50}, {"letter": "F", "min_percent": 0}]


def test_every_update_records_its_editor(instructor, admin_user, course):
    services.grading_update(actor=instructor, course=course, pass_percent=61)
    assert CourseGrading.objects.get(course=course).updated_by == instructor
    services.grading_update(actor=admin_user, course=course, pass_percent=62)
    assert CourseGrading.objects.get(course=course).updated_by == admin_user
    services.grading_update(actor=None, course=course, pass_percent=63)  # the platform
    row = CourseGrading.objects.get(course=course)
    assert (row.updated_by, row.pass_percent) == (None, 63)


@pytest.mark.parametrize("who", ["other_instructor", "student", "demoted"])
def test_only_the_courses_staff_may_update(request, course, who):
    actor = request.getfixturevalue(who)
    with pytest.raises(NotPermitted) as refused:
        services.grading_update(actor=actor, course=course, pass_percent=10)
    assert refused.value.code == "not_course_staff"
    assert stored(course) is None


def test_a_refused_update_leaves_a_saved_scheme_alone(instructor, other_instructor, course):
    services.grading_update(actor=instructor, course=course, pass_percent=70)
    with pytest.raises(NotPermitted):
        services.grading_update(actor=other_instructor, course=course, weights={"quizzes": 0, "assignments": 100})
    assert stored(course) == (50, 50, 70, default_letter_scale())


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"weights": {"quizzes": 50, "assignments": 60}}, "weights_sum"),
        ({"weights": {"quizzes": 20, "assignments": 20}}, "weights_sum"),
        ({"pass_percent": 101}, "invalid"),
        ({"letter_scale": [{"letter": "P", "min_percent": 50}]}, "no_floor"),
        ({"letter_scale": [{"letter": "A", "min_percent": 0}, {"letter": "A", "min_percent": 50}]}, "duplicate_letter"),
        ({"letter_scale": [{"letter": " ", "min_percent": 0}]}, "blank"),
        ({"letter_scale": [{"letter": "A", "min_percent": 0}, {"letter": "B", "min_percent": 0}]}, "duplicate_percent"),
        ({"letter_scale": [{"letter": "A", "min_percent": 0}, {"letter": "B", "min_percent": 120}]}, "out_of_range"),
        ({"letter_scale": []}, "empty"),
        ({"letter_scale": [{"letter": "A" * 21, "min_percent": 0}]}, "too_long"),
    ],
)
def test_the_service_refuses_a_scheme_that_breaks_a_rule(instructor, course, change, code):
    # A caller without the API's serializer (the shell, a task) is held to the same rules.
    with pytest.raises(InvalidInput) as refused:
        services.grading_update(actor=instructor, course=course, **change)
    assert refused.value.code == code
    assert stored(course) is None


@pytest.mark.parametrize("fields", [{"quizzes_weight": 50, "assignments_weight": 60}, {"pass_percent": 101}])
def test_the_database_refuses_weights_off_100_and_a_pass_mark_over_100(course, fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        CourseGrading.objects.create(course=course, **fields)
    assert stored(course) is None


# --- grading_reset ----------------------------------------------------------------------------------
def test_a_reset_returns_the_course_to_the_defaults(instructor, admin_user, course):
    services.grading_update(actor=instructor, course=course, pass_percent=80, letter_scale=CUSTOM_SCALE)
    services.grading_reset(actor=admin_user, course=course)
    assert stored(course) is None
    scheme = selectors.scheme_get(course)
    assert scheme.weights == {"quizzes": 50, "assignments": 50}
    assert (scheme.pass_percent, scheme.letter_scale) == (60, default_letter_scale())


def test_a_reset_without_a_scheme_is_a_no_op(instructor, course):
    services.grading_reset(actor=instructor, course=course)
    services.grading_reset(actor=None, course=course)
    assert stored(course) is None


@pytest.mark.parametrize("who", ["other_instructor", "student", "demoted"])
def test_only_the_courses_staff_may_reset(request, instructor, course, who):
    services.grading_update(actor=None, course=course, pass_percent=80)
    actor = request.getfixturevalue(who)
    with pytest.raises(NotPermitted) as refused:
        services.grading_reset(actor=actor, course=course)
    assert refused.value.code == "not_course_staff"
    assert stored(course) == (50, 50, 80, default_letter_scale())


def test_a_reset_touches_no_other_course(instructor, course):
    other = course_for_grading(instructor)
    services.grading_update(actor=instructor, course=course, pass_percent=80)
    services.grading_update(actor=instructor, course=other, pass_percent=90)
    services.grading_reset(actor=instructor, course=course)
    assert stored(course) is None
    assert stored(other)[2] == 90


# --- the scheme the selectors read ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("percent", "letter"),
    [
        ("100", "A+"),
        ("95.00", "A+"),
        ("94.99", "A"),
        ("85", "A"),
        ("84.99", "B"),
        ("50", "C"),
        ("0", "F"),
        (None, None),
    ],
)
def test_the_letter_of_a_percent_is_the_highest_step_reached(instructor, course, percent, letter):
    services.grading_update(actor=instructor, course=course, letter_scale=CUSTOM_SCALE)
    scheme = selectors.scheme_get(course)
    assert scheme.letter(None if percent is None else Decimal(percent)) == letter
