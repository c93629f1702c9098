from django.contrib import admin, messages

from lms.admin_actions import apply_each

from . import services
from .models import Category, Course, Enrollment, Lesson, LessonCompletion, Section


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "created_at")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}


class SectionInline(admin.TabularInline):
    model = Section
    extra = 0
    fields = ("title", "order")


class LessonInline(admin.TabularInline):
    model = Lesson
    fk_name = "course"
    extra = 0
    fields = ("section", "title", "order", "is_preview", "duration_seconds", "video_url")
    show_change_link = True

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "section":
            course_id = request.resolver_match.kwargs.get("object_id")
            kwargs["queryset"] = Section.objects.filter(course_id=course_id) if course_id else Section.objects.none()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = (
        "title",
        "instructor",
        "category",
        "status",
        "price",
        "currency",
        "enrollment_count",
        "average_rating",
        "published_at",
    )
    list_filter = ("status", "level", "category", "currency", "language")
    search_fields = ("title", "subtitle", "slug", "instructor__email", "instructor__last_name")
    list_select_related = ("instructor", "category")
    raw_id_fields = ("instructor",)
    readonly_fields = (
        "slug",
        "status",
        "published_at",
        "created_at",
        "updated_at",
        "lesson_count",
        "enrollment_count",
        "average_rating",
        "rating_count",
        "rating_distribution",
    )
    date_hierarchy = "created_at"
    inlines = [SectionInline, LessonInline]
    actions = ["publish", "unpublish", "archive"]

    def get_inlines(self, request, obj):
        return [SectionInline, LessonInline] if obj else []

    def save_model(self, request, obj, form, change):
        if change:
            services.course_update(course=obj, data={f: getattr(obj, f) for f in services.COURSE_FIELDS})
        else:
            created = services.course_create(
                instructor=obj.instructor, **{f: getattr(obj, f) for f in services.COURSE_FIELDS}
            )
            obj.pk, obj.slug = created.pk, created.slug

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Lessons edited inline bypass lesson_create/lesson_delete: bring the counter back in line.
        services.course_recount_lessons(course=form.instance)

    @admin.action(description="Publish (needs at least one lesson)")
    def publish(self, request, queryset):
        apply_each(self, request, queryset, lambda c: services.course_publish(course=c), "course(s) published")

    @admin.action(description="Unpublish (back to draft)")
    def unpublish(self, request, queryset):
        apply_each(self, request, queryset, lambda c: services.course_unpublish(course=c), "course(s) unpublished")

    @admin.action(description="Archive (hide; enrolled students keep access)")
    def archive(self, request, queryset):
        apply_each(self, request, queryset, lambda c: services.course_archive(course=c), "course(s) archived")

    def delete_model(self, request, obj):
        outcome = services.course_delete(course=obj)
        if outcome == "archived":
            self.message_user(request, f"{obj} has enrollments, so it was archived instead.", messages.WARNING)

    def delete_queryset(self, request, queryset):
        for course in queryset:
            self.delete_model(request, course)


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ("title", "course", "order")
    search_fields = ("title", "course__title")
    list_select_related = ("course",)
    raw_id_fields = ("course",)


@admin.register(Lesson)
class LessonAdmin(admin.ModelAdmin):
    list_display = ("title", "course", "section", "order", "is_preview", "duration_seconds")
    list_filter = ("is_preview",)
    search_fields = ("title", "course__title", "section__title")
    list_select_related = ("course", "section")
    raw_id_fields = ("section",)

    def get_readonly_fields(self, request, obj=None):
        return ("section", "course") if obj else ()

    def save_model(self, request, obj, form, change):
        if change:
            services.lesson_update(lesson=obj, data={f: getattr(obj, f) for f in services.LESSON_FIELDS})
        else:
            created = services.lesson_create(
                section=obj.section, **{f: getattr(obj, f) for f in services.LESSON_FIELDS}
            )
            obj.pk = created.pk

    def delete_model(self, request, obj):
        services.lesson_delete(lesson=obj)

    def delete_queryset(self, request, queryset):
        for lesson in queryset:
            services.lesson_delete(lesson=lesson)


@admin.register(Enrollment)
class EnrollmentAdmin(admin.ModelAdmin):
    list_display = ("student", "course", "status", "source", "enrolled_at", "completed_at")
    list_filter = ("status", "source", "enrolled_at", "completed_at")
    search_fields = ("student__email", "student__last_name", "course__title")
    list_select_related = ("student", "course")
    raw_id_fields = ("student", "course")
    date_hierarchy = "enrolled_at"
    actions = ["revoke"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ("status", "enrolled_at", "completed_at", "revoked_at", "last_activity_at")
        return (
            "student",
            "course",
            "source",
            "status",
            "enrolled_at",
            "completed_at",
            "revoked_at",
            "last_activity_at",
        )

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("student", "course")
        return super().get_fields(request, obj)

    def save_model(self, request, obj, form, change):
        if not change:  # staff grant access through the same service as everyone else
            created = services.enrollment_create(student=obj.student, course=obj.course, source="admin")
            obj.pk = created.pk

    def has_delete_permission(self, request, obj=None):
        return False  # revoke instead: the student's history stays

    @admin.action(description="Revoke access")
    def revoke(self, request, queryset):
        apply_each(self, request, queryset, lambda e: services.enrollment_revoke(enrollment=e), "enrollment(s) revoked")


@admin.register(LessonCompletion)
class LessonCompletionAdmin(admin.ModelAdmin):
    list_display = ("enrollment", "lesson", "completed_at")
    list_select_related = ("enrollment__student", "enrollment__course", "lesson")
    raw_id_fields = ("enrollment", "lesson")
    search_fields = ("enrollment__student__email", "lesson__title")
