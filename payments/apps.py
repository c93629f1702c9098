from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "payments"

    def ready(self):
        from privacy.registry import register_eraser, register_exporter

        from .privacy import ERASER, EXPORTER

        register_exporter(EXPORTER)
        register_eraser(ERASER)
