"""What webhooks hold about a person, for their export and their erasure (privacy.registry; README
"Privacy"): the webhook endpoints they created (they are its owner, told when it is turned off)."""

from privacy.registry import Eraser, Exporter

from .models import Endpoint
from .payloads import iso
from .selectors import endpoint_list_owned_by
from .services import webhooks_erase_for_user


def export(user) -> dict:
    return {
        "webhook_endpoints": [
            {
                "id": endpoint.pk,
                "url": endpoint.url,
                "description": endpoint.description,
                "events": endpoint.events,
                "is_active": endpoint.is_active,
                "created_at": iso(endpoint.created_at),
                "disabled_at": iso(endpoint.disabled_at),
            }
            for endpoint in endpoint_list_owned_by(user)
        ]
    }


DESCRIBE = {
    "webhook_endpoints": "Webhook endpoints you own: the URLs you, as an administrator, set up to receive events.",
    "webhook_endpoints.id": "The endpoint's number.",
    "webhook_endpoints.url": "Where the platform sends the events.",
    "webhook_endpoints.description": "What you wrote about it.",
    "webhook_endpoints.events": "The event types it receives.",
    "webhook_endpoints.is_active": "Whether it still receives events.",
    "webhook_endpoints.created_at": "When you created it.",
    "webhook_endpoints.disabled_at": "When it was turned off (its receiver was gone or failing), or null.",
}

POLICY = {
    "Endpoint.created_by": (
        "cleared: the endpoint keeps working for the platform, with no owner (nobody is e-mailed if it is "
        "turned off); its signing secret is never exported"
    ),
    "Event (webhooks outbox)": (
        "events about the person (their id as `user_id` or `student_id`) are deleted with their deliveries "
        "and logs, so no receiver is sent them after the erasure; what receivers already got is theirs"
    ),
}

EXPORTER = Exporter(name="webhooks", models=(Endpoint,), export=export, describe=DESCRIBE)

ERASER = Eraser(
    name="webhooks",
    models=(Endpoint,),
    erase=lambda user: webhooks_erase_for_user(user=user),
    policy=POLICY,
)
