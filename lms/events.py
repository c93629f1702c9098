"""Domain events that other systems hear about (README "Integrations"): the services publish one, in
the transaction of the change that causes it, and subscribers (the webhooks app's outbox) record it in
that same transaction, so an event is never announced for a change that rolled back, nor lost when
the broker is down. With no subscriber, publishing does nothing.

`publish(type, subject)`: `type` is one of EVENT_TYPES; `subject` is the row the event is about (the
user, enrollment, order, certificate, review, submission). Apps publish here and need not know who
listens; webhooks registers its recorder in ready() (`subscribe`)."""

from collections.abc import Callable
from typing import Any

# type -> the model its subject is (app_label.Model), and what happened.
EVENT_TYPES: dict[str, tuple[str, str]] = {
    "user.created": ("accounts.User", "an account was created (sign-up, single sign-on or staff)"),
    "enrollment.created": ("courses.Enrollment", "a student was enrolled (free, paid, cohort or staff)"),
    "enrollment.completed": ("courses.Enrollment", "a student completed every required item of the course"),
    "enrollment.revoked": ("courses.Enrollment", "an enrollment was revoked (staff, or a refund)"),
    "order.paid": ("payments.Order", "an order's payment succeeded"),
    "order.refunded": ("payments.Order", "an order was refunded"),
    "certificate.issued": ("certificates.Certificate", "a certificate was issued"),
    "certificate.revoked": ("certificates.Certificate", "a certificate was revoked"),
    "review.created": ("reviews.Review", "a student reviewed a course"),
    "submission.created": ("assignments.Submission", "a student submitted an assignment"),
    "submission.graded": ("assignments.Submission", "a submission was graded or re-graded"),
}

Subscriber = Callable[[str, Any], None]
_subscribers: list[Subscriber] = []


def subscribe(subscriber: Subscriber) -> None:
    if subscriber not in _subscribers:
        _subscribers.append(subscriber)


def publish(event_type: str, subject: Any) -> None:
    """Announces that `event_type` happened to `subject`. Call it inside the transaction of the change."""
    if event_type not in EVENT_TYPES:
        raise ValueError(f"unknown event type {event_type!r}")
    for subscriber in _subscribers:
        subscriber(event_type, subject)
