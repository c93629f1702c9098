"""`manage.py check` (and every command that runs the system checks, runserver and migrate among
them) refuses a single sign-on configuration that cannot work or would be unsafe: a provider without
an issuer URL or client id, an issuer over plain http on a non-loopback host, a role other than
student or instructor (SSO never makes admins), a role map without the claim it reads, or a return
URL that is not absolute."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, Warning, register

from .providers import ASSIGNABLE_ROLES, providers

LOOPBACK = {"localhost", "127.0.0.1", "::1"}


@register("sso")
def check_providers(app_configs=None, **kwargs) -> list:
    problems = []
    configured = providers()
    for provider in configured.values():
        where = f"OIDC provider {provider.name!r}"
        issuer = urlsplit(provider.issuer)
        if issuer.scheme not in ("http", "https") or not issuer.hostname:
            problems.append(Error(f"{where}: the issuer {provider.issuer!r} is not an URL.", id="sso.E001"))
        elif issuer.scheme == "http" and issuer.hostname not in LOOPBACK:
            problems.append(
                Error(
                    f"{where}: the issuer {provider.issuer!r} is plain http: codes and tokens would cross the "
                    "network unencrypted.",
                    hint="Use the provider's https:// issuer URL.",
                    id="sso.E001",
                )
            )
        if not provider.client_id:
            problems.append(Error(f"{where}: no client id.", id="sso.E002"))
        if provider.default_role not in ASSIGNABLE_ROLES:
            problems.append(
                Error(
                    f"{where}: default role {provider.default_role!r}: single sign-on creates students or "
                    "instructors only.",
                    id="sso.E003",
                )
            )
        bad = sorted({role for role in provider.role_map.values() if role not in ASSIGNABLE_ROLES})
        if bad:
            problems.append(
                Error(
                    f"{where}: the role map gives {', '.join(bad)}: single sign-on gives student or instructor only.",
                    id="sso.E004",
                )
            )
        if bool(provider.role_map) != bool(provider.role_claim):
            problems.append(
                Warning(
                    f"{where}: a role map needs a role claim and the other way round: roles are not mapped.",
                    hint="Set both OIDC_<NAME>_ROLE_CLAIM and OIDC_<NAME>_ROLE_MAP, or neither.",
                    id="sso.W001",
                )
            )
    if configured:
        target = urlsplit(settings.OIDC_RETURN_URL or "")
        if not target.scheme or not (target.netloc or target.path):
            problems.append(
                Error(
                    f"OIDC_RETURN_URL {settings.OIDC_RETURN_URL!r} is not an absolute URL: single sign-on "
                    "cannot send the browser back to the SPA.",
                    id="sso.E005",
                )
            )
    return problems
