"""The gradebook's figures against hand-computed ones (helpers.fixture_course says what each
student did), and the figures staying right as the course changes: items added and deleted,
weights changed, a student revoked."""

import pytest

from assignments import services as assignment_services
from courses import services as course_services
from courses.models import Enrollment
from gradebook import selectors, services
from lms.errors import Conflict
from quizzes import services as quiz_services

from .helpers import CUSTOM_SCALE_SORTED, D, assignment, course_for_grading, grade, quiz, section, student, submit, take

pytestmark = pytest.mark.django_db


def gradebook(client, course, **params) -> dict:
    response = client.get(f"/api/v1/courses/{course.pk}/gradebook/", params)
    assert response.status_code == 200, response.content
    return response.json()


def rows_by_last_name(body: dict) -> dict[str, dict]:
    return {row["student"]["last_name"]: row for row in body["rows"]}


# --- the fixture course ---------------------------------------------------------------------------
# Items (curriculum order): q1 Basics 10 pts (best), a1 Essay 50 pts, q2 Review 4 pts (last), a2 Project 20 pts.
#
# Ada Lovelace
#   q1: best of 80% and 20% = 80% of 10       = 8.00
#   a1: graded 40, one day late at 10%/day     = 40 - 4 = 36.00
#   q2: last of 100% then 25% = 25% of 4       = 1.00
#   a2: graded 10, re-graded 15 (latest counts) = 15.00
#   quizzes     (8 + 1) / (10 + 4)  = 9/14  = 64.2857...% -> 64.29
#   assignments (36 + 15) / (50 + 20) = 51/70 = 72.8571...% -> 72.86
#   percent (64.2857... * 40 + 72.8571... * 60) / 100 = 25.7142... + 43.7142... = 69.4285... -> 69.43
#   letter: 65 <= 69.43 < 85 -> B; passed: 69.43 >= 65 -> yes
# Grace Hopper
#   q1: 50% of 10 = 5.00; q2: none -> null
#   a1: submitted, never graded -> null; a2: attempt 1 graded 12 (attempt 2 not graded yet) = 12.00
#   quizzes 5/10 = 50.00 (q2 is left out: not scored); assignments 12/20 = 60.00 (a1 left out)
#   percent (50 * 40 + 60 * 60) / 100 = 20 + 36 = 56.00 -> C (50 <= 56 < 65); passed: 56 < 65 -> no
# Charles Babbage: nothing scored (an open attempt does not count) -> every score, category, percent, letter
#   and passed null.
ADA = {
    "scores": ["8.00", "36.00", "1.00", "15.00"],
    "categories": {"quizzes": "64.29", "assignments": "72.86"},
    "percent": "69.43",
    "letter": "B",
    "passed": True,
}
GRACE = {
    "scores": ["5.00", None, None, "12.00"],
    "categories": {"quizzes": "50.00", "assignments": "60.00"},
    "percent": "56.00",
    "letter": "C",
    "passed": False,
}
CHARLES = {
    "scores": [None, None, None, None],
    "categories": {"quizzes": None, "assignments": None},
    "percent": None,
    "letter": None,
    "passed": None,
}


def _number(value):
    return None if value is None else float(value)


def _as_json(expected: dict, item_ids: list[str]) -> dict:
    return {
        "scores": {item: _number(score) for item, score in zip(item_ids, expected["scores"], strict=True)},
        "categories": {name: _number(value) for name, value in expected["categories"].items()},
        "percent": _number(expected["percent"]),
        "letter": expected["letter"],
        "passed": expected["passed"],
    }


def test_the_selectors_compute_the_hand_computed_figures(graded):
    scheme = selectors.scheme_get(graded.course)
    assert scheme.weights == {"quizzes": 40, "assignments": 60}
    assert (scheme.pass_percent, scheme.letter_scale) == (65, CUSTOM_SCALE_SORTED)
    items = selectors.item_list_for_course(graded.course)
    assert [item.id for item in items] == graded.item_ids()
    assert [(item.title, item.points) for item in items] == [
        ("Basics", D(10)),
        ("Essay", D(50)),
        ("Review", D(4)),
        ("Project", D(20)),
    ]
    students = [graded.students[name] for name in ("charles", "grace", "ada")]

    rows = selectors.row_list(students=students, items=items, scheme=scheme)

    for row, expected in zip(rows, (CHARLES, GRACE, ADA), strict=True):
        assert [row.scores[item.id] for item in items] == [None if s is None else D(s) for s in expected["scores"]]
        assert row.categories == {k: None if v is None else D(v) for k, v in expected["categories"].items()}
        assert row.percent == (None if expected["percent"] is None else D(expected["percent"]))
        assert (row.letter, row.passed) == (expected["letter"], expected["passed"])


def test_the_api_shows_the_same_figures_by_name(clients, graded):
    body = gradebook(clients["instructor"], graded.course)

    assert body["count"] == 3 and body["next"] is None and body["previous"] is None
    q1, q2 = graded.quizzes["q1"], graded.quizzes["q2"]
    a1, a2 = graded.assignments["a1"], graded.assignments["a2"]
    assert body["items"] == [
        {"id": f"quiz-{q1.pk}", "kind": "quiz", "object_id": q1.pk, "title": "Basics", "points": 10.0},
        {"id": f"assignment-{a1.pk}", "kind": "assignment", "object_id": a1.pk, "title": "Essay", "points": 50.0},
        {"id": f"quiz-{q2.pk}", "kind": "quiz", "object_id": q2.pk, "title": "Review", "points": 4.0},
        {"id": f"assignment-{a2.pk}", "kind": "assignment", "object_id": a2.pk, "title": "Project", "points": 20.0},
    ]
    # By last name: Babbage, Hopper, Lovelace.
    assert [row["student"]["last_name"] for row in body["rows"]] == ["Babbage", "Hopper", "Lovelace"]
    ada = graded.students["ada"]
    assert body["rows"][2]["student"] == {
        "id": ada.pk,
        "first_name": "Ada",
        "last_name": "Lovelace",
        "full_name": "Ada Lovelace",
    }
    ids = graded.item_ids()
    for row, expected in zip(body["rows"], (CHARLES, GRACE, ADA), strict=True):
        assert {key: row[key] for key in ("scores", "categories", "percent", "letter", "passed")} == _as_json(
            expected, ids
        )


def test_the_default_scheme_grades_the_same_scores_differently(clients, instructor):
    # Same scores, default scheme (50/50, pass 60, A-F by tens):
    # Ada   (64.2857... + 72.8571...) / 2 = 68.5714... -> 68.57, D, passed
    # Grace (50 + 60) / 2 = 55.00 -> F, not passed
    from .helpers import fixture_course

    course = fixture_course(instructor).course
    services.grading_reset(actor=instructor, course=course)

    rows = rows_by_last_name(gradebook(clients["instructor"], course))

    assert (rows["Lovelace"]["percent"], rows["Lovelace"]["letter"], rows["Lovelace"]["passed"]) == (68.57, "D", True)
    assert (rows["Hopper"]["percent"], rows["Hopper"]["letter"], rows["Hopper"]["passed"]) == (55.0, "F", False)
    assert rows["Babbage"]["percent"] is None


def test_a_course_with_quizzes_only_grades_on_its_quizzes(clients, instructor):
    # Quiz of 2 + 3 + 5 = 10 points; Ada right on 2 and 5 = 70% -> 7.00. No assignments, so their weight
    # goes to the quizzes: percent = 70.00 under 50/50 and under 40/60 alike. Default scale: C; pass 60: yes.
    course = course_for_grading(instructor)
    only = quiz(course, points=[2, 3, 5], section=section(course, 1))
    ada = student("Ada", "Lovelace", course)
    take(ada, only, right=[2, 5])
    expected = {
        "scores": {f"quiz-{only.pk}": 7.0},
        "categories": {"quizzes": 70.0, "assignments": None},
        "percent": 70.0,
        "letter": "C",
        "passed": True,
    }

    (row,) = gradebook(clients["instructor"], course)["rows"]
    assert {key: row[key] for key in expected} == expected

    services.grading_update(actor=instructor, course=course, weights={"quizzes": 40, "assignments": 60})
    (row,) = gradebook(clients["instructor"], course)["rows"]
    assert {key: row[key] for key in expected} == expected


def test_a_course_with_assignments_only_grades_on_its_assignments(clients, instructor):
    # 20 points graded 17 -> 85.00 under any weights; default scale B; passed.
    course = course_for_grading(instructor)
    work = assignment(section(course, 1), points=20)
    ada = student("Ada", "Lovelace", course)
    grade(instructor, submit(ada, work), 17)
    services.grading_update(actor=instructor, course=course, weights={"quizzes": 90, "assignments": 10})

    (row,) = gradebook(clients["instructor"], course)["rows"]

    assert row["scores"] == {f"assignment-{work.pk}": 17.0}
    assert row["categories"] == {"quizzes": None, "assignments": 85.0}
    assert (row["percent"], row["letter"], row["passed"]) == (85.0, "B", True)


def test_an_item_without_points_shows_but_does_not_count(clients, instructor):
    # A quiz with no questions yet is worth 0 points: a column, never a score, no effect on totals.
    course = course_for_grading(instructor)
    first = section(course, 1)
    scored = quiz(course, title="Scored", points=[1, 3], section=first)
    empty = quiz(course, title="Empty", points=[], section=first)
    ada = student("Ada", "Lovelace", course)
    take(ada, scored, right=[3])  # 3/4 = 75% -> 3.00

    body = gradebook(clients["instructor"], course)

    assert [(item["title"], item["points"]) for item in body["items"]] == [("Scored", 4.0), ("Empty", 0.0)]
    (row,) = body["rows"]
    assert row["scores"] == {f"quiz-{scored.pk}": 3.0, f"quiz-{empty.pk}": None}
    assert row["percent"] == 75.0


# --- the course changing ----------------------------------------------------------------------------
def test_a_new_item_is_a_column_of_nulls_until_scored(clients, instructor, graded):
    course = graded.course
    later = section(course, 3)
    extra_quiz = quiz(course, title="Extra", points=[6], section=later)
    extra_work = assignment(later, title="Extra work", points=30, order=extra_quiz.order + 1)

    body = gradebook(clients["instructor"], course)

    assert [item["id"] for item in body["items"]] == [
        *graded.item_ids(),
        f"quiz-{extra_quiz.pk}",
        f"assignment-{extra_work.pk}",
    ]
    rows = rows_by_last_name(body)
    for row in rows.values():
        assert row["scores"][f"quiz-{extra_quiz.pk}"] is None
        assert row["scores"][f"assignment-{extra_work.pk}"] is None
    assert (rows["Lovelace"]["percent"], rows["Hopper"]["percent"]) == (69.43, 56.0)  # unchanged

    # Grace scores the new quiz 6/6 and the new work 15/30:
    # quizzes (5 + 6) / (10 + 6) = 68.75; assignments (12 + 15) / (20 + 30) = 54.00
    # percent 68.75 * 0.4 + 54 * 0.6 = 27.5 + 32.4 = 59.90 -> C, not passed (65)
    grace = graded.students["grace"]
    take(grace, extra_quiz, right=[6])
    grade(instructor, submit(grace, extra_work), 15)

    row = rows_by_last_name(gradebook(clients["instructor"], course))["Hopper"]
    assert row["scores"][f"quiz-{extra_quiz.pk}"] == 6.0
    assert row["scores"][f"assignment-{extra_work.pk}"] == 15.0
    assert row["categories"] == {"quizzes": 68.75, "assignments": 54.0}
    assert (row["percent"], row["letter"], row["passed"]) == (59.9, "C", False)


def test_a_deleted_item_leaves_the_gradebook(clients, instructor, graded):
    course = graded.course
    spare_quiz = quiz(course, title="Spare", points=[2], section=section(course, 3))
    spare_work = assignment(spare_quiz.section, title="Spare work", points=10)
    assert len(gradebook(clients["instructor"], course)["items"]) == 6

    quiz_services.quiz_delete(actor=instructor, quiz=spare_quiz)
    from assignments import services as assignment_services

    assignment_services.assignment_delete(actor=instructor, assignment=spare_work)

    body = gradebook(clients["instructor"], course)
    assert [item["id"] for item in body["items"]] == graded.item_ids()
    rows = rows_by_last_name(body)
    assert set(rows["Lovelace"]["scores"]) == set(graded.item_ids())
    assert (rows["Lovelace"]["percent"], rows["Hopper"]["percent"]) == (69.43, 56.0)


def test_a_scored_item_cannot_be_deleted_so_no_score_is_lost(instructor, graded):
    from assignments import services as assignment_services

    with pytest.raises(Conflict):
        quiz_services.quiz_delete(actor=instructor, quiz=graded.quizzes["q1"])
    with pytest.raises(Conflict):
        assignment_services.assignment_delete(actor=instructor, assignment=graded.assignments["a1"])
    assert [item.id for item in selectors.item_list_for_course(graded.course)] == graded.item_ids()


def test_a_question_removed_rescales_the_quiz(clients, instructor, graded):
    # q1 loses its 5-point question: worth 2 + 3 = 5 points. Scores are the counted attempt's percent of
    # the quiz's points now: Ada 80% of 5 = 4.00, Grace 50% of 5 = 2.50.
    # Ada quizzes (4 + 1) / (5 + 4) = 55.5555...; percent 55.5555... * 0.4 + 72.8571... * 0.6
    #   = 22.2222... + 43.7142... = 65.9365... -> 65.94, B, passed.
    q1 = graded.quizzes["q1"]
    quiz_services.question_delete(actor=instructor, question=q1.questions.get(points=5))

    rows = rows_by_last_name(gradebook(clients["instructor"], graded.course))

    assert rows["Lovelace"]["scores"][f"quiz-{q1.pk}"] == 4.0
    assert rows["Hopper"]["scores"][f"quiz-{q1.pk}"] == 2.5
    assert rows["Lovelace"]["categories"]["quizzes"] == 55.56
    assert (rows["Lovelace"]["percent"], rows["Lovelace"]["letter"]) == (65.94, "B")


def test_an_assignment_s_points_changed_after_grading_rescale_its_scores(clients, instructor, graded):
    # a2 goes from 20 to 40 points: a grade keeps its percent (Ada 15/20 = 75%, Grace 12/20 = 60%) of
    # the points now: Ada 75% of 40 = 30.00, Grace 60% of 40 = 24.00.
    # Ada assignments (36 + 30) / (50 + 40) = 73.3333...; percent 64.2857... * 0.4 + 73.3333... * 0.6
    #   = 25.7142... + 44.0 = 69.7142... -> 69.71, B. Never past 100%: the percent is kept, not the points.
    a2 = graded.assignments["a2"]
    assignment_services.assignment_update(actor=instructor, assignment=a2, data={"points": 40})

    rows = rows_by_last_name(gradebook(clients["instructor"], graded.course))

    assert rows["Lovelace"]["scores"][f"assignment-{a2.pk}"] == 30.0
    assert rows["Hopper"]["scores"][f"assignment-{a2.pk}"] == 24.0
    assert rows["Lovelace"]["categories"]["assignments"] == 73.33
    assert (rows["Lovelace"]["percent"], rows["Lovelace"]["letter"]) == (69.71, "B")


def test_reweighting_changes_the_totals_at_once(clients, graded):
    # 70 / 30: Ada 64.2857... * 0.7 + 72.8571... * 0.3 = 45.0 + 21.8571... = 66.8571... -> 66.86 (B, passed)
    #          Grace 50 * 0.7 + 60 * 0.3 = 35 + 18 = 53.00 (C)
    url = f"/api/v1/courses/{graded.course.pk}/grading/"
    response = clients["instructor"].patch(url, {"weights": {"quizzes": 70, "assignments": 30}}, format="json")
    assert response.status_code == 200, response.content

    rows = rows_by_last_name(gradebook(clients["instructor"], graded.course))
    assert (rows["Lovelace"]["percent"], rows["Lovelace"]["letter"], rows["Lovelace"]["passed"]) == (66.86, "B", True)
    assert (rows["Hopper"]["percent"], rows["Hopper"]["letter"]) == (53.0, "C")
    assert rows["Lovelace"]["categories"] == {"quizzes": 64.29, "assignments": 72.86}  # categories unchanged

    # A pass mark of 70 fails Ada (66.86); a scale starting B at 66 keeps her a B, Grace an F below 60.
    response = clients["instructor"].patch(
        url,
        {"pass_percent": 70, "letter_scale": [{"letter": "B", "min_percent": 66}, {"letter": "F", "min_percent": 0}]},
        format="json",
    )
    assert response.status_code == 200, response.content
    rows = rows_by_last_name(gradebook(clients["instructor"], graded.course))
    assert (rows["Lovelace"]["letter"], rows["Lovelace"]["passed"]) == ("B", False)
    assert (rows["Hopper"]["letter"], rows["Hopper"]["passed"]) == ("F", False)


def test_a_revoked_student_leaves_the_gradebook_and_returns_with_their_scores(clients, admin_user, graded):
    course = graded.course
    grace = graded.students["grace"]
    enrollment = Enrollment.objects.get(student=grace, course=course)

    course_services.enrollment_revoke(actor=admin_user, enrollment=enrollment)

    body = gradebook(clients["instructor"], course)
    assert body["count"] == 2
    assert [row["student"]["last_name"] for row in body["rows"]] == ["Babbage", "Lovelace"]
    assert rows_by_last_name(body)["Lovelace"]["percent"] == 69.43

    course_services.enrollment_create(student=grace, course=course)  # re-enrolled: nothing was lost
    body = gradebook(clients["instructor"], course)
    assert body["count"] == 3
    assert rows_by_last_name(body)["Hopper"]["percent"] == 56.0
