from django import forms
from django.contrib import admin
from django.contrib.admin.helpers import ActionForm
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from lms.admin_actions import ReadOnlyAdminMixin, apply_each

from . import services
from .models import Certificate, CertificateRevision

REVOKED = ngettext_lazy("{count} certificate revoked.", "{count} certificates revoked.", "count")
REISSUED = ngettext_lazy("{count} certificate re-issued.", "{count} certificates re-issued.", "count")


class CertificateActionForm(ActionForm):
    reason = forms.CharField(label=_("Reason"), required=False, max_length=500, help_text=_("Required to revoke."))


class RevisionInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = CertificateRevision
    extra = 0
    can_delete = False
    fields = (
        "version",
        "issued_at",
        "student_name",
        "course_title",
        "instructor_name",
        "pdf",
        "pdf_sha256",
        "superseded_at",
    )
    readonly_fields = fields


@admin.register(Certificate)
class CertificateAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Certificates change only through the actions: revoke (with the reason typed next to the
    action) and re-issue (a new PDF and hash; the old version stays in the history below)."""

    list_display = ("verification_code", "student_name", "course_title", "status", "version", "issued_at")
    list_filter = ("status", "issued_at", "course")
    search_fields = ("verification_code", "student_name", "student__email", "course_title")
    list_select_related = ("student", "course")
    readonly_fields = [f.name for f in Certificate._meta.fields]
    inlines = [RevisionInline]
    action_form = CertificateActionForm
    actions = ["revoke", "reissue"]

    @admin.action(description=_("Revoke (type the reason next to the action)"))
    def revoke(self, request, queryset):
        reason = request.POST.get("reason", "")
        apply_each(
            self,
            request,
            queryset,
            lambda c: services.certificate_revoke(actor=request.user, certificate=c, reason=reason),
            REVOKED,
        )

    @admin.action(description=_("Re-issue with current names (keeps the old version)"))
    def reissue(self, request, queryset):
        apply_each(
            self,
            request,
            queryset,
            lambda c: services.certificate_reissue(actor=request.user, certificate=c),
            REISSUED,
        )
