from django.apps import AppConfig


class AssignmentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "assignments"

    def ready(self):
        from courses.progress import register_requirement
        from courses.release import register_kind
        from privacy.registry import register_eraser, register_exporter

        from .models import Assignment
        from .privacy import ERASER, EXPORTER
        from .progress import assignments_passed, assignments_requirement

        register_requirement("assignments", assignments_requirement)
        register_kind("assignment", Assignment, assignments_passed)
        register_exporter(EXPORTER)
        register_eraser(ERASER)
