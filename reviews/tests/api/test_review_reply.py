"""POST / PATCH / DELETE /reviews/{id}/reply/: the course's instructor answers, once, and the reviewer is told."""

import pytest

from notifications.models import Notification
from reviews.models import InstructorReply
from reviews.tests.factories import InstructorReplyFactory, assert_figures_exact, reviews_url

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", 401),
        ("student", 403),
        ("other_student", 403),
        ("instructor", 201),
        ("other_instructor", 403),
        ("admin", 403),
    ],
)
def test_only_the_course_instructor_replies(clients, role, expected, review):
    response = clients[role].post(f"/api/v1/reviews/{review.pk}/reply/", {"body": "Thanks for the feedback"})
    assert response.status_code == expected, response.content
    assert InstructorReply.objects.filter(review=review).exists() == (expected == 201)
    if expected == 201:
        body = response.json()
        assert body["body"] == "Thanks for the feedback" and body["created_at"]


def test_the_instructor_replies_once_then_edits_and_deletes(clients, review, course):
    url = f"/api/v1/reviews/{review.pk}/reply/"
    instructor = clients["instructor"]
    assert instructor.patch(url, {"body": "nothing to edit"}).status_code == 404
    assert instructor.delete(url).status_code == 404
    assert instructor.post(url, {"body": "Thanks"}).status_code == 201
    assert instructor.post(url, {"body": "Thanks again"}).status_code == 409
    assert InstructorReply.objects.get(review=review).body == "Thanks"

    edited = instructor.patch(url, {"body": "Thanks, fixed in v2"})
    assert edited.status_code == 200 and edited.json()["body"] == "Thanks, fixed in v2"
    shown = clients["anonymous"].get(reviews_url(course)).json()["results"][0]["reply"]
    assert shown["body"] == "Thanks, fixed in v2" and shown["created_at"]

    assert instructor.delete(url).status_code == 204
    assert not InstructorReply.objects.filter(review=review).exists()
    assert clients["anonymous"].get(reviews_url(course)).json()["results"][0]["reply"] is None
    assert instructor.post(url, {"body": "A new answer"}).status_code == 201
    assert_figures_exact(course.pk)  # replies never touch the figures


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", 401),
        ("student", 403),
        ("other_student", 403),
        ("instructor", 200),
        ("other_instructor", 403),
        ("admin", 403),
    ],
)
def test_only_the_course_instructor_edits_the_reply(clients, role, expected, review):
    InstructorReplyFactory(review=review, body="Original")
    response = clients[role].patch(f"/api/v1/reviews/{review.pk}/reply/", {"body": "Edited"})
    assert response.status_code == expected, response.content
    assert InstructorReply.objects.get(review=review).body == ("Edited" if expected == 200 else "Original")


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", 401),
        ("student", 403),
        ("other_student", 403),
        ("instructor", 204),
        ("other_instructor", 403),
        ("admin", 403),
    ],
)
def test_only_the_course_instructor_deletes_the_reply(clients, role, expected, review):
    InstructorReplyFactory(review=review)
    assert clients[role].delete(f"/api/v1/reviews/{review.pk}/reply/").status_code == expected
    assert InstructorReply.objects.filter(review=review).exists() == (expected != 204)


@pytest.mark.parametrize("payload", [{}, {"body": ""}, {"body": None}, {"body": "x" * 50_000}, {"body": ["a"]}])
def test_bad_reply_input_is_400(clients, review, payload):
    url = f"/api/v1/reviews/{review.pk}/reply/"
    assert clients["instructor"].post(url, payload, format="json").status_code == 400
    assert not InstructorReply.objects.exists()
    InstructorReplyFactory(review=review, body="Kept")
    assert clients["instructor"].patch(url, payload, format="json").status_code == 400
    assert InstructorReply.objects.get().body == "Kept"
    response = clients["instructor"].generic("POST", url, b'{"body": ', content_type="application/json")
    assert response.status_code in (400, 409)


def test_a_reply_notifies_the_reviewer_only(clients, review, student):
    assert clients["instructor"].post(f"/api/v1/reviews/{review.pk}/reply/", {"body": "Thanks"}).status_code == 201
    notes = list(Notification.objects.filter(type="review_reply"))
    assert [n.recipient_id for n in notes] == [student.pk]
    assert notes[0].payload["review_id"] == review.pk
    shown = clients["student"].get("/api/v1/notifications/").json()["results"]
    assert any(n["type"] == "review_reply" for n in shown)
    # A refused second reply notifies nobody.
    clients["instructor"].post(f"/api/v1/reviews/{review.pk}/reply/", {"body": "Again"})
    assert Notification.objects.filter(type="review_reply").count() == 1
