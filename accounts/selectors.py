"""Reads of accounts, scoped to who is asking."""

from django.db.models import QuerySet

from .models import User


def user_list_for_admin() -> QuerySet[User]:
    """Every account, newest first (the admin API's user list; admins only, by its permission)."""
    return User.objects.order_by("-date_joined", "-id")
