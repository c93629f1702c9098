"""The `data` of each event type (README "Webhooks", the per-type table): ids and plain fields of the
event's subject, as they were when the event was recorded, never a secret (no payment client
secret, no password, no token). Each type has one builder and its fields documented in FIELDS;
webhooks/tests/test_events.py checks that every builder returns exactly the documented fields.

Builders read only the subject and the rows the service already loaded (`*_id` attributes), so
recording an event costs no query beyond its own inserts."""

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings


def iso(value: datetime | None) -> str | None:
    """A time as the API writes it: ISO 8601 in UTC with a Z."""
    if value is None:
        return None
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


# --- the subjects --------------------------------------------------------------------------------
USER = {
    "user_id": "The account's id.",
    "email": "Its e-mail address (the sign-in name).",
    "first_name": "First name.",
    "last_name": "Last name.",
    "role": "`student`, `instructor` or `admin`.",
    "language": "The language chosen in the profile (`en`, `es`, `fr`, `ar`), or empty for the default.",
    "date_joined": "When the account was created.",
}


def user(subject) -> dict:
    return {
        "user_id": subject.pk,
        "email": subject.email,
        "first_name": subject.first_name,
        "last_name": subject.last_name,
        "role": subject.role,
        "language": subject.language or "",
        "date_joined": iso(subject.date_joined),
    }


ENROLLMENT = {
    "enrollment_id": "The enrollment's id.",
    "student_id": "The student (`user_id` of `user.created`).",
    "course_id": "The course (`/api/v1/courses/{course_id}/`).",
    "source": "How the student got in: `free`, `paid` or `admin` (granted by staff).",
    "status": "`active` or `revoked`.",
    "enrolled_at": "When the student was enrolled.",
    "completed_at": "When the student completed the course, or null.",
    "revoked_at": "When the enrollment was revoked, or null.",
}


def enrollment(subject) -> dict:
    return {
        "enrollment_id": subject.pk,
        "student_id": subject.student_id,
        "course_id": subject.course_id,
        "source": subject.source,
        "status": subject.status,
        "enrolled_at": iso(subject.enrolled_at),
        "completed_at": iso(subject.completed_at),
        "revoked_at": iso(subject.revoked_at),
    }


ORDER = {
    "order_id": "The order's id (a UUID, as in `/api/v1/me/orders/`).",
    "student_id": "The buyer.",
    "course_id": "The course bought.",
    "status": "`paid` or `refunded`.",
    "list_price": 'The course\'s price when ordered, a decimal string (`"49.00"`).',
    "discount": 'The coupon\'s discount, a decimal string (`"0.00"` without one).',
    "amount": "What was charged, a decimal string.",
    "currency": "ISO 4217 (`USD`).",
    "coupon_id": "The coupon used, or null.",
    "created_at": "When the order was made.",
    "paid_at": "When the payment succeeded, or null.",
    "refunded_at": "When it was refunded, or null.",
}


def order(subject) -> dict:
    return {
        "order_id": str(subject.pk),
        "student_id": subject.student_id,
        "course_id": subject.course_id,
        "status": subject.status,
        "list_price": money(subject.list_price),
        "discount": money(subject.discount),
        "amount": money(subject.amount),
        "currency": subject.currency,
        "coupon_id": subject.coupon_id,
        "created_at": iso(subject.created_at),
        "paid_at": iso(subject.paid_at),
        "refunded_at": iso(subject.refunded_at),
    }


CERTIFICATE = {
    "certificate_id": "The certificate's id.",
    "enrollment_id": "The enrollment it certifies.",
    "student_id": "The student.",
    "course_id": "The course.",
    "status": "`issued` or `revoked`.",
    "verification_code": "The public code printed on the certificate.",
    "verify_url": "Where anyone can check the certificate.",
    "version": "Raised by each re-issue.",
    "issued_at": "When it was (last) issued.",
    "completed_at": "When the course was completed.",
    "revoked_at": "When it was revoked, or null.",
}


def certificate(subject) -> dict:
    return {
        "certificate_id": subject.pk,
        "enrollment_id": subject.enrollment_id,
        "student_id": subject.student_id,
        "course_id": subject.course_id,
        "status": subject.status,
        "verification_code": subject.verification_code,
        "verify_url": settings.CERTIFICATE_VERIFY_URL.format(code=subject.verification_code),
        "version": subject.version,
        "issued_at": iso(subject.issued_at),
        "completed_at": iso(subject.completed_at),
        "revoked_at": iso(subject.revoked_at),
    }


REVIEW = {
    "review_id": "The review's id.",
    "course_id": "The course reviewed.",
    "student_id": "The student who wrote it.",
    "rating": "1 to 5 stars.",
    "comment": "The review's text (may be empty).",
    "created_at": "When it was written.",
}


def review(subject) -> dict:
    return {
        "review_id": subject.pk,
        "course_id": subject.course_id,
        "student_id": subject.student_id,
        "rating": subject.rating,
        "comment": subject.comment,
        "created_at": iso(subject.created_at),
    }


SUBMISSION = {
    "submission_id": "The submission's id.",
    "assignment_id": "The assignment.",
    "course_id": "The assignment's course.",
    "student_id": "The student.",
    "attempt": "1 for the first submission, 2 for a resubmission, ...",
    "status": "`submitted` or `graded`.",
    "submitted_at": "When it was submitted.",
    "is_late": "Whether it came after the due date.",
    "days_late": "Whole or started days after the due date (0 when on time).",
}


def submission(subject) -> dict:
    return {
        "submission_id": subject.pk,
        "assignment_id": subject.assignment_id,
        "course_id": subject.assignment.course_id,
        "student_id": subject.student_id,
        "attempt": subject.attempt,
        "status": subject.status,
        "submitted_at": iso(subject.submitted_at),
        "is_late": subject.is_late,
        "days_late": subject.days_late,
    }


GRADED = {
    **SUBMISSION,
    "grade": (
        "The grade released: `score` (what the grader gave), `late_penalty`, `points` (score minus the "
        "penalty), `max_points` (the assignment's), `percent` (all decimal strings) and `graded_at`. "
        "The grader's feedback is not sent."
    ),
}


def graded(subject) -> dict:
    grade = subject.grade
    return {
        **submission(subject),
        "grade": {
            "score": money(grade.score),
            "late_penalty": money(grade.late_penalty),
            "points": money(grade.points),
            "max_points": subject.assignment.points,
            "percent": money(grade.percent),
            "graded_at": iso(grade.graded_at),
        },
    }


# type -> (builder, {field: meaning})
BUILDERS: dict[str, tuple[Callable[[Any], dict], dict[str, str]]] = {
    "user.created": (user, USER),
    "enrollment.created": (enrollment, ENROLLMENT),
    "enrollment.completed": (enrollment, ENROLLMENT),
    "enrollment.revoked": (enrollment, ENROLLMENT),
    "order.paid": (order, ORDER),
    "order.refunded": (order, ORDER),
    "certificate.issued": (certificate, CERTIFICATE),
    "certificate.revoked": (certificate, CERTIFICATE),
    "review.created": (review, REVIEW),
    "submission.created": (submission, SUBMISSION),
    "submission.graded": (graded, GRADED),
}

# Which data field names the person an event is about (for erasure: webhooks.privacy).
PERSON_FIELDS = ("user_id", "student_id")


def build(event_type: str, subject) -> dict:
    """The documented `data` of an event of `event_type` about `subject`."""
    builder, _fields = BUILDERS[event_type]
    return builder(subject)


def fields(event_type: str) -> dict[str, str]:
    return BUILDERS[event_type][1]
