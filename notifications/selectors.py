from django.db.models import QuerySet

from .models import Announcement, Notification, NotificationPreference


def notification_list_for_user(*, user, unread_only: bool = False) -> QuerySet[Notification]:
    queryset = Notification.objects.filter(recipient=user)
    if unread_only:
        queryset = queryset.filter(read_at__isnull=True)
    return queryset.order_by("-created_at", "-id")


def notification_unread_count_for_user(*, user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def announcement_list_for_course(*, course) -> QuerySet[Announcement]:
    return Announcement.objects.filter(course=course).select_related("author").order_by("-created_at", "-id")


def notification_preference_list_for_user(*, user) -> QuerySet[NotificationPreference]:
    """The channels the user chose, one row per type they changed (the others use DEFAULT_CHANNELS)."""
    return NotificationPreference.objects.filter(user=user).order_by("type")


def announcement_list_by_author(*, user) -> QuerySet[Announcement]:
    return Announcement.objects.filter(author=user).order_by("created_at", "id")
