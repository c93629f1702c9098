"""Reads of the webhooks app (admins only: the views reach them through webhooks.access)."""

from django.db.models import QuerySet

from .models import Delivery, Endpoint


def endpoint_list_for_admin() -> QuerySet[Endpoint]:
    """Every endpoint, newest first."""
    return Endpoint.objects.order_by("-created_at", "-id")


def delivery_list_for_endpoint(endpoint: Endpoint, *, status: str | None = None) -> QuerySet[Delivery]:
    """The endpoint's deliveries, newest event first, with their event; only those of `status` if given."""
    deliveries = Delivery.objects.filter(endpoint=endpoint).select_related("event").order_by("-event_id", "-id")
    return deliveries if status is None else deliveries.filter(status=status)


def endpoint_list_owned_by(user) -> QuerySet[Endpoint]:
    """The endpoints `user` created (their data export)."""
    return Endpoint.objects.filter(created_by=user).order_by("created_at", "id")
