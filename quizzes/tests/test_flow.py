"""End to end through the API: an instructor builds a quiz, a student takes and passes it."""

import pytest

from courses.tests.factories import EnrollmentFactory, PublishedCourseFactory

pytestmark = pytest.mark.django_db


def test_instructor_builds_a_quiz_and_a_student_passes_it(clients, student, instructor):
    course = PublishedCourseFactory(instructor=instructor, lessons=1)
    EnrollmentFactory(student=student, course=course)
    teacher, learner = clients["instructor"], clients["student"]

    r = teacher.post(
        f"/api/v1/courses/{course.pk}/quizzes/",
        {
            "title": "Q1",
            "passing_score": 50,
            "time_limit_seconds": 60,
            "max_attempts": 2,
            "show_correct_answers": "after_submit",
        },
    )
    assert r.status_code == 201, r.content
    quiz_id = r.json()["id"]
    r = teacher.post(
        f"/api/v1/quizzes/{quiz_id}/questions/",
        {"type": "single_choice", "text": "2+2?", "choices": [{"text": "4", "is_correct": True}, {"text": "5"}]},
    )
    assert r.status_code == 201, r.content
    q1 = r.json()
    r = teacher.post(
        f"/api/v1/quizzes/{quiz_id}/questions/",
        {"type": "numeric", "text": "pi?", "numeric_answer": "3.14", "tolerance": "0.01"},
    )
    assert r.status_code == 201, r.content
    q2 = r.json()
    r = teacher.post(
        f"/api/v1/quizzes/{quiz_id}/questions/",
        {"type": "single_choice", "text": "bad", "choices": [{"text": "4"}, {"text": "5"}]},
    )
    assert r.status_code == 400
    assert "choices" in r.json()

    assert learner.get(f"/api/v1/courses/{course.pk}/quizzes/").status_code == 200
    r = learner.post(f"/api/v1/quizzes/{quiz_id}/attempts/")
    assert r.status_code == 201, r.content
    attempt = r.json()
    assert "is_correct" not in str(attempt["questions"])
    assert learner.post(f"/api/v1/quizzes/{quiz_id}/attempts/").json()["id"] == attempt["id"]

    r = learner.patch(f"/api/v1/attempts/{attempt['id']}/", {"answers": [{"question": q2["id"], "number": 3.141}]})
    assert r.status_code == 200, r.content
    right = [c["id"] for c in q1["choices"] if c["is_correct"]]
    r = learner.post(
        f"/api/v1/attempts/{attempt['id']}/submit/", {"answers": [{"question": q1["id"], "choice_ids": right}]}
    )
    assert r.status_code == 200, r.content
    graded = r.json()
    assert graded["percent"] == "100.00"
    assert graded["passed"] is True
    assert len(graded["feedback"]) == 2
    assert learner.post(f"/api/v1/attempts/{attempt['id']}/submit/", {"answers": []}).status_code == 409
    assert learner.get(f"/api/v1/courses/{course.pk}/progress/").json()["passed_quizzes"] == [quiz_id]

    r = teacher.get(f"/api/v1/quizzes/{quiz_id}/results/")
    assert r.status_code == 200, r.content
    results = r.json()
    assert results["attempt_count"] == 1
    assert results["pass_rate"] == 1.0
    assert results["average_percent"] == "100.00"
    assert [q["share_correct"] for q in results["questions"]] == [1.0, 1.0]
