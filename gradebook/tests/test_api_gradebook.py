"""GET /api/v1/courses/{id}/gradebook/ (JSON): who may, pages of students by name, bad paging
input, and the queries a page costs, pinned whatever the number of students and items."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.tests.factories import StudentFactory
from courses.tests.factories import CourseFactory, EnrollmentFactory
from quizzes.models import Attempt

from .helpers import STAFF_ONLY, assignment, course_for_grading, grade, quiz, section, student, submit

pytestmark = pytest.mark.django_db


def url(course, query: str = "") -> str:
    return f"/api/v1/courses/{course.pk}/gradebook/{query}"


# --- who may ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(("role", "code"), STAFF_ONLY)
def test_get(clients, graded, student, role, code):
    EnrollmentFactory(student=student, course=graded.course)  # an enrolled student still may not
    response = clients[role].get(url(graded.course))
    assert response.status_code == code, response.content
    if code == 200:
        body = response.json()
        assert body["count"] == 4
        assert {row["student"]["id"] for row in body["rows"]} == {
            student.pk,
            *(s.pk for s in graded.students.values()),
        }
    elif code == 403:
        assert response.json()["code"] == "not_course_staff"
        assert "Ada" not in response.content.decode()


@pytest.mark.parametrize(("role", "code"), STAFF_ONLY)
def test_get_csv(clients, graded, role, code):
    response = clients[role].get(url(graded.course, "?format=csv"))
    assert response.status_code == code, response.content
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    if code == 200:
        assert response.content.decode().count("\r\n") == 4  # the header and three students
    else:
        assert "Lovelace" not in response.content.decode()
        assert "Content-Disposition" not in response


@pytest.mark.parametrize(("role", "code"), [("student", 404), ("other_instructor", 404), ("admin", 200)])
def test_a_draft_course_is_hidden_from_those_who_cannot_see_it(clients, instructor, role, code):
    draft = CourseFactory(instructor=instructor)
    assert clients[role].get(url(draft)).status_code == code
    assert clients["instructor"].get(url(draft)).status_code == 200


def test_an_unknown_course_is_404(clients):
    assert clients["admin"].get("/api/v1/courses/999999/gradebook/").status_code == 404


def test_an_empty_course(clients, instructor):
    course = course_for_grading(instructor)
    response = clients["instructor"].get(url(course))
    assert response.json() == {"count": 0, "next": None, "previous": None, "items": [], "rows": []}


# --- pages ------------------------------------------------------------------------------------------
@pytest.fixture
def crowd(instructor):
    """A course with five students whose names sort by last name, then first name, then id."""
    course = course_for_grading(instructor)
    work = assignment(section(course, 1), points=10)
    twin_a = student("Sam", "Adams", course)
    twin_b = student("Sam", "Adams", course)  # the same name: the older id first
    people = [
        student("Zoe", "Young", course),
        twin_b,
        student("Ann", "Young", course),
        twin_a,
        student("Bea", "Adams", course),
    ]
    grade(instructor, submit(people[0], work), 9)  # Zoe Young: 9.00
    ordered = [people[4], twin_a, twin_b, people[2], people[0]]  # Bea Adams, Sam Adams x2, Ann Young, Zoe Young
    return course, work, ordered


def test_students_are_ordered_by_last_name_first_name_then_id(clients, crowd):
    course, _, ordered = crowd
    body = clients["instructor"].get(url(course)).json()
    assert [row["student"]["id"] for row in body["rows"]] == [user.pk for user in ordered]
    assert ordered[1].pk < ordered[2].pk


def test_pages_of_students(clients, crowd):
    course, work, ordered = crowd
    client = clients["instructor"]

    first = client.get(url(course, "?page_size=2")).json()
    assert first["count"] == 5
    assert [row["student"]["id"] for row in first["rows"]] == [ordered[0].pk, ordered[1].pk]
    assert first["previous"] is None
    assert first["next"].endswith(url(course, "?page=2&page_size=2"))
    assert [item["id"] for item in first["items"]] == [f"assignment-{work.pk}"]  # every page names the items

    second = client.get(first["next"]).json()
    assert [row["student"]["id"] for row in second["rows"]] == [ordered[2].pk, ordered[3].pk]
    assert second["previous"] is not None and second["next"] is not None

    last = client.get(url(course, "?page=3&page_size=2")).json()
    assert [row["student"]["id"] for row in last["rows"]] == [ordered[4].pk]
    assert last["next"] is None
    assert last["rows"][0]["scores"] == {f"assignment-{work.pk}": 9.0}
    assert last["rows"][0]["percent"] == 90.0

    assert client.get(url(course, "?page=last&page_size=2")).json()["rows"] == last["rows"]


def test_the_default_page_is_20_students_and_page_size_is_capped_at_100(clients, instructor):
    course = course_for_grading(instructor)
    for user in StudentFactory.create_batch(21):
        EnrollmentFactory(student=user, course=course)
    client = clients["instructor"]
    assert len(client.get(url(course)).json()["rows"]) == 20
    body = client.get(url(course, "?page_size=1000")).json()
    assert (body["count"], len(body["rows"]), body["next"]) == (21, 21, None)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("?page=0", "page"),
        ("?page=x", "page"),
        ("?page=-1", "page"),
        ("?page=1.5", "page"),
        ("?page_size=0", "page_size"),
        ("?page_size=x", "page_size"),
        ("?page_size=-3", "page_size"),
    ],
)
def test_bad_paging_is_a_400_naming_the_parameter(clients, crowd, query, field):
    course, _, _ = crowd
    response = clients["instructor"].get(url(course, query))
    assert response.status_code == 400, response.content
    assert response.json() == {field: ["Enter a whole number from 1."]}


def test_a_page_past_the_end_is_a_404(clients, crowd):
    course, _, _ = crowd
    assert clients["instructor"].get(url(course, "?page=2")).status_code == 404


def test_an_unknown_format_is_a_404_not_a_500(clients, crowd):
    course, _, _ = crowd
    assert clients["instructor"].get(url(course, "?format=xml")).status_code == 404


# --- queries ----------------------------------------------------------------------------------------
T0 = timezone.now() - timedelta(days=1)


def _course_with(instructor, *, students: int, quizzes: int, assignments: int):
    """A course with that many students and items, every student with a counted quiz attempt
    (an Attempt row as grading leaves it) and the first student graded on every assignment."""
    course = course_for_grading(instructor)
    part = section(course, 1)
    made_quizzes = [quiz(course, points=[1], section=part) for _ in range(quizzes)]
    made_assignments = [assignment(part, points=10) for _ in range(assignments)]
    people = StudentFactory.create_batch(students)
    for person in people:
        EnrollmentFactory(student=person, course=course)
        for n, made in enumerate(made_quizzes):
            Attempt.objects.create(
                quiz=made,
                student=person,
                number=1,
                started_at=T0,
                submitted_at=T0 + timedelta(minutes=n + 1),
                score=Decimal(1),
                max_score=Decimal(1),
                percent=Decimal(100),
                passed=True,
            )
    for made in made_assignments:
        grade(instructor, submit(people[0], made), 5)
    return course


def _queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, response.content
    return len(captured)


# The page (the user's row comes from the cache, accounts.auth_cache): the course (course_for), the
# scheme, the quizzes with their points, the assignments, the count, the page of enrollments with their
# students, the counted quiz attempts, the graded submissions.
PAGE_QUERIES = 8


def test_a_page_costs_the_same_queries_whatever_the_students(clients, instructor, django_assert_num_queries):
    small = _course_with(instructor, students=1, quizzes=1, assignments=1)
    large = _course_with(instructor, students=25, quizzes=1, assignments=1)
    client = clients["instructor"]
    client.get(url(small))  # warm up: nothing cached is counted below
    with django_assert_num_queries(PAGE_QUERIES):
        assert len(client.get(url(small)).json()["rows"]) == 1
    with django_assert_num_queries(PAGE_QUERIES):
        assert len(client.get(url(large, "?page_size=25")).json()["rows"]) == 25


def test_a_page_costs_the_same_queries_whatever_the_items(clients, instructor, django_assert_num_queries):
    few = _course_with(instructor, students=3, quizzes=1, assignments=1)
    many = _course_with(instructor, students=3, quizzes=10, assignments=10)
    client = clients["instructor"]
    client.get(url(few))
    with django_assert_num_queries(PAGE_QUERIES):
        assert len(client.get(url(few)).json()["items"]) == 2
    with django_assert_num_queries(PAGE_QUERIES):
        body = client.get(url(many)).json()
    assert len(body["items"]) == 20
    assert all(score == 1.0 for row in body["rows"] for item, score in row["scores"].items() if "quiz" in item)


def test_a_page_of_a_scheme_saved_costs_the_same(clients, instructor):
    from gradebook import services

    course = _course_with(instructor, students=2, quizzes=2, assignments=2)
    client = clients["instructor"]
    client.get(url(course))
    before = _queries(client, url(course))
    services.grading_update(actor=instructor, course=course, pass_percent=50)
    assert _queries(client, url(course)) == before == PAGE_QUERIES
