"""Reads of single sign-on."""

from django.db.models import QuerySet

from .models import IdentityLink, LoginCode
from .providers import Provider, providers


def provider_list() -> list[Provider]:
    """The configured providers, in the order of OIDC_PROVIDERS (public: the SPA shows a button for each)."""
    return list(providers().values())


def identity_link_list_for_user(user) -> QuerySet[IdentityLink]:
    """The user's identity links, oldest first (their export)."""
    return IdentityLink.objects.filter(user=user).order_by("created_at", "pk")


def login_code_list_for_user(user) -> QuerySet[LoginCode]:
    """The one-time sign-in codes issued to the user and not yet pruned, oldest first (their export)."""
    return LoginCode.objects.filter(user=user).order_by("created_at", "pk")
