from django.db.models import QuerySet

from .models import ActivityEvent


def activity_list_for_admin() -> QuerySet[ActivityEvent]:
    """Every event, newest first, with the actor loaded (admins only; the view checks)."""
    return ActivityEvent.objects.select_related("actor").order_by("-created_at", "-id")


def activity_list_for_actor(user) -> QuerySet[ActivityEvent]:
    """What the user did, oldest first: their export."""
    return ActivityEvent.objects.filter(actor=user).order_by("created_at", "pk")
