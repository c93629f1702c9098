from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from lms.admin_actions import ReadOnlyAdminMixin, ServiceAdminMixin, changed

from . import services
from .models import InstructorReply, Review


class ReplyInline(ReadOnlyAdminMixin, admin.StackedInline):
    """Read-only: the instructor replies through the API (which notifies the reviewer)."""

    model = InstructorReply
    extra = 0
    can_delete = False
    readonly_fields = ("author", "body", "created_at", "updated_at")


@admin.register(Review)
class ReviewAdmin(ServiceAdminMixin, admin.ModelAdmin):
    """Staff edit or delete reviews through review_update / review_delete, which keep the course's
    rating figures exact."""

    list_display = ("course", "student", "rating", "created_at", "has_reply")
    list_filter = ("rating", "course", "created_at")
    search_fields = ("comment", "student__email", "course__title")
    list_select_related = ("course", "student", "reply")
    raw_id_fields = ("course", "student")
    inlines = [ReplyInline]

    @admin.display(boolean=True, description=_("replied"))
    def has_reply(self, review):
        return hasattr(review, "reply")

    def has_add_permission(self, request):
        return False  # students write reviews; staff edit or delete them

    def get_readonly_fields(self, request, obj=None):
        return ("course", "student", "counts_after_erasure", "created_at", "updated_at")

    def save_model(self, request, obj, form, change):
        services.review_update(review=obj, actor=request.user, data=changed(form, ("rating", "comment")))

    def delete_model(self, request, obj):
        services.review_delete(review=obj, actor=request.user)
