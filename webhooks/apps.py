from django.apps import AppConfig
from django.db.models.signals import post_migrate


def recorder(event_type: str, subject) -> None:
    """lms.events' subscriber: the outbox records the event in the caller's transaction."""
    from .services import event_record

    event_record(event_type=event_type, subject=subject)


class WebhooksConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "webhooks"

    def ready(self):
        from lms.events import subscribe
        from privacy.registry import register_eraser, register_exporter

        from . import subscriptions
        from .privacy import ERASER, EXPORTER

        subscribe(recorder)
        post_migrate.connect(subscriptions.on_migrate, sender=self, dispatch_uid="webhooks.subscriptions")
        register_exporter(EXPORTER)
        register_eraser(ERASER)
