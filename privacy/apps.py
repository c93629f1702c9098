from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "privacy"

    def ready(self):
        from lms.audit import register_recorder

        from . import services

        register_recorder(services.audit_record)
        from .models import AuditEvent, DataExport, ErasureRequest
        from .registry import Eraser, Exporter, register_eraser, register_exempt, register_exporter

        register_exporter(
            Exporter(
                name="privacy",
                models=(DataExport,),
                export=services.privacy_export,
                describe={
                    "data_exports": "Your earlier exports: when they were asked for, made and when their link expires.",
                    "erasures": "Your erasure requests: when asked, when scheduled, done or canceled.",
                },
            )
        )
        register_eraser(
            Eraser(
                name="privacy",
                models=(DataExport,),
                erase=services.privacy_erase,
                policy={"privacy.DataExport": "deleted, with the zips"},
                order=900,
            )
        )
        register_exempt(ErasureRequest, "the record that an erasure was asked for and done; it holds no personal data")
        register_exempt(
            AuditEvent,
            "the staff's accountability log (who read whose data, by id): kept for AUDIT_RETENTION_DAYS",
        )
