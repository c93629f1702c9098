from django.apps import AppConfig


class QuizzesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "quizzes"

    def ready(self):
        from courses.progress import register_requirement

        from .progress import quizzes_requirement

        register_requirement("quizzes", quizzes_requirement)
