from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from .models import StorageQuota, Upload, UploadPurpose, UploadStatus


def storage_usage(*, roles: list[str] | None = None, limit: int | None = None) -> list[dict]:
    """Storage per user, largest first, in one query: files and bytes of their checked uploads (and
    of those asked for and still open, which the quota counts too), bytes per purpose, and their
    quota. Users with nothing stored are left out."""
    now = timezone.now()
    counted = Q(uploads__status=UploadStatus.READY) | Q(
        uploads__status=UploadStatus.PENDING, uploads__expires_at__gt=now
    )
    per_purpose = {
        f"bytes_{purpose}": Coalesce(Sum("uploads__size", filter=counted & Q(uploads__purpose=purpose)), 0)
        for purpose in UploadPurpose.values
    }
    users = get_user_model().objects.all()
    if roles:
        users = users.filter(role__in=roles)
    rows = (
        users.annotate(
            files=Count("uploads", filter=counted),
            used_bytes=Coalesce(Sum("uploads__size", filter=counted), 0),
            quota_bytes=Coalesce(F("storage_quota__bytes"), settings.MEDIA_QUOTA_BYTES),
            **per_purpose,
        )
        .filter(files__gt=0)
        .order_by("-used_bytes", "email")
        .values("id", "email", "role", "files", "used_bytes", "quota_bytes", *per_purpose)
    )
    return list(rows[:limit] if limit else rows)


def upload_list_for_owner(user) -> QuerySet[Upload]:
    """Every upload the user made (any status), oldest first: their export."""
    return Upload.objects.filter(owner=user).order_by("created_at", "pk")


def storage_quota_for_user(user) -> StorageQuota | None:
    """The quota an admin set for the user, if any (everyone else has MEDIA_QUOTA_BYTES)."""
    return StorageQuota.objects.filter(user=user).first()
