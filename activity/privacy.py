"""What the activity log holds about a person (the events they did), and how it is exported and
erased (privacy.registry). Erasure pseudonymises: the events stay, for reports, pointing at the
pseudonymised account; their client address, user agent and any metadata that could say something
about the person are cleared (activity.services.KEPT_METADATA says what stays, per verb)."""

from privacy.registry import Eraser, Exporter

from . import selectors, services
from .models import ActivityEvent


def export(user) -> dict:
    return {
        "events": [
            {
                "id": event.pk,
                "verb": event.verb,
                "target_type": event.target_type,
                "target_id": event.target_id,
                "course_id": event.course_id,
                "metadata": event.metadata,
                "ip": event.ip,
                "user_agent": event.user_agent,
                "created_at": event.created_at.isoformat(),
            }
            for event in selectors.activity_list_for_actor(user).iterator()
        ]
    }


def erase(user) -> None:
    services.activity_erase_for_user(user=user)


def _kept_metadata() -> str:
    listed = "; ".join(f"{verb}: {', '.join(sorted(keys))}" for verb, keys in services.KEPT_METADATA.items())
    return (
        "kept, pseudonymised: only figures and ids that say nothing about the person once the actor is a "
        f"pseudonym ({listed}); everything else cleared"
    )


EXPORTER = Exporter(
    name="activity",
    models=(ActivityEvent,),
    export=export,
    describe={
        "events.id": "The event's id.",
        "events.verb": "What you did (user_signed_up, user_logged_in, enrollment_created, lesson_completed, "
        "quiz_attempt_submitted, order_created, forum_post_created, review_created, ...).",
        "events.target_type": "The kind of thing you did it to (enrollment, lesson, attempt, order, post, ...).",
        "events.target_id": "That thing's id.",
        "events.course_id": "The course it happened in, if any.",
        "events.metadata": "Details recorded with it (a quiz score, an amount paid, a rating, ...).",
        "events.ip": "The network address the request came from.",
        "events.user_agent": "The browser or app that made the request.",
        "events.created_at": "When it happened.",
    },
)

ERASER = Eraser(
    name="activity",
    models=(ActivityEvent,),
    erase=erase,
    order=950,  # after the other apps, whose erasure may itself record events (an enrollment revoked)
    policy={
        "ActivityEvent.actor": "kept, pseudonymised: reports keep their counts (active users, completions); "
        'the actor reads "Deleted user"',
        "ActivityEvent.ip": "deleted",
        "ActivityEvent.user_agent": "deleted",
        "ActivityEvent.metadata": _kept_metadata(),
        "ActivityEvent.verb, target_type, target_id, course, created_at": "kept: what happened, when, to "
        "which course; no personal data once the actor is a pseudonym",
    },
)
