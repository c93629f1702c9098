from django.contrib import admin

from .models import ActivityEvent


@admin.register(ActivityEvent)
class ActivityEventAdmin(admin.ModelAdmin):
    """Read-only: the log is a record of what happened."""

    list_display = ("created_at", "actor", "verb", "target_type", "target_id", "course", "ip")
    list_filter = ("verb", "created_at")
    search_fields = ("actor__email", "target_id", "verb")
    list_select_related = ("actor", "course")
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in ActivityEvent._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
