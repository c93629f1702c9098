"""Reads of the privacy app's own rows."""

from .models import DataExport, ErasureRequest


def data_export_list_for_user(user, *, limit: int = 20) -> list[DataExport]:
    """The user's latest exports, newest first (there is at most one a day)."""
    return list(DataExport.objects.filter(user=user).order_by("-created_at", "-id")[:limit])


def data_export_get(pk: int) -> DataExport:
    return DataExport.objects.get(pk=pk)


def erasure_list_for_admin():
    """Every erasure request, newest first, with who it is for and who asked."""
    return ErasureRequest.objects.select_related("user", "requested_by").order_by("-requested_at", "-id")
