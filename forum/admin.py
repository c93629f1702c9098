from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from lms.admin_actions import ReadOnlyAdminMixin, ServiceAdminMixin, apply_each, changed

from . import services
from .models import Comment, ModerationLog, Post, Report, ReportStatus

MODERATED_FLAGS = ("is_pinned", "is_locked", "is_hidden", "is_removed")

# What a report action says once done, by resolution (lms.admin_actions.apply_each fills {count}).
RESOLVED = {
    "hide": ngettext_lazy(
        "{count} report resolved: the item was hidden.", "{count} reports resolved: the items were hidden.", "count"
    ),
    "restore": ngettext_lazy(
        "{count} report resolved: the item was restored.",
        "{count} reports resolved: the items were restored.",
        "count",
    ),
    "dismiss": ngettext_lazy("{count} report dismissed.", "{count} reports dismissed.", "count"),
}


class HideRestoreActions:
    """Hide and restore for posts and comments, through the service that logs them."""

    def has_add_permission(self, request):
        return False  # people write in the forum through the API

    def has_delete_permission(self, request, obj=None):
        return False  # the "Delete" action removes the text and keeps the thread (a soft delete)

    @admin.action(description=_("Hide"))
    def hide(self, request, queryset):
        apply_each(
            self,
            request,
            queryset,
            lambda item: services.item_set_hidden(item=item, actor=request.user, hidden=True),
            ngettext_lazy("{count} item hidden.", "{count} items hidden.", "count"),
        )

    @admin.action(description=_("Restore (unhide)"))
    def restore(self, request, queryset):
        apply_each(
            self,
            request,
            queryset,
            lambda item: services.item_set_hidden(item=item, actor=request.user, hidden=False),
            ngettext_lazy("{count} item restored.", "{count} items restored.", "count"),
        )


@admin.register(Post)
class PostAdmin(HideRestoreActions, ServiceAdminMixin, admin.ModelAdmin):
    """Threads are moderated with the actions, so every change lands in the moderation log; the
    title and body are edited through post_update."""

    list_display = (
        "title",
        "course",
        "author",
        "is_pinned",
        "is_locked",
        "is_hidden",
        "is_removed",
        "comment_count",
        "vote_count",
        "last_activity_at",
    )
    list_filter = ("is_pinned", "is_locked", "is_hidden", "is_removed", "course")
    search_fields = ("title", "body", "author__email", "course__title")
    list_select_related = ("course", "author")
    raw_id_fields = ("course", "author")
    readonly_fields = (
        "course",
        "author",
        *MODERATED_FLAGS,
        "comment_count",
        "vote_count",
        "created_at",
        "updated_at",
        "last_activity_at",
        "sort_key",
    )
    actions = ["pin", "unpin", "lock", "unlock", "hide", "restore", "remove"]

    def save_model(self, request, obj, form, change):
        services.post_update(post=obj, actor=request.user, data=changed(form, ("title", "body")))

    @admin.action(description=_("Delete (the text is removed; the thread and its comments stay)"))
    def remove(self, request, queryset):
        apply_each(
            self,
            request,
            queryset,
            lambda post: services.post_delete(post=post, actor=request.user),
            ngettext_lazy("{count} post deleted.", "{count} posts deleted.", "count"),
        )

    def _flag(self, request, queryset, flag, value, done):
        apply_each(
            self,
            request,
            queryset,
            lambda post: services.post_set_flag(post=post, actor=request.user, flag=flag, value=value),
            done,
        )

    @admin.action(description=_("Pin"))
    def pin(self, request, queryset):
        done = ngettext_lazy("{count} post pinned.", "{count} posts pinned.", "count")
        self._flag(request, queryset, "is_pinned", True, done)

    @admin.action(description=_("Unpin"))
    def unpin(self, request, queryset):
        done = ngettext_lazy("{count} post unpinned.", "{count} posts unpinned.", "count")
        self._flag(request, queryset, "is_pinned", False, done)

    @admin.action(description=_("Lock"))
    def lock(self, request, queryset):
        done = ngettext_lazy("{count} post locked.", "{count} posts locked.", "count")
        self._flag(request, queryset, "is_locked", True, done)

    @admin.action(description=_("Unlock"))
    def unlock(self, request, queryset):
        done = ngettext_lazy("{count} post unlocked.", "{count} posts unlocked.", "count")
        self._flag(request, queryset, "is_locked", False, done)


@admin.register(Comment)
class CommentAdmin(HideRestoreActions, ServiceAdminMixin, admin.ModelAdmin):
    """Moderated with the actions (logged); the body is edited through comment_update."""

    list_display = ("__str__", "post", "author", "parent", "is_hidden", "is_removed", "created_at")
    list_filter = ("is_hidden", "is_removed")
    search_fields = ("body", "author__email", "post__title")
    list_select_related = ("post", "author")
    readonly_fields = ("post", "author", "parent", "is_hidden", "is_removed", "created_at", "updated_at")
    actions = ["hide", "restore", "remove"]

    def save_model(self, request, obj, form, change):
        if "body" in form.changed_data:
            services.comment_update(comment=obj, actor=request.user, body=form.cleaned_data["body"])

    @admin.action(description=_("Delete (the text is removed; replies stay)"))
    def remove(self, request, queryset):
        apply_each(
            self,
            request,
            queryset.select_related("post"),
            lambda comment: services.comment_delete(comment=comment, actor=request.user),
            ngettext_lazy("{count} comment deleted.", "{count} comments deleted.", "count"),
        )


@admin.register(Report)
class ReportAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Reports are resolved with the actions, so the moderation log records who decided."""

    list_display = ("id", "course", "post", "comment", "reporter", "reason", "status", "resolution", "created_at")
    list_filter = ("status", "resolution", "created_at")
    search_fields = ("reason", "reporter__email", "post__title", "comment__body")
    list_select_related = ("course", "post", "comment", "reporter")
    readonly_fields = [f.name for f in Report._meta.fields]
    actions = ["hide", "restore", "dismiss"]

    def _resolve(self, request, queryset, resolution):
        apply_each(
            self,
            request,
            queryset.filter(status=ReportStatus.OPEN),
            lambda report: services.report_resolve(report=report, actor=request.user, resolution=resolution),
            RESOLVED[resolution],
        )

    @admin.action(description=_("Hide the reported item"))
    def hide(self, request, queryset):
        self._resolve(request, queryset, "hide")

    @admin.action(description=_("Restore the reported item"))
    def restore(self, request, queryset):
        self._resolve(request, queryset, "restore")

    @admin.action(description=_("Dismiss the report"))
    def dismiss(self, request, queryset):
        self._resolve(request, queryset, "dismiss")


@admin.register(ModerationLog)
class ModerationLogAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "course", "actor", "action", "post", "comment", "note")
    list_filter = ("action", "created_at")
    search_fields = ("actor__email", "note")
    list_select_related = ("course", "actor", "post", "comment")
    readonly_fields = [f.name for f in ModerationLog._meta.fields]
