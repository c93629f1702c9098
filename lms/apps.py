from django.apps import AppConfig


class LmsConfig(AppConfig):
    name = "lms"
    verbose_name = "LMS"

    def ready(self):
        from . import checks  # noqa: F401 (registers the project's system checks)
