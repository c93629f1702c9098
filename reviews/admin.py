from django.contrib import admin

from . import services
from .models import InstructorReply, Review


class ReplyInline(admin.StackedInline):
    model = InstructorReply
    extra = 0
    raw_id_fields = ("author",)


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

    def save_model(self, request, obj, form, change):
        if change:
            services.review_update(review=obj, data={"rating": obj.rating, "comment": obj.comment})
        else:
            obj.pk = services.review_create(
                course=obj.course, student=obj.student, rating=obj.rating, comment=obj.comment
            ).pk

    def delete_model(self, request, obj):
        services.review_delete(review=obj)

    def delete_queryset(self, request, queryset):
        for review in queryset:
            services.review_delete(review=review)
