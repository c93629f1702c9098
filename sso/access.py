"""Who may use which single sign-on provider: anyone may sign in with a configured provider (the
callers are not signed in yet). `provider_for` resolves the provider a URL names, or answers 404, in
the style of the other apps' access helpers."""

from django.utils.translation import gettext_lazy as _

from lms.errors import NotFound

from .providers import Provider, provider_get

UNKNOWN_PROVIDER = _("No sign-in provider has this name.")


def provider_for(user, name: str) -> Provider:
    """The configured provider `name` (for anyone, signed in or not: `user` is not consulted), or
    NotFound `unknown_provider`."""
    provider = provider_get(name)
    if provider is None:
        raise NotFound(UNKNOWN_PROVIDER, code="unknown_provider")
    return provider
