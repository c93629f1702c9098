from django.apps import AppConfig


class MediaConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "media"
    verbose_name = "Files and media"

    def ready(self):
        from privacy.registry import register_eraser, register_exporter

        from .privacy import ERASER, EXPORTER

        register_exporter(EXPORTER)
        register_eraser(ERASER)
