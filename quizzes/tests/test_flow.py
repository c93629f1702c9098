import pytest

from courses.tests.factories import EnrollmentFactory, PublishedCourseFactory

pytestmark = pytest.mark.django_db


def test_instructor_builds_a_quiz_and_a_student_passes_it(clients, student, instructor):
    course = PublishedCourseFactory(instructor=instructor, lessons=1)
    EnrollmentFactory(student=student, course=course)
    ic, sc = clients["instructor"], clients["student"]
    r = ic.post(
        f"/api/v1/courses/{course.pk}/quizzes/",
        {"title": "Q1", "passing_score": 50, "time_limit_seconds": 60, "max_attempts": 2},
    )
    assert r.status_code == 201, r.content
    qid = r.json()["id"]
    r = ic.post(
        f"/api/v1/quizzes/{qid}/questions/",
        {"type": "single_choice", "text": "2+2?", "choices": [{"text": "4", "is_correct": True}, {"text": "5"}]},
    )
    assert r.status_code == 201, r.content
    q1 = r.json()
    r = ic.post(
        f"/api/v1/quizzes/{qid}/questions/",
        {"type": "numeric", "text": "pi?", "numeric_answer": "3.14", "tolerance": "0.01"},
    )
    assert r.status_code == 201, r.content
    q2 = r.json()
    r = ic.post(
        f"/api/v1/quizzes/{qid}/questions/",
        {"type": "single_choice", "text": "bad", "choices": [{"text": "4"}, {"text": "5"}]},
    )
    assert r.status_code == 400, r.content
    assert "choices" in r.json()
    r = sc.get(f"/api/v1/courses/{course.pk}/quizzes/")
    assert r.status_code == 200, r.content
    r = sc.post(f"/api/v1/quizzes/{qid}/attempts/")
    assert r.status_code == 201, r.content
    att = r.json()
    assert "is_correct" not in str(att["questions"])
    r = sc.post(f"/api/v1/quizzes/{qid}/attempts/")
    assert r.status_code == 200
    r = sc.patch(f"/api/v1/attempts/{att['id']}/", {"answers": [{"question": q2["id"], "number": 3.141}]})
    assert r.status_code == 200, r.content
    right = [c["id"] for c in q1["choices"] if c["is_correct"]]
    r = sc.post(f"/api/v1/attempts/{att['id']}/submit/", {"answers": [{"question": q1["id"], "choice_ids": right}]})
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["percent"] == "100.00" and body["passed"] and len(body["feedback"]) == 2, body
    r = sc.post(f"/api/v1/attempts/{att['id']}/submit/", {"answers": []})
    assert r.status_code == 409
    r = sc.get(f"/api/v1/courses/{course.pk}/progress/")
    assert r.json()["passed_quizzes"] == [qid], r.json()
    r = ic.get(f"/api/v1/quizzes/{qid}/results/")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["attempt_count"] == 1 and body["pass_rate"] == 1.0 and body["average_percent"] == "100.00"
    assert [q["share_correct"] for q in body["questions"]] == [1.0, 1.0]
