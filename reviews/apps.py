from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reviews"

    def ready(self):
        from courses.hooks import on_enrollment_status_changed

        from .services import course_rating_enrollment_changed

        on_enrollment_status_changed(course_rating_enrollment_changed)

        from privacy.registry import register_eraser, register_exporter

        from .privacy import ERASER, EXPORTER

        register_exporter(EXPORTER)
        register_eraser(ERASER)
