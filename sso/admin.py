"""Single sign-on in the admin: the identity links, read-only, with an action that removes links
through the service (an account whose identity at a provider was replaced gets the new one linked at
its next sign-in). Pending sign-ins and one-time codes are not shown: they live for minutes."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from lms.admin_actions import ReadOnlyAdminMixin, apply_each

from . import services
from .models import IdentityLink


@admin.register(IdentityLink)
class IdentityLinkAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("provider", "subject", "user", "email", "created_at", "last_used_at")
    list_filter = ("provider", "created_at")
    search_fields = ("=user__id", "user__email", "email", "=subject")
    list_select_related = ("user",)
    actions = ["unlink"]

    @admin.action(description=_("Remove the selected identity links"))
    def unlink(self, request, queryset):
        apply_each(
            self,
            request,
            queryset,
            lambda link: services.identity_link_delete(actor=request.user, link=link),
            ngettext_lazy("{count} identity link removed.", "{count} identity links removed.", "count"),
        )
