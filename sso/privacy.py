"""What single sign-on holds about a person, for their export and their erasure (privacy.registry;
README "Privacy"): the identities at providers linked to their account, and the one-time sign-in codes
issued to them (only hashes of the codes are stored; the export says when each was issued and used)."""

from privacy.registry import Eraser, Exporter

from .models import IdentityLink, LoginCode
from .selectors import identity_link_list_for_user, login_code_list_for_user
from .services import sso_erase_for_user


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def export(user) -> dict:
    return {
        "identity_links": [
            {
                "provider": link.provider,
                "subject": link.subject,
                "email": link.email,
                "created_at": _iso(link.created_at),
                "last_used_at": _iso(link.last_used_at),
            }
            for link in identity_link_list_for_user(user)
        ],
        "sign_in_codes": [
            {
                "provider": code.provider,
                "created_at": _iso(code.created_at),
                "expires_at": _iso(code.expires_at),
                "used_at": _iso(code.used_at),
            }
            for code in login_code_list_for_user(user)
        ],
    }


DESCRIBE = {
    "identity_links.provider": "The single sign-on provider (e.g. your school's Google) linked to your account.",
    "identity_links.subject": "The provider's identifier of you (its `sub`), by which it signs you in.",
    "identity_links.email": "The verified e-mail address the provider gave when the link was made.",
    "identity_links.created_at": "When the link was made (your first sign-in with that provider).",
    "identity_links.last_used_at": "When you last signed in with that provider.",
    "sign_in_codes.provider": "The provider of a recent single sign-on (the codes are deleted within the hour).",
    "sign_in_codes.created_at": "When the one-time code was issued to your browser (the code itself is not stored).",
    "sign_in_codes.expires_at": "When it stopped being usable (a minute later).",
    "sign_in_codes.used_at": "When your browser exchanged it for a session, if it did.",
}

POLICY = {
    "IdentityLink": "deleted: the provider's identity no longer signs in to anything",
    "LoginCode": "deleted",
}

EXPORTER = Exporter(name="sso", models=(IdentityLink, LoginCode), export=export, describe=DESCRIBE)
ERASER = Eraser(
    name="sso", models=(IdentityLink, LoginCode), erase=lambda user: sso_erase_for_user(user=user), policy=POLICY
)
