from django.apps import AppConfig


class QuizzesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "quizzes"

    def ready(self):
        from courses.progress import register_requirement
        from courses.release import register_kind

        from .models import Quiz
        from .progress import quizzes_passed, quizzes_requirement

        register_requirement("quizzes", quizzes_requirement)
        register_kind("quiz", Quiz, quizzes_passed)
