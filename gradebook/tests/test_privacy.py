"""The gradebook's part of privacy: the export gives a student their own gradebook row in each
course, as their own grades page shows it (nobody else's), and staff the grading schemes they last
changed; erasure stores nothing to remove and keeps CourseGrading.updated_by (the pseudonym)."""

import json
from decimal import Decimal

import pytest

from accounts.tests.factories import StudentFactory
from conftest import client_for
from courses import services as course_services
from courses.models import Enrollment
from gradebook import services
from gradebook.models import CourseGrading
from gradebook.privacy import gradebook_erase, gradebook_export
from privacy import registry

from .helpers import CUSTOM_SCALE_SORTED, course_for_grading, quiz, take

pytestmark = pytest.mark.django_db


def my_grades(user, course) -> dict:
    response = client_for(user).get(f"/api/v1/me/courses/{course.pk}/grades/")
    assert response.status_code == 200, response.content
    return response.json()


def as_number(value):
    return None if value is None else float(Decimal(value))


# --- registration ---------------------------------------------------------------------------------
def test_gradebook_registers_an_exporter_and_an_eraser_covering_its_user_link():
    exporter = next(e for e in registry.exporters() if e.name == "gradebook")
    eraser = next(e for e in registry.erasers() if e.name == "gradebook")
    assert [m._meta.label for m in exporter.models] == ["gradebook.CourseGrading"]
    assert [m._meta.label for m in eraser.models] == ["gradebook.CourseGrading"]
    assert "CourseGrading.updated_by" in eraser.policy
    uncovered = registry.uncovered()
    assert "gradebook.CourseGrading" not in uncovered["export"] + uncovered["erase"]


# --- export ---------------------------------------------------------------------------------------
def test_a_student_gets_their_own_row_as_their_grades_page_shows_it(graded):
    ada = graded.students["ada"]
    data = json.loads(json.dumps(gradebook_export(ada)))  # JSON-able as it is
    assert data["grading_settings_changed"] == []
    (grades,) = data["grades"]
    page = my_grades(ada, graded.course)
    assert grades["course_id"] == graded.course.pk and grades["course_title"] == "Grading 101"
    assert grades["enrollment_status"] == "active"
    assert [item["id"] for item in grades["items"]] == graded.item_ids()
    assert [as_number(item["score"]) for item in grades["items"]] == [item["score"] for item in page["items"]]
    assert [as_number(item["points"]) for item in grades["items"]] == [item["points"] for item in page["items"]]
    assert {k: as_number(v) for k, v in grades["categories"].items()} == page["categories"]
    assert as_number(grades["percent"]) == page["percent"] and grades["percent"] is not None
    assert grades["letter"] == page["letter"] and grades["passed"] == page["passed"]
    assert grades["pass_percent"] == page["pass_percent"] == 65


def test_each_student_gets_only_their_own_scores(graded):
    rows = {
        name: gradebook_export(user)["grades"][0]
        for name, user in graded.students.items()
        if name in ("ada", "grace", "charles")
    }
    assert rows["ada"]["percent"] != rows["grace"]["percent"]
    assert all(item["score"] is None for item in rows["charles"]["items"])
    assert rows["charles"]["percent"] is None
    assert gradebook_export(StudentFactory()) == {"grades": [], "grading_settings_changed": []}


def test_a_revoked_enrollment_is_exported_too(graded, admin_user):
    grace = graded.students["grace"]
    course_services.enrollment_revoke(actor=admin_user, enrollment=Enrollment.objects.get(student=grace))
    (grades,) = gradebook_export(grace)["grades"]
    assert grades["enrollment_status"] == "revoked" and grades["percent"] is not None


def test_a_score_the_quiz_shows_as_pass_or_fail_only_stays_withheld(instructor):
    course = course_for_grading(instructor)
    secret = quiz(course, points=[2, 3], show_correct_answers="never")
    student = StudentFactory()
    course_services.enrollment_create(student=student, course=course)
    take(student, secret, right=[2, 3])
    (grades,) = gradebook_export(student)["grades"]
    assert grades["items"][0]["score_hidden"] is True and grades["items"][0]["score"] is None
    assert grades["percent"] is None


def test_staff_get_the_grading_schemes_they_last_changed(graded, instructor, other_instructor, admin_user):
    data = gradebook_export(instructor)
    assert data["grades"] == []
    (changed,) = data["grading_settings_changed"]
    grading = CourseGrading.objects.get(course=graded.course)
    assert changed == {
        "course_id": graded.course.pk,
        "course_title": "Grading 101",
        "quizzes_weight": 40,
        "assignments_weight": 60,
        "pass_percent": 65,
        "letter_scale": CUSTOM_SCALE_SORTED,
        "updated_at": grading.updated_at.isoformat(),
    }
    assert gradebook_export(other_instructor)["grading_settings_changed"] == []
    services.grading_update(actor=admin_user, course=graded.course, pass_percent=70)
    assert gradebook_export(instructor)["grading_settings_changed"] == []  # the admin changed it last
    assert [row["course_id"] for row in gradebook_export(admin_user)["grading_settings_changed"]] == [graded.course.pk]


# --- erasure --------------------------------------------------------------------------------------
def test_erasure_keeps_the_scheme_and_who_changed_it_and_changes_no_grade(graded, instructor):
    ada = graded.students["ada"]
    schemes = list(CourseGrading.objects.values())
    grades = gradebook_export(ada)
    gradebook_erase(instructor)
    gradebook_erase(ada)
    gradebook_erase(ada)  # a second run: nothing either
    assert list(CourseGrading.objects.values()) == schemes
    assert CourseGrading.objects.get(course=graded.course).updated_by_id == instructor.pk
    assert gradebook_export(ada) == grades
