"""Reviews and replies. Every change recomputes the course's rating figures from the database
while holding the course row's lock, so they are exact even under concurrent writes."""

from django.db import IntegrityError, transaction

from activity.models import Verb
from activity.services import activity_record
from courses import cache as course_cache
from courses.models import Course, Enrollment, EnrollmentStatus
from lms.counters import true_values
from lms.errors import Conflict, NotFound, NotPermitted
from notifications.services import notify

from .counters import COURSE_RATING
from .models import InstructorReply, Review


def course_rating_refresh(*, course_id: int) -> Course:
    """Recomputes average_rating, rating_count and rating_distribution from the reviews, with the
    definition `repair_counters` uses (reviews/counters.py). The caller's transaction holds the
    course row lock (taken here if not yet)."""
    course = Course.objects.select_for_update().get(pk=course_id)
    figures = true_values(COURSE_RATING, course_id)
    for name, value in figures.items():
        setattr(course, name, value)
    course.save(update_fields=list(figures))
    course_cache.course_changed(course.pk)
    return course


@transaction.atomic
def review_create(*, course: Course, student, rating: int, comment: str = "") -> Review:
    """One review per student and course (409 the second time), by students enrolled in it."""
    if not Enrollment.objects.filter(student=student, course=course, status=EnrollmentStatus.ACTIVE).exists():
        raise NotPermitted("Only students enrolled in this course can review it.", code="not_enrolled")
    Course.objects.select_for_update().filter(pk=course.pk).first()  # serialise writers of this course
    try:
        with transaction.atomic():
            review = Review.objects.create(course=course, student=student, rating=rating, comment=comment)
    except IntegrityError as exc:
        raise Conflict(
            "You have already reviewed this course; edit your review instead.", code="already_reviewed"
        ) from exc
    course_rating_refresh(course_id=course.pk)
    notify(
        recipients=[course.instructor_id],
        type="new_review",
        title=f"New {rating}-star review of {course.title}",
        body=comment[:300],
        payload={"course_id": course.pk, "review_id": review.pk},
    )
    activity_record(actor=student, verb=Verb.REVIEW_CREATED, target=review, course=course, metadata={"rating": rating})
    return review


@transaction.atomic
def review_update(*, review: Review, data: dict) -> Review:
    Course.objects.select_for_update().filter(pk=review.course_id).first()
    review = Review.objects.filter(pk=review.pk).first()  # fresh, under the lock: it may be gone
    if review is None:
        raise NotFound("This review was deleted.")
    fields = [f for f in ("rating", "comment") if f in data]
    for field in fields:
        setattr(review, field, data[field])
    if fields:
        review.save(update_fields=[*fields, "updated_at"])
        course_rating_refresh(course_id=review.course_id)
    return review


@transaction.atomic
def review_delete(*, review: Review) -> None:
    course_id = review.course_id
    Course.objects.select_for_update().filter(pk=course_id).first()
    review.delete()
    course_rating_refresh(course_id=course_id)


@transaction.atomic
def reply_create(*, review: Review, author, body: str) -> InstructorReply:
    """The course's instructor answers a review, once (409 the second time)."""
    if review.course.instructor_id != author.pk:
        raise NotPermitted("Only the course's instructor can reply to its reviews.")
    try:
        with transaction.atomic():
            reply = InstructorReply.objects.create(review=review, author=author, body=body)
    except IntegrityError as exc:
        raise Conflict("This review already has a reply; edit it instead.", code="already_replied") from exc
    notify(
        recipients=[review.student_id],
        type="review_reply",
        title=f"The instructor of {review.course.title} replied to your review",
        body=body[:300],
        payload={"course_id": review.course_id, "review_id": review.pk},
    )
    return reply


@transaction.atomic
def reply_update(*, reply: InstructorReply, body: str) -> InstructorReply:
    reply = InstructorReply.objects.select_for_update().filter(pk=reply.pk).first()
    if reply is None:
        raise NotFound("This reply was deleted.")
    reply.body = body
    reply.save(update_fields=["body", "updated_at"])
    return reply


@transaction.atomic
def reply_delete(*, reply: InstructorReply) -> None:
    reply.delete()
