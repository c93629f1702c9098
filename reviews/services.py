"""Reviews and replies. Every change recomputes the course's rating figures from the database
while holding the course row's lock, so they are exact even under concurrent writes."""

from django.db import IntegrityError, transaction
from django.utils.text import format_lazy
from django.utils.translation import gettext, ngettext_lazy
from django.utils.translation import gettext_lazy as _

from accounts.roles import is_admin
from activity.models import Verb
from activity.services import activity_record
from courses.access import is_course_instructor
from courses.models import Course
from courses.selectors import enrollment_active_exists
from courses.services import course_lock, course_rating_update
from lms.counters import true_values
from lms.errors import Conflict, NotFound, NotPermitted
from lms.services import model_update
from notifications.services import notify

from .access import DELETE_DENIED, MANAGE_REPLY_DENIED, REPLY_DENIED, is_author, may_delete, may_reply
from .counters import COURSE_RATING
from .models import InstructorReply, Review


@transaction.atomic
def course_rating_refresh(*, course_id: int) -> Course:
    """Recomputes average_rating, rating_count and rating_distribution from the reviews, with the
    definition `repair_counters` uses (reviews/counters.py). The caller's transaction holds the
    course row lock (taken here if not yet)."""
    course_lock(course_id=course_id)  # the figures are read under the lock
    return course_rating_update(course_id=course_id, figures=true_values(COURSE_RATING, course_id))


@transaction.atomic
def course_rating_enrollment_changed(*, course_id: int, student_id: int) -> None:
    """The student's enrollment in the course was revoked (a refund, staff) or restored: their
    review, if any, stops or starts counting (reviews.models.author_enrolled), so the course's
    figures are recomputed, under the course row lock, in the caller's transaction (courses'
    enrollment_revoke and enrollment_create call this, through courses.hooks)."""
    course_lock(course_id=course_id)
    if Review.objects.filter(course_id=course_id, student_id=student_id).exists():
        course_rating_refresh(course_id=course_id)


@transaction.atomic
def review_create(*, course: Course, student, rating: int, comment: str = "") -> Review:
    """One review per student and course (409 the second time), by students enrolled in it
    (checked under the course row lock, which a revocation's recount takes too). Never by the
    course's instructor, even one demoted to student (403 `own_course`)."""
    if is_course_instructor(student, course):
        raise NotPermitted(gettext("You cannot review a course you teach."), code="own_course")
    course_lock(course_id=course.pk)  # serialise writers of this course
    if not enrollment_active_exists(student=student, course=course):
        raise NotPermitted(gettext("Only students enrolled in this course can review it."), code="not_enrolled")
    try:
        with transaction.atomic():
            review = Review.objects.create(course=course, student=student, rating=rating, comment=comment)
    except IntegrityError as exc:
        raise Conflict(
            gettext("You have already reviewed this course; edit your review instead."), code="already_reviewed"
        ) from exc
    course_rating_refresh(course_id=course.pk)
    notify(
        recipients=[course.instructor_id],
        type="new_review",
        # Lazy: rendered in the instructor's language (notifications.services.notify).
        title=format_lazy(
            ngettext_lazy("New {rating}-star review of {course}", "New {rating}-star review of {course}", rating),
            rating=rating,
            course=course.title,
        ),
        body=comment[:300],
        payload={"course_id": course.pk, "review_id": review.pk},
    )
    activity_record(actor=student, verb=Verb.REVIEW_CREATED, target=review, course=course, metadata={"rating": rating})
    return review


def _require_editor(actor, review: Review) -> None:
    """The author edits their review through the API; admins also through the admin site."""
    if not (is_author(actor, review) or is_admin(actor)):
        raise NotPermitted(gettext("Only the author or an admin can edit a review."), code="not_author")


@transaction.atomic
def review_update(*, review: Review, actor, data: dict) -> Review:
    """Edits the rating or comment (those of `data`'s keys present). `actor`: the author, or an
    admin (the admin site; the API lets only the author edit: reviews.access). A review whose
    author's enrollment is no longer active (a refund, staff) no longer counts and cannot be edited
    (403 `not_enrolled`); it can be deleted. Takes the course row lock (course_lock) and re-reads
    the review under it (404 if it was deleted meanwhile); recomputes the figures if anything
    changed."""
    _require_editor(actor, review)
    course_lock(course_id=review.course_id)
    current = Review.objects.filter(pk=review.pk).first()  # fresh, under the lock: it may be gone
    if current is None:
        raise NotFound(gettext("This review was deleted."))
    if not enrollment_active_exists(student=current.student_id, course=current.course_id):
        raise NotPermitted(
            gettext(
                "The author's access to this course has ended, so this review no longer counts and cannot be edited; "
                "it can still be deleted."
            ),
            code="not_enrolled",
        )
    current, changed = model_update(instance=current, fields=("rating", "comment"), data=data)
    if changed:
        course_rating_refresh(course_id=current.course_id)
    return current


@transaction.atomic
def review_delete(*, review: Review, actor) -> None:
    """Deletes the review (and its reply) and recomputes the course's figures. `actor`: the author
    or an admin (NotPermitted otherwise). Takes the course row lock (course_lock) first."""
    if not may_delete(actor, review):
        raise NotPermitted(DELETE_DENIED, code="not_author")
    course_id = review.course_id
    course_lock(course_id=course_id)
    review.delete()
    course_rating_refresh(course_id=course_id)


@transaction.atomic
def reply_create(*, review: Review, author, body: str) -> InstructorReply:
    """The course's instructor answers a review, once (409 the second time), and the reviewer is
    told (`review_reply`). `author`: the course's instructor while they hold the role (may_reply;
    NotPermitted otherwise). No lock: the one-to-one constraint keeps one reply per review."""
    if not may_reply(author, review.course):
        raise NotPermitted(REPLY_DENIED, code="not_course_instructor")
    try:
        with transaction.atomic():
            reply = InstructorReply.objects.create(review=review, author=author, body=body)
    except IntegrityError as exc:
        raise Conflict(gettext("This review already has a reply; edit it instead."), code="already_replied") from exc
    notify(
        recipients=[review.student_id],
        type="review_reply",
        title=format_lazy(_("The instructor of {course} replied to your review"), course=review.course.title),
        body=body[:300],
        payload={"course_id": review.course_id, "review_id": review.pk},
    )
    return reply


def _require_replier(actor, reply: InstructorReply) -> None:
    if not may_reply(actor, reply.review.course):
        raise NotPermitted(MANAGE_REPLY_DENIED, code="not_course_instructor")


@transaction.atomic
def reply_update(*, reply: InstructorReply, actor, body: str) -> InstructorReply:
    """Edits the reply's text. `actor`: the course's instructor while they hold the role (may_reply;
    NotPermitted otherwise). Takes the reply row's lock and re-reads it (404 if deleted meanwhile)."""
    _require_replier(actor, reply)
    current = InstructorReply.objects.select_for_update().filter(pk=reply.pk).first()
    if current is None:
        raise NotFound(gettext("This reply was deleted."))
    current, _ = model_update(instance=current, fields=("body",), data={"body": body})
    return current


@transaction.atomic
def reply_delete(*, reply: InstructorReply, actor) -> None:
    """Deletes the reply; the review stays. `actor`: the course's instructor while they hold the
    role (may_reply; NotPermitted otherwise). No lock: deleting twice deletes once."""
    _require_replier(actor, reply)
    reply.delete()
