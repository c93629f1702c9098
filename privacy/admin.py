"""The privacy app in the admin: exports and erasure requests (read-only, with a cancel action), the
audit log (superusers only, append-only), and the "erase at once" action of the user list
(`erase_now`, with a confirmation page listing what erasure removes and keeps)."""

from django.contrib import admin
from django.contrib.admin import helpers
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from lms.admin_actions import ReadOnlyAdminMixin, apply_each

from . import registry, services
from .models import AuditEvent, DataExport, ErasureRequest, ErasureStatus


@admin.register(DataExport)
class DataExportAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("id", "user", "requested_by", "status", "created_at", "ready_at", "expires_at", "size")
    list_filter = ("status", "created_at")
    search_fields = ("=user__id", "user__email")
    list_select_related = ("user", "requested_by")


@admin.register(ErasureRequest)
class ErasureRequestAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("id", "user", "requested_by", "status", "requested_at", "scheduled_for", "done_at")
    list_filter = ("status", "scheduled_for")
    search_fields = ("=user__id",)
    list_select_related = ("user", "requested_by")
    actions = ["cancel"]

    @admin.action(description=_("Cancel the pending erasure"))
    def cancel(self, request, queryset):
        apply_each(
            self,
            request,
            queryset.filter(status=ErasureStatus.PENDING).select_related("user"),
            lambda erasure: services.erasure_cancel(user=erasure.user),
            ngettext_lazy("{count} erasure canceled.", "{count} erasures canceled.", "count"),
        )


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Superusers only: who read whose personal data. Nobody changes or deletes a row here."""

    list_display = ("at", "actor", "subject", "action", "target", "reason", "path")
    list_filter = ("action", "at")
    search_fields = ("=actor__id", "=subject__id", "target")
    list_select_related = ("actor", "subject")

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser


def erase_confirmation(modeladmin, request, queryset):
    """The confirmation page of the user list's "erase at once" action (accounts.admin.UserAdmin):
    the chosen users and what erasure removes and keeps (each app's registered policy)."""
    policy = [(name, rule) for eraser in registry.erasers() for name, rule in sorted(eraser.policy.items())]
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": _("Erase personal data at once"),
        "opts": modeladmin.model._meta,
        "queryset": queryset,
        "policy": policy,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "action": "erase_now",
    }
    return TemplateResponse(request, "admin/privacy/erase_confirm.html", context)
