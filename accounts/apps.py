from django.apps import AppConfig


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from privacy.registry import register_eraser, register_exporter

        from .auth_cache import user_written
        from .privacy import ERASER, EXPORTER

        # Every save and delete of a user (bulk updates: UserQuerySet) drops their cached row.
        post_save.connect(user_written, sender=self.get_model("User"), dispatch_uid="auth-cache-save")
        post_delete.connect(user_written, sender=self.get_model("User"), dispatch_uid="auth-cache-delete")

        register_exporter(EXPORTER)
        register_eraser(ERASER)
