"""GET /api/v1/me/courses/{id}/grades/: an enrolled student's own row with every item, scores a
quiz's review policy hides withheld (and the totals with them), nobody else's grades."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import client_for
from courses import services as course_services
from courses.models import Enrollment
from courses.tests.factories import CourseFactory, EnrollmentFactory

from .helpers import (
    ENROLLED_ONLY,
    assignment,
    course_for_grading,
    grade,
    quiz,
    section,
    student,
    submit,
    take,
)

pytestmark = pytest.mark.django_db


def url(course) -> str:
    return f"/api/v1/me/courses/{course.pk}/grades/"


# --- who may ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(("role", "code"), ENROLLED_ONLY)
def test_get(clients, graded, student, role, code):
    EnrollmentFactory(student=student, course=graded.course)
    response = clients[role].get(url(graded.course))
    assert response.status_code == code, response.content
    if code == 200:
        body = response.json()
        assert body["course"] == graded.course.pk
        assert [item["id"] for item in body["items"]] == graded.item_ids()
        assert all(item["score"] is None for item in body["items"])  # `student` did nothing yet
        assert body["percent"] is None
    elif code == 403:
        assert response.json()["code"] == "not_enrolled"
        assert response.json()["detail"] == "You are not enrolled in this course."


def test_a_revoked_student_is_not_enrolled(admin_user, graded):
    grace = graded.students["grace"]
    course_services.enrollment_revoke(actor=admin_user, enrollment=Enrollment.objects.get(student=grace))
    response = client_for(grace).get(url(graded.course))
    assert response.status_code == 403
    assert response.json()["code"] == "not_enrolled"


def test_a_draft_course_the_student_cannot_see_is_404(clients, instructor):
    draft = CourseFactory(instructor=instructor)
    assert clients["student"].get(url(draft)).status_code == 404
    assert clients["student"].get("/api/v1/me/courses/999999/grades/").status_code == 404


# --- the student's own row --------------------------------------------------------------------------
def test_each_student_sees_their_own_row_as_the_gradebook_has_it(clients, graded):
    gradebook = clients["instructor"].get(f"/api/v1/courses/{graded.course.pk}/gradebook/").json()
    staff_rows = {row["student"]["id"]: row for row in gradebook["rows"]}
    q1, a1 = graded.quizzes["q1"], graded.assignments["a1"]
    for person in graded.students.values():
        response = client_for(person).get(url(graded.course))
        assert response.status_code == 200
        body = response.json()
        row = staff_rows[person.pk]
        assert {item["id"]: item["score"] for item in body["items"]} == row["scores"]
        for key in ("categories", "percent", "letter", "passed"):
            assert body[key] == row[key]
        assert body["pass_percent"] == 65
        assert body["items"][0] == {
            "id": f"quiz-{q1.pk}",
            "kind": "quiz",
            "object_id": q1.pk,
            "title": "Basics",
            "points": 10.0,
            "score": row["scores"][f"quiz-{q1.pk}"],
            "score_hidden": False,
        }
        assert body["items"][1]["id"] == f"assignment-{a1.pk}" and body["items"][1]["score_hidden"] is False

    # Ada, by hand (test_figures.py): 8, 36, 1, 15; 64.29 / 72.86; 69.43, B, passed.
    ada = client_for(graded.students["ada"]).get(url(graded.course)).json()
    assert [item["score"] for item in ada["items"]] == [8.0, 36.0, 1.0, 15.0]
    assert (ada["categories"], ada["percent"], ada["letter"], ada["passed"]) == (
        {"quizzes": 64.29, "assignments": 72.86},
        69.43,
        "B",
        True,
    )


@pytest.fixture
def secretive(instructor):
    """A course with a quiz that shows students pass or fail only (policy `never`, 4 points), an
    open quiz (2 points) and an assignment (10 points)."""
    course = course_for_grading(instructor)
    part = section(course, 1)
    hidden = quiz(course, title="Hidden", points=[1, 3], section=part, show_correct_answers="never")
    shown = quiz(course, title="Shown", points=[2], section=part)
    work = assignment(part, points=10, order=shown.order + 1)
    return course, hidden, shown, work


def test_a_quiz_that_hides_scores_is_withheld_and_so_are_the_totals_once_scored(instructor, secretive):
    course, hidden, shown, work = secretive
    ada = student("Ada", "Lovelace", course)
    take(ada, shown, right=[2])  # 2.00 of 2
    grade(instructor, submit(ada, work), 7)  # 7.00 of 10
    client = client_for(ada)

    # Not scored yet on the hidden quiz: its score is null and marked hidden; the totals show.
    # quizzes 2/2 = 100; assignments 7/10 = 70; percent (100 + 70) / 2 = 85.00, B, passed.
    body = client.get(url(course)).json()
    assert [(item["title"], item["score"], item["score_hidden"]) for item in body["items"]] == [
        ("Hidden", None, True),
        ("Shown", 2.0, False),
        ("Assignment", 7.0, False),
    ]
    assert (body["categories"], body["percent"], body["letter"], body["passed"]) == (
        {"quizzes": 100.0, "assignments": 70.0},
        85.0,
        "B",
        True,
    )

    # Scored (1 of 4 = 25%): the score stays withheld, and so does every total that would reveal it.
    take(ada, hidden, right=[1])
    body = client.get(url(course)).json()
    assert [(item["score"], item["score_hidden"]) for item in body["items"]] == [
        (None, True),
        (2.0, False),
        (7.0, False),
    ]
    assert body["categories"] == {"quizzes": None, "assignments": None}
    assert (body["percent"], body["letter"], body["passed"]) == (None, None, None)
    assert body["pass_percent"] == 60

    # The course's staff see it all: quizzes (1 + 2) / (4 + 2) = 50; percent (50 + 70) / 2 = 60.00, D, passed.
    (row,) = client_for(instructor).get(f"/api/v1/courses/{course.pk}/gradebook/").json()["rows"]
    assert row["scores"][f"quiz-{hidden.pk}"] == 1.0
    assert (row["categories"]["quizzes"], row["percent"], row["letter"], row["passed"]) == (50.0, 60.0, "D", True)


def test_another_students_hidden_score_does_not_hide_my_totals(secretive):
    course, hidden, shown, _ = secretive
    ada = student("Ada", "Lovelace", course)
    grace = student("Grace", "Hopper", course)
    take(ada, hidden, right=[3])
    take(grace, shown, right=[2])
    body = client_for(grace).get(url(course)).json()
    assert body["percent"] == 100.0
    assert body["items"][0]["score"] is None


# --- queries ----------------------------------------------------------------------------------------
def _queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, response.content
    return len(captured)


# The course (course_for; the user's row comes from the cache), the enrollment, the scheme, the
# quizzes with their points, the assignments, the counted attempts, the grades.
MY_GRADES_QUERIES = 7


def test_my_grades_cost_the_same_queries_whatever_the_items(instructor, django_assert_num_queries):
    few, many = course_for_grading(instructor), course_for_grading(instructor)
    ada = student("Ada", "Lovelace", few)
    course_services.enrollment_create(student=ada, course=many)
    take(ada, quiz(few, points=[1], section=section(few, 1)), right=[1])
    assignment(section(few, 2), points=10)
    part = section(many, 1)
    made = [quiz(many, points=[1], section=part) for _ in range(10)]
    works = [assignment(part, points=10) for _ in range(10)]
    for each in made[:3]:
        take(ada, each, right=[1])
    for work in works[:3]:
        grade(instructor, submit(ada, work), 5)
    client = client_for(ada)
    client.get(url(few))

    with django_assert_num_queries(MY_GRADES_QUERIES):
        assert len(client.get(url(few)).json()["items"]) == 2
    with django_assert_num_queries(MY_GRADES_QUERIES):
        body = client.get(url(many)).json()
    assert len(body["items"]) == 20
    assert body["percent"] == 75.0  # quizzes 3/3 = 100; assignments 15/30 = 50; (100 + 50) / 2
