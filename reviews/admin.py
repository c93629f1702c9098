from django.contrib import admin

from . import services
from .models import InstructorReply, Review


class ReplyInline(admin.StackedInline):
    """Read-only: the instructor replies through the API (which notifies the reviewer)."""

    model = InstructorReply
    extra = 0
    can_delete = False
    readonly_fields = ("author", "body", "created_at", "updated_at")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ("course", "student", "rating", "created_at", "has_reply")
    list_filter = ("rating", "course", "created_at")
    search_fields = ("comment", "student__email", "course__title")
    list_select_related = ("course", "student", "reply")
    raw_id_fields = ("course", "student")
    inlines = [ReplyInline]

    @admin.display(boolean=True, description="replied")
    def has_reply(self, review):
        return hasattr(review, "reply")

    def has_add_permission(self, request):
        return False  # students write reviews; staff edit or delete them

    def get_readonly_fields(self, request, obj=None):
        return ("course", "student", "created_at", "updated_at")

    def save_model(self, request, obj, form, change):
        services.review_update(review=obj, data={"rating": obj.rating, "comment": obj.comment})

    def delete_model(self, request, obj):
        services.review_delete(review=obj)

    def delete_queryset(self, request, queryset):
        for review in queryset:
            services.review_delete(review=review)
