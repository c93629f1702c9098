"""Reviews and replies. Every change recomputes the course's rating figures from the database
while holding the course row's lock, so they are exact even under concurrent writes."""

from django.db import IntegrityError, transaction
from django.db.models import Q
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
from lms.events import publish
from lms.services import model_update
from notifications.models import NotificationType
from notifications.services import notifications_withdraw, notify
from privacy.redaction import identity_pattern

from .access import DELETE_DENIED, MANAGE_REPLY_DENIED, REPLY_DENIED, is_author, may_delete, may_reply
from .counters import COURSE_RATING
from .models import InstructorReply, Review, author_enrolled

# Stored in place of an erased person's name or e-mail address in the text reviews keep (the forum's
# marker: forum.models.REMOVED).
REMOVED = "[removed]"


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
    publish("review.created", review)
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


def review_erase_for_user(*, user) -> int:
    """What erasing `user`'s account does to reviews (privacy; README "Privacy"). Their reviews and
    the replies they wrote as an instructor stay (the course page stays readable; the author then
    reads "Deleted user", the accounts eraser pseudonymising the user row last), and so do the
    course's rating figures: each review of theirs that counts now (its author holds an active
    enrollment) is marked `counts_after_erasure`, so that revoking their enrollments afterwards (the
    courses eraser, which must run after this one) changes neither the figures nor the course's
    public list. A review that no longer counted (a refund) stays out of them.

    Text that names them is rewritten: their e-mail address and name become "[removed]" in their
    reviews, in the instructor's replies to them, and in the replies they wrote as an instructor;
    the notifications that carried that text (new_review to the instructor, review_reply to the
    reviewer) get the rewritten text through notifications_withdraw (e-mail copies still queued too).
    Returns how many reviews were marked.

    Called by the platform only, before the account is pseudonymised (the privacy erasure job:
    actor None; no permission check). Marking takes the course row's lock (course_lock:
    enrollment_revoke's recount takes it too) and re-checks the enrollment under it, one transaction
    per course, so a refund racing with the erasure either revoked first (left unmarked) or recounts
    after (marked: no change). Text changes take no lock (compare and set: an admin's edit or
    delete meanwhile wins); notifications are rewritten before the row. Idempotent and resumable:
    a marked review is never marked again, a rewritten text is found unchanged, and the
    notifications are written again with the same text."""
    marked = 0
    course_ids = (
        Review.objects.filter(student=user, counts_after_erasure=False)
        .values_list("course_id", flat=True)
        .order_by("course_id")
    )
    for course_id in list(course_ids):
        with transaction.atomic():
            course_lock(course_id=course_id)
            marked += Review.objects.filter(
                author_enrolled(), student=user, course_id=course_id, counts_after_erasure=False
            ).update(counts_after_erasure=True)

    pattern = identity_pattern(user)
    if pattern is None:
        return marked
    for review in Review.objects.filter(student=user).order_by("pk"):
        comment = pattern.sub(REMOVED, review.comment)
        with transaction.atomic():
            # Always: the notification holds the comment as first written, maybe since edited.
            notifications_withdraw(
                type=NotificationType.NEW_REVIEW, key="review_id", values=[review.pk], body=comment[:300]
            )
            if comment != review.comment:
                Review.objects.filter(pk=review.pk, comment=review.comment).update(comment=comment)
    replies = InstructorReply.objects.filter(Q(review__student=user) | Q(author=user)).order_by("pk")
    for reply in replies:
        body = pattern.sub(REMOVED, reply.body)
        with transaction.atomic():
            if reply.author_id == user.pk:  # their reply, as first written, told the reviewer
                notifications_withdraw(
                    type=NotificationType.REVIEW_REPLY, key="review_id", values=[reply.review_id], body=body[:300]
                )
            if body != reply.body:
                InstructorReply.objects.filter(pk=reply.pk, body=reply.body).update(body=body)
    return marked
