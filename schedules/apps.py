from django.apps import AppConfig


class SchedulesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "schedules"

    def ready(self):
        from courses.hooks import on_enrollment_status_changed, register_enrollment_gate
        from courses.release import register_anchor_source
        from privacy.registry import register_eraser, register_exporter

        from .privacy import ERASER, EXPORTER
        from .selectors import cohort_seat_dates
        from .services import cohort_enrollment_gate, cohort_seat_free_on_revoke

        register_enrollment_gate(cohort_enrollment_gate)
        on_enrollment_status_changed(cohort_seat_free_on_revoke)
        register_anchor_source(cohort_seat_dates)
        register_exporter(EXPORTER)
        register_eraser(ERASER)
