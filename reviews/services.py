"""Reviews and replies. Every change recomputes the course's rating figures from the database
while holding the course row's lock, so they are exact even under concurrent writes."""

from django.db import IntegrityError, transaction

from activity.models import Verb
from activity.services import activity_record
from courses.access import can_manage_course, is_course_instructor
from courses.models import Course, Enrollment, EnrollmentStatus
from courses.services import course_rating_update
from lms.counters import true_values
from lms.errors import Conflict, NotFound, NotPermitted
from notifications.services import notify

from .counters import COURSE_RATING
from .models import InstructorReply, Review


def course_rating_refresh(*, course_id: int) -> Course:
    """Recomputes average_rating, rating_count and rating_distribution from the reviews, with the
    definition `repair_counters` uses (reviews/counters.py). The caller's transaction holds the
    course row lock (taken here if not yet)."""
    Course.objects.select_for_update().filter(pk=course_id).first()  # the figures are read under the lock
    return course_rating_update(course_id=course_id, figures=true_values(COURSE_RATING, course_id))


@transaction.atomic
def course_rating_enrollment_changed(*, course_id: int, student_id: int) -> None:
    """The student's enrollment in the course was revoked (a refund, staff) or restored: their
    review, if any, stops or starts counting (reviews.models.author_enrolled), so the course's
    figures are recomputed, under the course row lock, in the caller's transaction (courses'
    enrollment_revoke and enrollment_create call this)."""
    Course.objects.select_for_update().filter(pk=course_id).first()
    if Review.objects.filter(course_id=course_id, student_id=student_id).exists():
        course_rating_refresh(course_id=course_id)


def _enrolled(student_id: int, course_id: int) -> bool:
    return Enrollment.objects.filter(
        student_id=student_id, course_id=course_id, status=EnrollmentStatus.ACTIVE
    ).exists()


@transaction.atomic
def review_create(*, course: Course, student, rating: int, comment: str = "") -> Review:
    """One review per student and course (409 the second time), by students enrolled in it
    (checked under the course row lock, which a revocation's recount takes too). Never by the
    course's instructor, even one demoted to student (403 `own_course`)."""
    if is_course_instructor(student, course):
        raise NotPermitted("You cannot review a course you teach.", code="own_course")
    Course.objects.select_for_update().filter(pk=course.pk).first()  # serialise writers of this course
    if not _enrolled(student.pk, course.pk):
        raise NotPermitted("Only students enrolled in this course can review it.", code="not_enrolled")
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
    """Edits the rating or comment. A review whose author's enrollment is no longer active (a
    refund, staff) no longer counts and cannot be edited (403 `not_enrolled`); it can be deleted."""
    Course.objects.select_for_update().filter(pk=review.course_id).first()
    review = Review.objects.filter(pk=review.pk).first()  # fresh, under the lock: it may be gone
    if review is None:
        raise NotFound("This review was deleted.")
    if not _enrolled(review.student_id, review.course_id):
        raise NotPermitted(
            "The author's access to this course has ended, so this review no longer counts and cannot be edited; "
            "it can still be deleted.",
            code="not_enrolled",
        )
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


def may_reply(user, course) -> bool:
    """Replies are the course's instructor's, while they hold the instructor role (a demoted
    instructor's course is frozen: courses.access.can_manage_course)."""
    return course.instructor_id == user.pk and can_manage_course(user, course)


@transaction.atomic
def reply_create(*, review: Review, author, body: str) -> InstructorReply:
    """The course's instructor answers a review, once (409 the second time)."""
    if not may_reply(author, review.course):
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
