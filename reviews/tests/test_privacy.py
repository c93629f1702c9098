"""Reviews' part of a person's export and erasure (reviews/privacy.py): their reviews and replies
only, and an erasure after which their reviews stay on the course page by "Deleted user" and the
course's rating figures do not move, although the erasure revokes their enrollments."""

import json
from decimal import Decimal

import pytest

from accounts.services import user_erase_identity
from conftest import client_for
from courses import services as courses
from courses.models import Enrollment
from courses.tests.factories import PublishedCourseFactory
from lms.counters import counters_drift
from notifications.models import Notification, NotificationType
from privacy.registry import erasers, exporters
from reviews import privacy, services
from reviews.models import InstructorReply, Review

from .factories import InstructorReplyFactory, ReviewFactory, assert_figures_exact, stored_figures

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(instructor):
    return PublishedCourseFactory(instructor=instructor)


@pytest.fixture
def reviews(course, student, other_student):
    """student's 2-star review (answered by the instructor) and other_student's 5-star one, in
    `course`; and student's 4-star review of another course."""
    mine = ReviewFactory(course=course, student=student, rating=2, comment="Too fast for me.")
    reply = InstructorReplyFactory(review=mine, body="Thanks, slowing down.")
    theirs = ReviewFactory(course=course, student=other_student, rating=5, comment="Great.")
    elsewhere = ReviewFactory(student=student, rating=4, comment="Good.")
    return {"mine": mine, "reply": reply, "theirs": theirs, "elsewhere": elsewhere}


def _erase(user) -> None:
    """The erasure's steps that touch reviews, in the registry's order: reviews, then courses'
    revokes, then the account itself (accounts, last)."""
    privacy.ERASER.erase(user)
    courses.enrollments_erase_for_user(user=user)
    user_erase_identity(user=user)


def _listed(client, course) -> list[dict]:
    return client.get(f"/api/v1/courses/{course.pk}/reviews/").json()["results"]


def test_registered_with_every_reviews_model_and_before_the_revokes():
    exporter = next(e for e in exporters() if e.name == "reviews")
    eraser = next(e for e in erasers() if e.name == "reviews")
    assert set(exporter.models) == {Review, InstructorReply} == set(eraser.models)
    # Reviews are marked while the enrollment is still active: before courses revokes it.
    assert eraser.order < next(e for e in erasers() if e.name == "courses").order


def test_export_holds_the_persons_reviews_and_no_one_elses(reviews, student, course):
    data = privacy.export(student)

    json.dumps(data)
    assert [(row["id"], row["rating"], row["comment"], row["counts"]) for row in data["reviews"]] == [
        (reviews["mine"].pk, 2, "Too fast for me.", True),
        (reviews["elsewhere"].pk, 4, "Good.", True),
    ]
    assert data["reviews"][0]["course_title"] == course.title
    assert data["reviews"][0]["reply"]["body"] == "Thanks, slowing down."
    assert data["reviews"][1]["reply"] is None
    assert data["replies"] == []
    for section, rows in data.items():
        for row in rows:
            assert {f"{section}.{field}" for field in row} <= set(privacy.DESCRIBE)


def test_export_of_an_instructor_holds_their_replies(reviews, instructor):
    data = privacy.export(instructor)

    assert data["reviews"] == []
    assert [(row["id"], row["review_id"], row["body"]) for row in data["replies"]] == [
        (reviews["reply"].pk, reviews["mine"].pk, "Thanks, slowing down.")
    ]


def test_export_says_when_a_review_no_longer_counts(reviews, student, course):
    courses.enrollment_revoke(actor=None, enrollment=Enrollment.objects.get(student=student, course=course))

    assert [row["counts"] for row in privacy.export(student)["reviews"]] == [False, True]


def test_erase_keeps_the_reviews_and_the_rating_figures(reviews, student, other_student, course, instructor):
    elsewhere = reviews["elsewhere"].course
    before = {pk: stored_figures(pk) for pk in (course.pk, elsewhere.pk)}
    assert before[course.pk] == (2, Decimal("3.50"), {"1": 0, "2": 1, "3": 0, "4": 0, "5": 1})
    fields = ("pk", "course_id", "student_id", "rating", "comment", "updated_at")
    rows = sorted(Review.objects.values_list(*fields))

    _erase(student)

    assert Enrollment.objects.filter(student=student, status="active").count() == 0  # revoked, as the erasure does
    assert {pk: stored_figures(pk) for pk in before} == before
    for pk in before:
        assert_figures_exact(pk)
    assert list(counters_drift(names=["reviews.course_rating"])) == []
    assert (
        sorted(Review.objects.values_list("pk", "course_id", "student_id", "rating", "comment", "updated_at")) == rows
    )
    assert list(InstructorReply.objects.values_list("pk", "body")) == [(reviews["reply"].pk, "Thanks, slowing down.")]
    # Only the erased person's reviews are marked.
    assert set(Review.objects.filter(counts_after_erasure=True).values_list("pk", flat=True)) == {
        reviews["mine"].pk,
        reviews["elsewhere"].pk,
    }

    # The course page still lists it, by "Deleted user"; the instructor's list too.
    listed = {row["id"]: row for row in _listed(client_for(other_student), course)}
    assert set(listed) == {reviews["mine"].pk, reviews["theirs"].pk}
    assert listed[reviews["mine"].pk]["student"] == {
        "id": student.pk,
        "first_name": "",
        "last_name": "",
        "full_name": "Deleted user",
    }
    assert listed[reviews["mine"].pk]["comment"] == "Too fast for me."
    assert listed[reviews["mine"].pk]["reply"]["body"] == "Thanks, slowing down."
    instructors = client_for(instructor).get("/api/v1/instructor/reviews/").json()["results"]
    assert reviews["mine"].pk in {row["id"] for row in instructors}


def test_erase_twice_changes_nothing(reviews, student):
    assert services.review_erase_for_user(user=student) == 2
    _erase(student)
    rows = sorted(Review.objects.values_list("pk", "counts_after_erasure", "updated_at"))

    assert services.review_erase_for_user(user=student) == 0
    _erase(student)

    assert sorted(Review.objects.values_list("pk", "counts_after_erasure", "updated_at")) == rows


def test_a_review_that_no_longer_counted_stays_out(reviews, student, course):
    """Refunded before the erasure: the review had left the figures, and stays out of them."""
    courses.enrollment_revoke(actor=None, enrollment=Enrollment.objects.get(student=student, course=course))
    before = stored_figures(course.pk)
    assert before == (1, Decimal("5.00"), {"1": 0, "2": 0, "3": 0, "4": 0, "5": 1})

    _erase(student)

    assert stored_figures(course.pk) == before
    assert_figures_exact(course.pk)
    assert Review.objects.get(pk=reviews["mine"].pk).counts_after_erasure is False
    assert [row["id"] for row in _listed(client_for(reviews["theirs"].student), course)] == [reviews["theirs"].pk]


def test_an_erased_instructors_replies_stay(reviews, instructor, course):
    rows = list(InstructorReply.objects.values_list("pk", "review_id", "body"))
    privacy.ERASER.erase(instructor)

    assert list(InstructorReply.objects.values_list("pk", "review_id", "body")) == rows
    assert Review.objects.filter(counts_after_erasure=True).count() == 0


def _name(user, first: str, last: str):
    type(user).objects.filter(pk=user.pk).update(first_name=first, last_name=last)
    user.refresh_from_db()
    return user


def test_erase_takes_their_name_out_of_reviews_replies_and_notifications(course, student, other_student, instructor):
    _name(student, "Zebulonia", "Quetzalcoatl")
    mine = ReviewFactory(course=course, student=student, rating=5, comment=f"Zebulonia QUETZALCOATL ({student.email}).")
    reply = InstructorReplyFactory(review=mine, body="Thank you, Zebulonia!")
    theirs = ReviewFactory(course=course, student=other_student, rating=3, comment="Zebulonia was right.")
    before = stored_figures(course.pk)

    _erase(student)

    assert Review.objects.get(pk=mine.pk).comment == "[removed] ([removed])."
    assert InstructorReply.objects.get(pk=reply.pk).body == "Thank you, [removed]!"
    assert Review.objects.get(pk=theirs.pk).comment == "Zebulonia was right."  # not searched: another's review
    assert stored_figures(course.pk) == before
    told = Notification.objects.get(recipient=instructor, type=NotificationType.NEW_REVIEW, payload__review_id=mine.pk)
    assert told.body == "[removed] ([removed])."
    assert Notification.objects.get(payload__review_id=theirs.pk, type=NotificationType.NEW_REVIEW).body == (
        "Zebulonia was right."
    )


def test_an_erased_instructors_replies_lose_their_name(course, other_student, instructor):
    _name(instructor, "Ottoline", "Vandersloot")
    review = ReviewFactory(course=course, student=other_student, rating=4, comment="Nice.")
    reply = InstructorReplyFactory(review=review, body="Thanks! — Ottoline Vandersloot")

    privacy.ERASER.erase(instructor)

    assert InstructorReply.objects.get(pk=reply.pk).body == "Thanks! — [removed]"
    told = Notification.objects.get(recipient=other_student, type=NotificationType.REVIEW_REPLY)
    assert told.body == "Thanks! — [removed]"
    assert Review.objects.get(pk=review.pk).comment == "Nice."
