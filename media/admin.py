from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from lms.admin_actions import ServiceAdminMixin

from . import services, storage
from .models import StorageQuota, Upload, UploadStatus
from .rules import describe_size


def _preview(upload: Upload, size: int):
    """A cover or avatar as a small image; a private file as a link that expires."""
    if upload.status != UploadStatus.READY or not upload.key:
        return "-"
    if upload.is_public:
        thumb = upload.variants.get("thumb", {}).get("jpeg") or upload.key
        return format_html(
            '<img src="{}" alt="" style="max-height:{}px;max-width:{}px">', storage.public_url(thumb), size, 2 * size
        )
    return format_html(
        '<a href="{}">{}</a>',
        storage.private_url(upload.key, filename=upload.filename),
        gettext("open (link valid 10 minutes)"),
    )


@admin.register(Upload)
class UploadAdmin(ServiceAdminMixin, admin.ModelAdmin):
    """Uploads are made through the API. Staff see who stored what, and delete what is not in use
    (through the service: the files go too; one in use is refused)."""

    list_display = ("filename", "thumbnail", "owner", "purpose", "status", "human_size", "attached", "created_at")
    list_filter = ("purpose", "status", ("attached_at", admin.EmptyFieldListFilter), "created_at")
    search_fields = ("filename", "owner__email", "id")
    list_select_related = ("owner",)
    readonly_fields = [
        "preview",
        *[f.name for f in Upload._meta.fields],
    ]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("size"), ordering="size")
    def human_size(self, upload):
        return describe_size(upload.size)

    @admin.display(description=_("attached"), boolean=True, ordering="attached_at")
    def attached(self, upload):
        return upload.attached_at is not None

    @admin.display(description="")
    def thumbnail(self, upload):
        return _preview(upload, 40)

    @admin.display(description=_("preview"))
    def preview(self, upload):
        return _preview(upload, 240)

    def delete_model(self, request, obj):
        services.upload_delete(actor=request.user, upload_id=obj.pk)


@admin.register(StorageQuota)
class StorageQuotaAdmin(ServiceAdminMixin, admin.ModelAdmin):
    """Per-user storage quotas (everyone else has MEDIA_QUOTA_BYTES). Deleting one returns the user to
    the default."""

    list_display = ("user", "human_quota", "used", "updated_at", "updated_by")
    search_fields = ("user__email",)
    autocomplete_fields = ("user",)
    list_select_related = ("user", "updated_by")
    fields = ("user", "bytes", "updated_at", "updated_by")
    readonly_fields = ("updated_at", "updated_by")

    def get_readonly_fields(self, request, obj=None):
        return ("user", *self.readonly_fields) if obj else self.readonly_fields

    @admin.display(description=_("quota"), ordering="bytes")
    def human_quota(self, quota):
        return describe_size(quota.bytes)

    @admin.display(description=_("used"))
    def used(self, quota):
        return describe_size(services.storage_used(quota.user))

    def save_model(self, request, obj, form, change):
        saved = services.storage_quota_set(actor=request.user, user=obj.user, quota_bytes=obj.bytes)
        obj.pk, obj.updated_at, obj.updated_by = saved.pk, saved.updated_at, saved.updated_by
        obj._state.adding = False

    def delete_model(self, request, obj):
        services.storage_quota_set(actor=request.user, user=obj.user, quota_bytes=None)
