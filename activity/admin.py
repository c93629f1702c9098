from django.contrib import admin

from lms.admin_actions import ReadOnlyAdminMixin

from .models import ActivityEvent


@admin.register(ActivityEvent)
class ActivityEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: the log is a record of what happened (pruned by the prune_activity command)."""

    list_display = ("created_at", "actor", "verb", "target_type", "target_id", "course", "ip")
    list_filter = ("verb", "created_at")
    search_fields = ("actor__email", "target_id", "verb")
    list_select_related = ("actor", "course")
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in ActivityEvent._meta.fields]
