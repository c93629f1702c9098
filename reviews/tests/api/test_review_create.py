"""POST /courses/{id}/reviews/: who may review, bad input, and what a new review notifies and records."""

import pytest
from django.utils import timezone

from activity.models import ActivityEvent
from courses import services as course_services
from courses.tests.factories import CourseFactory, EnrollmentFactory, PublishedCourseFactory
from notifications.models import Notification
from reviews.models import Review
from reviews.tests.factories import assert_figures_exact, reviews_url, stored_figures

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", 401),
        ("student", 201),
        ("other_student", 403),  # not enrolled
        ("instructor", 403),
        ("other_instructor", 403),
        ("admin", 403),
    ],
)
def test_only_enrolled_students_write_a_review(clients, role, expected, course, student):
    EnrollmentFactory(student=student, course=course)
    response = clients[role].post(reviews_url(course), {"rating": 5, "comment": "Great"})
    assert response.status_code == expected, response.content
    if expected == 201:
        body = response.json()
        assert (body["rating"], body["comment"], body["reply"], body["course"]) == (5, "Great", None, course.pk)
        assert body["student"]["id"] == student.pk
        assert Review.objects.get(pk=body["id"]).student == student
    else:
        assert not Review.objects.exists()
    assert_figures_exact(course.pk)


def test_a_revoked_enrollment_cannot_review(clients, course, student):
    enrollment = EnrollmentFactory(student=student, course=course)
    course_services.enrollment_revoke(actor=None, enrollment=enrollment)
    assert clients["student"].post(reviews_url(course), {"rating": 5}).status_code == 403
    assert not Review.objects.exists()


def test_a_student_who_completed_the_course_can_review(clients, course, student):
    enrollment = EnrollmentFactory(student=student, course=course)
    type(enrollment).objects.filter(pk=enrollment.pk).update(completed_at=timezone.now())
    assert clients["student"].post(reviews_url(course), {"rating": 5}).status_code == 201


def test_a_non_enrolled_student_gets_404_on_a_draft_course(clients, instructor):
    draft = CourseFactory(instructor=instructor)
    assert clients["other_student"].post(reviews_url(draft), {"rating": 5}).status_code == 404


def test_second_review_by_the_same_student_is_409(clients, course, student):
    EnrollmentFactory(student=student, course=course)
    assert clients["student"].post(reviews_url(course), {"rating": 5}).status_code == 201
    response = clients["student"].post(reviews_url(course), {"rating": 1, "comment": "again"})
    assert response.status_code == 409
    assert "detail" in response.json()
    assert Review.objects.filter(course=course, student=student).get().rating == 5
    assert stored_figures(course.pk)[0] == 1


@pytest.mark.parametrize(
    "payload",
    [
        {"rating": 0},
        {"rating": 6},
        {"rating": -1},
        {"rating": 4.5},
        {"rating": "4.5"},
        {"rating": "five"},
        {"rating": None},
        {"rating": ""},
        {"rating": True},
        {"rating": [5]},
        {"rating": {"value": 5}},
        {"rating": 10**30},
        {"comment": "no rating at all"},
        {},
        {"rating": 5, "comment": "x" * 50_000},
        {"rating": 5, "comment": None},
        {"rating": 5, "comment": {"text": "nested"}},
    ],
)
def test_bad_review_input_is_400(clients, course, student, payload):
    EnrollmentFactory(student=student, course=course)
    response = clients["student"].post(reviews_url(course), payload, format="json")
    assert response.status_code == 400, (payload, response.status_code, response.content[:300])
    assert isinstance(response.json(), dict)
    assert not Review.objects.exists()
    assert_figures_exact(course.pk)


@pytest.mark.parametrize(
    "raw",
    [b'{"rating": 5,', b"not json", b"[5]", b'"rating"', b"null", b"\xff\xfe"],
)
def test_malformed_or_non_object_json_is_400(clients, course, student, raw):
    EnrollmentFactory(student=student, course=course)
    response = clients["student"].generic("POST", reviews_url(course), raw, content_type="application/json")
    assert response.status_code == 400, (raw, response.status_code, response.content[:300])
    assert not Review.objects.exists()


def test_unsupported_media_type_is_415_not_500(clients, course, student):
    EnrollmentFactory(student=student, course=course)
    response = clients["student"].post(
        reviews_url(course), "rating=5", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 415


def test_string_digits_and_a_max_length_comment_are_accepted(clients, course, student):
    EnrollmentFactory(student=student, course=course)
    response = clients["student"].post(reviews_url(course), {"rating": "3", "comment": "é" * 5000})
    assert response.status_code == 201, response.content
    assert response.json()["rating"] == 3


def test_unknown_fields_are_ignored(clients, course, student, other_student):
    EnrollmentFactory(student=student, course=course)
    other = PublishedCourseFactory()
    response = clients["student"].post(
        reviews_url(course), {"rating": 4, "student": other_student.pk, "course": other.pk, "id": 999}
    )
    assert response.status_code == 201
    review = Review.objects.get()
    assert (review.student_id, review.course_id) == (student.pk, course.pk)


def test_a_new_review_notifies_the_instructor_only(clients, course, student, instructor):
    EnrollmentFactory(student=student, course=course)
    Notification.objects.all().delete()
    response = clients["student"].post(reviews_url(course), {"rating": 5, "comment": "Loved it"})
    assert response.status_code == 201
    notes = list(Notification.objects.filter(type="new_review"))
    assert [n.recipient_id for n in notes] == [instructor.pk]
    assert notes[0].payload == {"course_id": course.pk, "review_id": response.json()["id"]}
    assert not Notification.objects.filter(type="new_review").exclude(recipient=instructor).exists()
    shown = clients["instructor"].get("/api/v1/notifications/").json()["results"]
    assert any(n["type"] == "new_review" for n in shown)
    # Editing or deleting is not a new review.
    review_id = response.json()["id"]
    clients["student"].patch(f"/api/v1/reviews/{review_id}/", {"rating": 4})
    assert Notification.objects.filter(type="new_review").count() == 1


def test_refused_writes_notify_nobody_and_record_nothing(clients, course, other_student):
    Notification.objects.all().delete()
    ActivityEvent.objects.all().delete()
    assert clients["other_student"].post(reviews_url(course), {"rating": 5}).status_code == 403
    assert clients["instructor"].post(reviews_url(course), {"rating": 5}).status_code == 403
    assert not Notification.objects.exists()
    assert not ActivityEvent.objects.filter(verb="review_created").exists()


def test_a_new_review_records_activity(clients, course, student):
    EnrollmentFactory(student=student, course=course)
    response = clients["student"].post(reviews_url(course), {"rating": 3})
    assert response.status_code == 201
    event = ActivityEvent.objects.get(verb="review_created")
    assert (event.actor_id, event.course_id, event.target_type, event.target_id) == (
        student.pk,
        course.pk,
        "review",
        str(response.json()["id"]),
    )
    assert event.metadata.get("rating") == 3
    shown = clients["admin"].get(f"/api/v1/admin/activity/?verb=review_created&course={course.pk}")
    assert shown.status_code == 200
    assert len(shown.json()["results"]) == 1
