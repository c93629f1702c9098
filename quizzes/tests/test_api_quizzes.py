"""Quizzes through the API: listing, adding, reading, editing and deleting them, for every role."""

import pytest

from courses.tests.factories import CourseFactory
from quizzes.models import Question, Quiz
from quizzes.tests.factories import QuizFactory
from quizzes.tests.helpers import (
    CREATE,
    DELETE,
    MANAGE,
    READ,
    start,
)

pytestmark = pytest.mark.django_db

SINGLE_CHOICE = {
    "type": "single_choice",
    "text": "Pick one",
    "choices": [{"text": "yes", "is_correct": True}, {"text": "no"}],
}


@pytest.mark.parametrize(("role", "code"), READ)
def test_list_course_quizzes(clients, enrollment, quiz, questions, role, code):
    QuizFactory(course=quiz.course, title="Second")
    response = clients[role].get(f"/api/v1/courses/{quiz.course_id}/quizzes/")
    assert response.status_code == code
    if code == 200:
        body = response.json()
        rows = body["results"] if isinstance(body, dict) else body
        assert [q["title"] for q in rows] == [quiz.title, "Second"]
        assert rows[0]["question_count"] == 5
        assert rows[0]["total_points"] == 6
        assert "questions" not in rows[0]


@pytest.mark.parametrize(("role", "code"), CREATE)
def test_create_quiz(clients, enrollment, course, role, code):
    payload = {
        "title": "New quiz",
        "description": "About it",
        "passing_score": 80,
        "time_limit_seconds": 600,
        "max_attempts": None,
        "shuffle_questions": True,
        "show_correct_answers": "after_pass",
        "is_required": False,
    }
    response = clients[role].post(f"/api/v1/courses/{course.pk}/quizzes/", payload)
    assert response.status_code == code, response.content
    if code == 201:
        body = response.json()
        for field, value in payload.items():
            assert body[field] == value, field
        assert body["questions"] == []
        assert Quiz.objects.get(pk=body["id"]).course == course
    else:
        assert not Quiz.objects.exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"passing_score": 101}, "passing_score"),
        ({"passing_score": -1}, "passing_score"),
        ({"max_attempts": 0}, "max_attempts"),
        ({"time_limit_seconds": 5}, "time_limit_seconds"),
        ({"show_correct_answers": "sometimes"}, "show_correct_answers"),
        ({"title": ""}, "title"),
    ],
)
def test_create_quiz_validates(clients, course, payload, field):
    response = clients["instructor"].post(f"/api/v1/courses/{course.pk}/quizzes/", {"title": "T", **payload})
    assert response.status_code == 400
    assert field in response.json()


def test_create_quiz_in_a_section_of_another_course_is_400(clients, course):
    other_section = CourseFactory().sections.create(title="Elsewhere", order=1)
    response = clients["instructor"].post(
        f"/api/v1/courses/{course.pk}/quizzes/", {"title": "T", "section": other_section.pk}
    )
    assert response.status_code == 400
    assert "section" in response.json()


@pytest.mark.parametrize("role", ["student", "other_instructor", "other_student"])
def test_quizzes_of_a_draft_course_are_hidden(clients, instructor, student, role):
    draft = CourseFactory(instructor=instructor)
    quiz = QuizFactory(course=draft)
    assert clients[role].get(f"/api/v1/courses/{draft.pk}/quizzes/").status_code == 404
    assert clients[role].get(f"/api/v1/quizzes/{quiz.pk}/").status_code == 404
    assert clients["instructor"].get(f"/api/v1/quizzes/{quiz.pk}/").status_code == 200


def test_unknown_course_and_quiz_are_404(clients):
    assert clients["instructor"].get("/api/v1/courses/999999/quizzes/").status_code == 404
    assert clients["admin"].get("/api/v1/quizzes/999999/").status_code == 404


@pytest.mark.parametrize(("role", "code"), READ)
def test_retrieve_quiz(clients, enrollment, quiz, questions, role, code):
    response = clients[role].get(f"/api/v1/quizzes/{quiz.pk}/")
    assert response.status_code == code
    if code == 200:
        body = response.json()
        assert body["id"] == quiz.pk
        if role in ("instructor", "admin"):
            assert len(body["questions"]) == 5
            assert any(c["is_correct"] for c in body["questions"][0]["choices"])
        else:
            assert body["questions"] is None
            assert body["my_attempts"] == {"used": 0, "left": None, "best_percent": None, "passed": False}


@pytest.mark.parametrize(("role", "code"), MANAGE)
def test_patch_quiz(clients, enrollment, quiz, role, code):
    response = clients[role].patch(f"/api/v1/quizzes/{quiz.pk}/", {"title": "Renamed", "max_attempts": 3})
    assert response.status_code == code
    quiz.refresh_from_db()
    if code == 200:
        assert response.json()["title"] == "Renamed"
        assert (quiz.title, quiz.max_attempts) == ("Renamed", 3)
    else:
        assert quiz.title != "Renamed"


@pytest.mark.parametrize(("role", "code"), MANAGE)
def test_put_quiz(clients, enrollment, quiz, role, code):
    payload = {"title": "Replaced", "passing_score": 90, "show_correct_answers": "never", "max_attempts": None}
    response = clients[role].put(f"/api/v1/quizzes/{quiz.pk}/", payload)
    assert response.status_code == code
    if code == 200:
        quiz.refresh_from_db()
        assert (quiz.title, quiz.passing_score, quiz.show_correct_answers) == ("Replaced", 90, "never")


def test_put_quiz_needs_a_title(clients, quiz):
    response = clients["instructor"].put(f"/api/v1/quizzes/{quiz.pk}/", {"passing_score": 90})
    assert response.status_code == 400
    assert "title" in response.json()


def test_patch_quiz_order_moves_it(clients, quiz):
    second = QuizFactory(course=quiz.course)
    response = clients["instructor"].patch(f"/api/v1/quizzes/{second.pk}/", {"order": 1})
    assert response.status_code == 200
    assert list(Quiz.objects.filter(course=quiz.course).values_list("pk", flat=True)) == [second.pk, quiz.pk]


@pytest.mark.parametrize(("role", "code"), DELETE)
def test_delete_quiz_without_attempts(clients, enrollment, quiz, questions, role, code):
    response = clients[role].delete(f"/api/v1/quizzes/{quiz.pk}/")
    assert response.status_code == code
    assert Quiz.objects.filter(pk=quiz.pk).exists() is (code != 204)
    if code == 204:
        assert not Question.objects.filter(quiz_id=quiz.pk).exists()


@pytest.mark.parametrize("role", ["instructor", "admin"])
def test_delete_quiz_with_attempts_is_409(clients, enrollment, quiz, questions, role):
    start(clients["student"], quiz)
    response = clients[role].delete(f"/api/v1/quizzes/{quiz.pk}/")
    assert response.status_code == 409
    assert response.json()["code"] == "quiz_has_attempts"
    assert Quiz.objects.filter(pk=quiz.pk).exists()


def test_refusals_keep_their_messages_and_say_their_code(clients, enrollment, quiz, questions):
    def refused(response, detail, code):
        assert response.status_code == 403, response.content
        assert response.json() == {"detail": detail, "code": code}

    other, course = clients["other_student"], quiz.course_id
    see, take = "Enroll in this course to see its quizzes.", "Enroll in this course to take its quizzes."
    refused(other.get(f"/api/v1/courses/{course}/quizzes/"), see, "not_enrolled")
    refused(other.get(f"/api/v1/quizzes/{quiz.pk}/"), see, "not_enrolled")
    refused(other.get(f"/api/v1/quizzes/{quiz.pk}/attempts/"), see, "not_enrolled")
    refused(other.post(f"/api/v1/quizzes/{quiz.pk}/attempts/"), take, "not_enrolled")
    refused(
        clients["other_instructor"].post(f"/api/v1/courses/{course}/quizzes/", {"title": "T"}),
        "Only the course's instructor or an admin can change its quizzes.",
        "not_course_staff",
    )
    refused(
        clients["student"].patch(f"/api/v1/quizzes/{quiz.pk}/", {"title": "T"}),
        "Only the course's instructor or an admin can change it.",
        "not_course_staff",
    )
    refused(
        clients["student"].get(f"/api/v1/questions/{questions['single'].pk}/"),
        "Only the course's instructor or an admin can change it.",
        "not_course_staff",
    )
    attempt = start(clients["student"], quiz)
    refused(
        clients["instructor"].post(f"/api/v1/attempts/{attempt['id']}/submit/", {"answers": []}),
        "Only the student who started this attempt can answer it.",
        "not_attempt_owner",
    )
    refused(
        clients["admin"].patch(f"/api/v1/attempts/{attempt['id']}/", {"answers": []}),
        "Only the student who started this attempt can answer it.",
        "not_attempt_owner",
    )


@pytest.mark.parametrize("garbage", ["abc", "0", "99999999999999999999999"])
def test_garbage_ids_are_404(clients, garbage):
    for path in (f"/api/v1/quizzes/{garbage}/", f"/api/v1/questions/{garbage}/", f"/api/v1/attempts/{garbage}/"):
        assert clients["admin"].get(path).status_code == 404, path
