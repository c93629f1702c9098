"""Read-only records: notifications are sent by the services of each domain, preferences are set by
their owner through the API, announcements are written by instructors (announcement_create)."""

from django.contrib import admin

from lms.admin_actions import ReadOnlyAdminMixin

from .models import Announcement, Notification, NotificationPreference


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "recipient", "type", "title", "read_at")
    list_filter = ("type", "created_at", ("read_at", admin.EmptyFieldListFilter))
    search_fields = ("recipient__email", "title")
    list_select_related = ("recipient",)
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in Notification._meta.fields]


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("user", "type", "in_app", "email", "updated_at")
    list_filter = ("type", "in_app", "email")
    search_fields = ("user__email",)
    list_select_related = ("user",)
    readonly_fields = [f.name for f in NotificationPreference._meta.fields]


@admin.register(Announcement)
class AnnouncementAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "course", "author", "title", "recipient_count", "sent_at")
    list_filter = ("created_at", ("sent_at", admin.EmptyFieldListFilter))
    search_fields = ("title", "course__title", "author__email")
    list_select_related = ("course", "author")
    readonly_fields = [f.name for f in Announcement._meta.fields]
