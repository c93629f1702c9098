from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SsoConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "sso"
    verbose_name = _("Single sign-on")

    def ready(self):
        from privacy.registry import register_eraser, register_exporter

        from . import checks  # noqa: F401 (registers the configuration checks)
        from .privacy import ERASER, EXPORTER

        register_exporter(EXPORTER)
        register_eraser(ERASER)
