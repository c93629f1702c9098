"""The OpenID Connect providers configured by environment (settings.OIDC_PROVIDERS, README "Single
sign-on"), read as `Provider`s, and what a provider's claims say about a new account's role.

Roles: SSO gives only `student` or `instructor`, never `admin` (ASSIGNABLE_ROLES). A provider's
`default_role` and the roles its `role_map` names must be one of those; anything else is ignored
here (a new account is then a student) and reported by the system check `sso.E003`/`sso.E004`."""

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

from accounts.models import Role

ASSIGNABLE_ROLES = (Role.STUDENT, Role.INSTRUCTOR)
# When several values of the role claim map to roles, the one giving more rights wins.
ROLE_RANK = {Role.STUDENT: 1, Role.INSTRUCTOR: 2}


@dataclass(frozen=True)
class Provider:
    name: str
    issuer: str
    client_id: str
    client_secret: str = ""
    label: str = ""
    allowed_domains: tuple[str, ...] = ()
    default_role: str = Role.STUDENT
    role_claim: str = ""
    role_map: dict[str, str] = field(default_factory=dict, hash=False)
    scopes: tuple[str, ...] = ("openid", "email", "profile")

    @property
    def display_label(self) -> str:
        return self.label or self.name


def _provider(name: str, config: dict[str, Any]) -> Provider:
    scopes = tuple(config.get("scopes") or ("openid", "email", "profile"))
    if "openid" not in scopes:  # without it the provider answers plain OAuth 2.0: no ID token
        scopes = ("openid", *scopes)
    return Provider(
        name=name,
        issuer=str(config.get("issuer") or ""),
        client_id=str(config.get("client_id") or ""),
        client_secret=str(config.get("client_secret") or ""),
        label=str(config.get("label") or name),
        allowed_domains=tuple(d.strip().lower().lstrip("@") for d in config.get("allowed_domains") or () if d.strip()),
        default_role=str(config.get("default_role") or Role.STUDENT),
        role_claim=str(config.get("role_claim") or ""),
        role_map={str(k): str(v) for k, v in (config.get("role_map") or {}).items()},
        scopes=scopes,
    )


def providers() -> dict[str, Provider]:
    """Every configured provider by name, in the order of OIDC_PROVIDERS."""
    return {name: _provider(name, config) for name, config in (settings.OIDC_PROVIDERS or {}).items()}


def provider_get(name: str) -> Provider | None:
    config = (settings.OIDC_PROVIDERS or {}).get(name)
    return None if config is None else _provider(name, config)


def claim_values(claims: dict[str, Any], name: str) -> list[str]:
    """The values of the claim `name` as a list of strings: a string claim is one value, a list its
    string items. `name` is a key of the claims (`groups`, `roles`, `https://example.com/roles`),
    else a dotted path into nested objects (Keycloak's `realm_access.roles`)."""
    if name in claims:
        value = claims[name]
    else:
        value = claims
        for part in name.split("."):
            value = value.get(part) if isinstance(value, dict) else None
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [item for item in value if isinstance(item, str)]
    return []


def role_for_claims(provider: Provider, claims: dict[str, Any]) -> str:
    """The role of an account created from these claims: the role `role_map` gives a value of the
    `role_claim` (the one with more rights when values map to several), else `default_role`; never
    admin (a role outside ASSIGNABLE_ROLES counts as not given)."""
    default = provider.default_role if provider.default_role in ASSIGNABLE_ROLES else Role.STUDENT
    if not provider.role_claim:
        return default
    mapped = {provider.role_map.get(value) for value in claim_values(claims, provider.role_claim)}
    mapped = [role for role in mapped if role in ASSIGNABLE_ROLES]
    if not mapped:
        return default
    return max(mapped, key=ROLE_RANK.__getitem__)
