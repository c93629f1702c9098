"""What reviews hold about a person, for their export and their erasure (privacy.registry; README
"Privacy"): the reviews they wrote as a student, and the replies they wrote as a course's instructor."""

from privacy.registry import Eraser, Exporter

from .models import InstructorReply, Review
from .selectors import reply_list_by_author, review_list_by_student
from .services import review_erase_for_user


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def _reply(review: Review) -> dict | None:
    try:
        reply = review.reply
    except InstructorReply.DoesNotExist:
        return None
    return {"body": reply.body, "created_at": _iso(reply.created_at), "updated_at": _iso(reply.updated_at)}


def export(user) -> dict:
    return {
        "reviews": [
            {
                "id": review.pk,
                "course_id": review.course_id,
                "course_title": review.course.title,
                "rating": review.rating,
                "comment": review.comment,
                "counts": review.counts,
                "created_at": _iso(review.created_at),
                "updated_at": _iso(review.updated_at),
                "reply": _reply(review),
            }
            for review in review_list_by_student(user)
        ],
        "replies": [
            {
                "id": reply.pk,
                "review_id": reply.review_id,
                "course_id": reply.review.course_id,
                "course_title": reply.review.course.title,
                "body": reply.body,
                "created_at": _iso(reply.created_at),
                "updated_at": _iso(reply.updated_at),
            }
            for reply in reply_list_by_author(user)
        ],
    }


DESCRIBE = {
    "reviews.id": "The review's number.",
    "reviews.course_id": "The course reviewed.",
    "reviews.course_title": "The course's title.",
    "reviews.rating": "The stars you gave, 1 to 5.",
    "reviews.comment": "The text of your review.",
    "reviews.counts": (
        "Whether the review counts in the course's rating and is shown on its page (it stops counting "
        "while your enrollment in the course is revoked, e.g. after a refund)."
    ),
    "reviews.created_at": "When you wrote it.",
    "reviews.updated_at": "When it was last changed.",
    "reviews.reply": "The course instructor's answer to your review (body, created_at, updated_at), or null.",
    "replies.id": "A reply you wrote, as the course's instructor, to a student's review.",
    "replies.review_id": "The review you answered.",
    "replies.course_id": "The course of that review.",
    "replies.course_title": "The course's title.",
    "replies.body": "The text of your reply.",
    "replies.created_at": "When you wrote it.",
    "replies.updated_at": "When it was last changed.",
}

NAMED = "their e-mail address and name (first, last, full; whole words, any case) replaced by [removed]"

POLICY = {
    "Review.student": (
        'kept, pseudonymised: the review stays on the course page by "Deleted user" (the account row is '
        "pseudonymised), so the course stays readable"
    ),
    "Review.rating": (
        "kept: the course's rating figures stay as they were (a review that counted keeps counting although "
        "the erasure revokes the enrollment: Review.counts_after_erasure)"
    ),
    "Review.comment": f"kept (part of the course page), {NAMED}",
    "Review.counts_after_erasure": "set when the review counted at erasure, so the rating figures do not change",
    "InstructorReply.author": "kept, pseudonymised: the reply to a student's review stays (the API does not sign it)",
    "InstructorReply.body": f"kept (it answers the review), {NAMED}: in the replies they wrote and in those to them",
    "Notification (new_review, review_reply sent to others)": (
        "rewritten with the review's or the reply's new text (e-mails still queued too)"
    ),
}

EXPORTER = Exporter(name="reviews", models=(Review, InstructorReply), export=export, describe=DESCRIBE)

# Before the courses eraser (which revokes the person's enrollments): a review must be marked
# counts_after_erasure while its author's enrollment is still active.
ERASER = Eraser(
    name="reviews",
    models=(Review, InstructorReply),
    erase=lambda user: review_erase_for_user(user=user),
    policy=POLICY,
    order=10,
)
