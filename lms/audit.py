"""Staff reads of a person's personal data, for the audit log (README "Privacy").

Apps report a read here: `personal_data_read(actor=..., subject=..., target=..., ...)` from API views,
and `AuditedReadAdmin` on the admin pages that show a person's data (users, enrollments, orders,
submissions). The privacy app registers the recorder that writes them to its append-only log, so
the apps that report need not import it. A read by the person themselves is not recorded."""

from collections.abc import Callable

Recorder = Callable[..., None]
_recorders: list[Recorder] = []


def register_recorder(recorder: Recorder) -> None:
    if recorder not in _recorders:
        _recorders.append(recorder)


def personal_data_read(*, actor, subject, target: str, action: str = "read", reason: str = "", path: str = "") -> None:
    """Reports that staff member `actor` read `subject`'s personal data (`target`: "app.model:id")."""
    if actor is None or subject is None or getattr(actor, "pk", None) == getattr(subject, "pk", subject):
        return
    for recorder in _recorders:
        recorder(actor=actor, subject=subject, action=action, target=target, reason=reason, path=path)


class AuditedReadAdmin:
    """For a ModelAdmin whose change page shows a person's data: each view of the page is reported
    (who, which row, when, and why: the optional `?reason=` the page's reason box adds). `audit_subject`
    names whose data a row is (the row itself for users; set `audit_subject_field`)."""

    audit_subject_field: str | None = None
    change_form_template = "admin/audited_change_form.html"

    def audit_subject(self, obj):
        return getattr(obj, self.audit_subject_field) if self.audit_subject_field else obj

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and getattr(response, "status_code", None) == 200:
            obj = response.context_data.get("original") if hasattr(response, "context_data") else None
            if obj is not None:
                personal_data_read(
                    actor=request.user,
                    subject=self.audit_subject(obj),
                    action="admin.view",
                    target=f"{obj._meta.label_lower}:{obj.pk}",
                    reason=request.GET.get("reason", "")[:500],
                    path=request.path,
                )
        return response
