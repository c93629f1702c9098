from django.apps import AppConfig


class CertificatesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "certificates"

    def ready(self):
        from courses.progress import on_course_completed
        from privacy.registry import register_eraser, register_exporter

        from .privacy import ERASER, EXPORTER
        from .services import certificate_issue_later

        on_course_completed(certificate_issue_later)
        register_exporter(EXPORTER)
        register_eraser(ERASER)
