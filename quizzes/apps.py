from django.apps import AppConfig


class QuizzesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "quizzes"

    def ready(self):
        from courses.progress import register_requirement
        from courses.release import register_kind
        from privacy.registry import register_eraser, register_exporter

        from .models import Quiz
        from .privacy import ERASER, EXPORTER
        from .progress import quizzes_passed, quizzes_requirement

        register_requirement("quizzes", quizzes_requirement)
        register_kind("quiz", Quiz, quizzes_passed)
        register_exporter(EXPORTER)
        register_eraser(ERASER)
