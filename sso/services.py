"""Every write of single sign-on (README "Single sign-on"): starting and finishing a sign-in with an
OpenID Connect provider, the one-time code the SPA exchanges for the platform's tokens, identity links,
and their erasure and pruning.

The flow: the SPA makes a random code_verifier, keeps it (sessionStorage) and opens the start with its
code_challenge; `oidc_login_start` stores a PendingLogin (state, nonce and PKCE verifier for the
provider, bound to the browser by a cookie, and the SPA's challenge) and gives the provider's
authorization URL; the provider sends the browser back to the callback, whose `oidc_login_finish`
checks and consumes the pending sign-in, exchanges the code, verifies the ID token, finds or links or
creates the account and issues a one-time code (60 s, single use) bound to the SPA's challenge; the SPA
exchanges that code with its verifier by POST (`login_code_redeem`) for `{access, refresh, user}`, the
login view's answer. The challenge is what stops login CSRF at the exchange: a code from someone
else's sign-in (an attacker who stopped at their own callback's redirect and sent the victim to
`OIDC_RETURN_URL#code=...`) is refused, since the victim's SPA does not hold that sign-in's verifier.
No token of ours ever travels in a URL; refusals are SignInRefused with a stable code."""

import base64
import hashlib
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext_lazy as _

from accounts.access import require_admin
from accounts.models import User, normalize_email
from accounts.services import user_create, user_record_login
from lms.errors import InvalidInput, NotPermitted

from . import oidc
from .models import IdentityLink, LoginCode, PendingLogin
from .providers import Provider, role_for_claims
from .refusals import SignInRefused

logger = logging.getLogger(__name__)

PENDING_LOGIN_SECONDS = 600  # from the start to the provider's answer
LOGIN_CODE_SECONDS = 60  # from the provider's answer to the SPA's exchange

CODE_INVALID = _("This sign-in code is not valid. Please sign in again.")
CODE_USED = _("This sign-in code was already used. Please sign in again.")
CODE_EXPIRED = _("This sign-in code has expired. Please sign in again.")
ACCOUNT_INACTIVE = _("This account is deactivated.")
CHALLENGE_INVALID = _(
    "code_challenge must be the BASE64URL (without padding) SHA-256 of a code_verifier of 43 to 128 characters "
    "(A-Z, a-z, 0-9, '-', '.', '_', '~') that the app keeps for the exchange."
)
# RFC 7636: a challenge with S256 is BASE64URL(SHA-256(verifier)) without padding, 43 characters;
# a verifier is 43 to 128 unreserved characters.
CHALLENGE_FORMAT = re.compile(r"[A-Za-z0-9_-]{43}")
VERIFIER_FORMAT = re.compile(r"[A-Za-z0-9._~-]{43,128}")


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def code_challenge_of(code_verifier: str) -> str:
    """RFC 7636's S256: BASE64URL(SHA-256(ASCII(code_verifier))), without padding."""
    digest = hashlib.sha256(code_verifier.encode("ascii", errors="replace")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _usable(user: User) -> None:
    """Deactivated and erased accounts do not get in through SSO either."""
    if not user.is_active or user.erased_at is not None:
        raise SignInRefused("account_inactive", f"user {user.pk} is inactive")


# --- starting ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class LoginStart:
    url: str  # the provider's authorization URL, where the browser goes
    browser_key: str  # the value of the cookie that binds the sign-in to this browser
    max_age: int  # seconds the sign-in may take


def oidc_login_start(*, provider: Provider, redirect_uri: str, code_challenge: str) -> LoginStart:
    """Starts a sign-in with `provider`: a PendingLogin with a random state, nonce and PKCE
    code_verifier, valid PENDING_LOGIN_SECONDS, bound to the browser through `browser_key` (its hash
    is stored: the caller sets it as a cookie) and to the SPA through `code_challenge`
    (BASE64URL(SHA-256(verifier)) of a verifier the SPA keeps: the one-time code this sign-in ends
    with is exchanged only with that verifier). `redirect_uri` is this API's absolute callback URL.

    Who may call: anyone (the start endpoint, before anybody is signed in). Takes no lock: it only
    inserts. InvalidInput `code_challenge_invalid` when the challenge is missing or malformed;
    SignInRefused `provider_unavailable` / `provider_error` when the provider's discovery document
    cannot be had; nothing is stored then."""
    if not isinstance(code_challenge, str) or not CHALLENGE_FORMAT.fullmatch(code_challenge):
        raise InvalidInput(CHALLENGE_INVALID, code="code_challenge_invalid", extra={"field": "code_challenge"})
    state, nonce = oidc.random_token(43), oidc.random_token(43)
    code_verifier, browser_key = oidc.random_token(64), oidc.random_token(43)
    try:
        url = oidc.authorization_url(
            provider, redirect_uri=redirect_uri, state=state, nonce=nonce, code_verifier=code_verifier
        )
    except SignInRefused as exc:
        logger.warning("SSO sign-in with %s could not start: %s (%s)", provider.name, exc.code, exc.detail)
        raise
    now = timezone.now()
    PendingLogin.objects.create(
        state_hash=_hash(state),
        browser_hash=_hash(browser_key),
        provider=provider.name,
        nonce=nonce,
        code_verifier=code_verifier,
        redirect_uri=redirect_uri,
        spa_challenge=code_challenge,
        created_at=now,
        expires_at=now + timedelta(seconds=PENDING_LOGIN_SECONDS),
    )
    return LoginStart(url=url, browser_key=browser_key, max_age=PENDING_LOGIN_SECONDS)


# --- finishing --------------------------------------------------------------------------------------
def _pending_login_consume(*, provider: Provider, state: str, browser_key: str) -> PendingLogin:
    """The pending sign-in `state` names, marked used (committed at once, so a failure later in the
    callback cannot make it usable again, and a concurrent replay waits on the row lock and finds it
    used). Refused when unknown or another provider's, already used, expired, or started in another
    browser (the cookie's hash differs: login CSRF)."""
    if not state:
        raise SignInRefused("invalid_request", "no state")
    now = timezone.now()
    with transaction.atomic():
        pending = PendingLogin.objects.select_for_update().filter(state_hash=_hash(state)).first()
        if pending is None or pending.provider != provider.name:
            raise SignInRefused("invalid_state", "unknown state")
        if pending.used_at is not None:
            raise SignInRefused("state_used", f"pending login {pending.pk} already used")
        if pending.expires_at <= now:
            raise SignInRefused("login_expired", f"pending login {pending.pk} expired")
        if not constant_time_compare(pending.browser_hash, _hash(browser_key or "")):
            raise SignInRefused("browser_mismatch", f"pending login {pending.pk}: the cookie differs")
        pending.used_at = now
        pending.save(update_fields=["used_at"])
    return pending


def _is_true(value) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "true")


def _verified_email(provider: Provider, claims: dict) -> str:
    """The claims' e-mail, if the provider says it verified it (`email_verified`; Microsoft Entra,
    which never sends that claim, says so with its optional claim `xms_edov`, read only when
    `email_verified` is absent) and its domain is one the provider may sign in (`allowed_domains`)."""
    email = claims.get("email")
    email = normalize_email(email) if isinstance(email, str) else ""
    try:
        validate_email(email)
    except ValidationError as exc:
        raise SignInRefused("email_missing", "no usable email claim") from exc
    verified = claims["email_verified"] if "email_verified" in claims else claims.get("xms_edov")
    if not _is_true(verified):
        raise SignInRefused("email_unverified", "email_verified is not true")
    domain = email.rsplit("@", 1)[1]
    if provider.allowed_domains and domain not in provider.allowed_domains:
        raise SignInRefused("domain_not_allowed", f"domain {domain}")
    return email


def _names(claims: dict) -> tuple[str, str]:
    first, last = claims.get("given_name"), claims.get("family_name")
    if not isinstance(first, str) and not isinstance(last, str) and isinstance(claims.get("name"), str):
        first, _space, last = claims["name"].strip().partition(" ")
    first = first if isinstance(first, str) else ""
    last = last if isinstance(last, str) else ""
    return first.strip()[:150], last.strip()[:150]


def _account_once(*, provider: Provider, claims: dict, email: str, language: str) -> tuple[User, str]:
    subject = claims["sub"]
    link = (
        IdentityLink.objects.select_for_update(of=("self", "user"))  # the link and its user, both locked
        .select_related("user")
        .filter(provider=provider.name, subject=subject)
        .first()
    )
    if link is not None:
        _usable(link.user)
        link.last_used_at = timezone.now()
        link.save(update_fields=["last_used_at"])
        return link.user, "returning"
    user = User.objects.filter(email__iexact=email).first()
    if user is not None:
        _usable(user)
        if IdentityLink.objects.filter(user=user, provider=provider.name).exists():
            raise SignInRefused("already_linked", f"user {user.pk} has another {provider.name} identity")
        identity_link_create(user=user, provider=provider.name, subject=subject, email=email)
        return user, "linked"
    first_name, last_name = _names(claims)
    user = user_create(
        email=email,
        # Nobody knows it: the account signs in through its provider (or sets a password by reset).
        password=oidc.random_token(48),
        first_name=first_name,
        last_name=last_name,
        role=role_for_claims(provider, claims),
        language=language,
    )
    identity_link_create(user=user, provider=provider.name, subject=subject, email=email)
    return user, "created"


def _account(*, provider: Provider, claims: dict, email: str, language: str) -> User:
    """The account these verified claims sign in to: the one linked to (provider, sub); else the one
    with this e-mail, linked now (unless it is linked to another identity at this provider); else a
    new one (role_for_claims: student unless the role mapping says instructor), made by accounts'
    own sign-up service and linked. A concurrent first sign-in of the same person (two tabs) loses
    the race on a unique index and finds the winner's account on its second try."""
    for attempt in (1, 2):
        try:
            with transaction.atomic():
                user, how = _account_once(provider=provider, claims=claims, email=email, language=language)
        except (IntegrityError, ValidationError) as exc:
            if attempt == 2:
                raise SignInRefused("signup_failed", exc.__class__.__name__) from exc
            continue
        logger.info("SSO sign-in with %s: user %s (%s)", provider.name, user.pk, how)
        return user
    raise AssertionError("unreachable")


def oidc_login_finish(*, provider: Provider, params: Mapping[str, str], browser_key: str, language: str = "") -> str:
    """Finishes a sign-in from the provider's answer (`params`: the callback's query: code, state, or
    error; iss per RFC 9207 when the provider sends it) in the browser holding `browser_key` (the
    start's cookie). Consumes the pending sign-in (single use), exchanges the code with its PKCE
    verifier, verifies the ID token (signature, iss, aud, exp, iat, nonce), reads the e-mail (from the
    userinfo endpoint when the ID token lacks it), refuses an unverified e-mail or a domain not
    allowed, finds, links or creates the account (`_account`) and returns a one-time code for it,
    bound to the code challenge the SPA gave at the start. `language`: a new account's language (""
    follows the browser).

    Who may call: anyone (the callback endpoint: the browser the provider sent back). Locks the
    pending sign-in's row while consuming it, then the identity link's row while signing in. Every
    refusal is SignInRefused with its code (logged, without tokens)."""
    try:
        pending = _pending_login_consume(provider=provider, state=params.get("state") or "", browser_key=browser_key)
        error = params.get("error")
        if error:
            refusal = "access_denied" if error == "access_denied" else "provider_error"
            raise SignInRefused(refusal, "the provider answered " + re.sub(r"[^\w.-]", "?", error[:64]))
        issuer = params.get("iss")
        if issuer and issuer.rstrip("/") != oidc.metadata(provider)["issuer"].rstrip("/"):
            raise SignInRefused("issuer_mismatch", "the iss parameter is another issuer")
        code = params.get("code")
        if not code:
            raise SignInRefused("invalid_request", "no code")
        token = oidc.exchange_code(
            provider, code=code, code_verifier=pending.code_verifier, redirect_uri=pending.redirect_uri
        )
        claims = oidc.id_token_claims(provider, token=token, nonce=pending.nonce)
        if "email" not in claims or ("email_verified" not in claims and "xms_edov" not in claims):
            extra = oidc.userinfo(provider, access_token=token.get("access_token") or "", subject=claims["sub"])
            claims = {**extra, **claims}
        email = _verified_email(provider, claims)
        user = _account(provider=provider, claims=claims, email=email, language=language)
    except SignInRefused as exc:
        logger.warning("SSO sign-in with %s refused: %s (%s)", provider.name, exc.code, exc.detail)
        raise
    return login_code_issue(user=user, provider=provider.name, code_challenge=pending.spa_challenge)


# --- the one-time code --------------------------------------------------------------------------------
def login_code_issue(*, user: User, provider: str, code_challenge: str) -> str:
    """A new one-time code for `user`, valid LOGIN_CODE_SECONDS and once (only its hash is stored),
    exchanged only with the verifier of `code_challenge` (the sign-in's, from the SPA that started it).
    Who may call: the platform, once it has verified who signs in (oidc_login_finish). Takes no lock."""
    code, now = oidc.random_token(43), timezone.now()
    LoginCode.objects.create(
        code_hash=_hash(code),
        user=user,
        provider=provider,
        spa_challenge=code_challenge,
        created_at=now,
        expires_at=now + timedelta(seconds=LOGIN_CODE_SECONDS),
    )
    return code


def login_code_redeem(*, code: str, code_verifier: str) -> User:
    """Exchanges a one-time code, with the verifier of the challenge its sign-in started with, for
    the account it was issued for, and records the sign-in as the login view does (last_login, the
    `user_logged_in` activity); the caller then hands out the token pair. 400 `code_invalid` /
    `code_used` / `code_expired`; 403 `account_inactive` when the account was deactivated meanwhile.

    A verifier that does not match (compared in constant time) is 400 `code_invalid`, the very answer
    to an unknown code, and consumes the code: it was either sent to a browser whose SPA did not start
    its sign-in (login CSRF: an attacker's code planted in a victim's return page), or guessed at, and
    in neither case should it stay usable; the rightful SPA just signs in again.

    Who may call: anyone holding the code and its verifier (the exchange endpoint). Locks the code's
    row, so two concurrent exchanges of one code cannot both succeed."""
    now = timezone.now()
    refusal = None
    with transaction.atomic():
        row = (
            LoginCode.objects.select_for_update(of=("self",))
            .select_related("user")
            .filter(code_hash=_hash(code or ""))
            .first()
        )
        if row is None:
            raise InvalidInput(CODE_INVALID, code="code_invalid", extra={"field": "code"})
        if not _verifier_matches(challenge=row.spa_challenge, code_verifier=code_verifier):
            if row.used_at is None:
                row.used_at = now
                row.save(update_fields=["used_at"])
                logger.warning("SSO one-time code %s sent with another verifier: consumed", row.pk)
            # raised once this block has committed the consumption
            refusal = InvalidInput(CODE_INVALID, code="code_invalid", extra={"field": "code"})
        else:
            if row.used_at is not None:
                raise InvalidInput(CODE_USED, code="code_used", extra={"field": "code"})
            if row.expires_at <= now:
                raise InvalidInput(CODE_EXPIRED, code="code_expired", extra={"field": "code"})
            user = row.user
            if not user.is_active or user.erased_at is not None:
                raise NotPermitted(ACCOUNT_INACTIVE, code="account_inactive")
            row.used_at = now
            row.save(update_fields=["used_at"])
            user_record_login(user=user)
    if refusal is not None:
        raise refusal
    return user


def _verifier_matches(*, challenge: str, code_verifier: str) -> bool:
    """Whether `code_verifier` is a well-formed verifier whose S256 is `challenge` (constant time; a
    code issued before challenges existed has "" and matches nothing)."""
    well_formed = isinstance(code_verifier, str) and VERIFIER_FORMAT.fullmatch(code_verifier) is not None
    computed = code_challenge_of(code_verifier if well_formed else "")
    return constant_time_compare(challenge, computed) and well_formed and bool(challenge)


# --- identity links -----------------------------------------------------------------------------------
def identity_link_create(*, user: User, provider: str, subject: str, email: str) -> IdentityLink:
    """Links the identity `subject` at `provider` to `user` (used now). A (provider, subject) linked
    already is an IntegrityError. Who may call: the platform, once the provider verified the
    identity and its e-mail (oidc_login_finish). Takes no lock: the unique index decides."""
    with transaction.atomic():
        return IdentityLink.objects.create(
            user=user, provider=provider, subject=subject, email=normalize_email(email), last_used_at=timezone.now()
        )


def identity_link_delete(*, actor: User | None, link: IdentityLink) -> None:
    """Removes an identity link (staff, from the admin): the identity no longer signs in to the account;
    its next sign-in links it again by verified e-mail, so this is how an account whose old identity at
    a provider was replaced (`already_linked`) gets the new one. Who may call: admins; `actor=None` for
    the platform. Takes no lock; deleting a link already gone does nothing."""
    require_admin(actor)
    IdentityLink.objects.filter(pk=link.pk).delete()


# --- privacy and housekeeping -------------------------------------------------------------------------
def sso_erase_for_user(*, user: User) -> int:
    """Deletes the user's identity links and one-time codes (their erasure: sso/privacy.py). Who may
    call: the platform only (the privacy app's erasure job). Takes no lock; idempotent. Returns how
    many rows were deleted."""
    links, _by_model = IdentityLink.objects.filter(user=user).delete()
    codes, _by_model = LoginCode.objects.filter(user=user).delete()
    return links + codes


def sso_prune(*, now: datetime | None = None) -> int:
    """Deletes the pending sign-ins and one-time codes that have expired (used or not). Who may call:
    the platform (the periodic `sso_prune_task`). Takes no lock. Returns how many rows were deleted."""
    now = now or timezone.now()
    pending, _by_model = PendingLogin.objects.filter(expires_at__lt=now).delete()
    codes, _by_model = LoginCode.objects.filter(expires_at__lt=now).delete()
    return pending + codes
