"""The OpenID Connect relying party, with Authlib: discovery, the authorization URL (code flow with
PKCE S256, state and nonce), the code exchange (client_secret_basic or _post, as the provider's
discovery document says), ID-token validation against the provider's JWKS (signature, iss, aud, azp,
exp, iat, nonce, at_hash: authlib.oidc.core.CodeIDToken over joserfc, Authlib's JOSE backend) and the
userinfo endpoint.

Nothing here touches the database. Every way a provider can fail (down, slow, an HTML error page, a
refusal, a token that does not verify) is raised as SignInRefused with its code, never as anything
else, so the callback turns it into a redirect with an error and not a 500. The discovery document
and the key set are cached (CACHE_SECONDS); an unknown key id fetches the key set again once (the
provider rotated its keys). Network calls are bounded (TIMEOUT)."""

import hashlib
import logging
from typing import Any
from urllib.parse import urlsplit

import requests
from authlib.common.security import generate_token
from authlib.integrations.base_client import OAuthError
from authlib.integrations.requests_client import OAuth2Session
from authlib.oidc.core import CodeIDToken
from django.core.cache import cache
from joserfc import jwt
from joserfc.errors import ClaimError, InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet

from lms.cache import CACHE_ERRORS, cache_unavailable

from .providers import Provider
from .refusals import SignInRefused

logger = logging.getLogger(__name__)

TIMEOUT = (3.05, 10)  # connect, read (seconds)
CACHE_SECONDS = 3600
LEEWAY_SECONDS = 60  # clock skew allowed on exp / iat
# Asymmetric signatures only: HS256 would make the client secret a signing key, and "none" no key.
SIGNING_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA")
CLIENT_AUTH_METHODS = ("client_secret_basic", "client_secret_post")


def random_token(length: int = 43) -> str:
    """A random URL-safe string (state, nonce, PKCE code_verifier: 43 to 128 characters)."""
    return generate_token(length)


def _cache_key(kind: str, provider: Provider) -> str:
    return f"sso:{kind}:" + hashlib.sha256(provider.issuer.encode()).hexdigest()[:32]


def _cached(key: str):
    try:
        return cache.get(key)
    except CACHE_ERRORS as exc:
        cache_unavailable("single sign-on", exc)
        return None


def _cache_set(key: str, value) -> None:
    try:
        cache.set(key, value, CACHE_SECONDS)
    except CACHE_ERRORS as exc:
        cache_unavailable("single sign-on", exc)


def _get_json(provider: Provider, url: str, what: str, **kwargs) -> dict:
    try:
        response = requests.get(url, timeout=TIMEOUT, **kwargs)
    except requests.RequestException as exc:
        raise SignInRefused("provider_unavailable", f"{what}: {exc.__class__.__name__}") from exc
    if response.status_code >= 500 or response.status_code == 429:
        raise SignInRefused("provider_unavailable", f"{what}: HTTP {response.status_code}")
    if response.status_code != 200:
        raise SignInRefused("provider_error", f"{what}: HTTP {response.status_code}")
    try:
        data = response.json()
    except ValueError as exc:
        raise SignInRefused("provider_error", f"{what}: not JSON") from exc
    if not isinstance(data, dict):
        raise SignInRefused("provider_error", f"{what}: not a JSON object")
    return data


def _same_issuer(a: str, b: str) -> bool:
    return a.rstrip("/") == b.rstrip("/")


def metadata(provider: Provider) -> dict:
    """The provider's discovery document ({issuer}/.well-known/openid-configuration), checked (its
    issuer is the configured one; the endpoints this flow needs are there) and cached."""
    key = _cache_key("discovery", provider)
    document = _cached(key)
    if document is not None:
        return document
    url = provider.issuer.rstrip("/") + "/.well-known/openid-configuration"
    document = _get_json(provider, url, "discovery")
    issuer = document.get("issuer")
    if not isinstance(issuer, str) or not _same_issuer(issuer, provider.issuer):
        raise SignInRefused("provider_error", f"discovery: the issuer is {issuer!r}, not the configured one")
    for endpoint in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        value = document.get(endpoint)
        if not isinstance(value, str) or urlsplit(value).scheme not in ("https", "http"):
            raise SignInRefused("provider_error", f"discovery: no usable {endpoint}")
    _cache_set(key, document)
    return document


def _key_set(provider: Provider, document: dict, *, fresh: bool = False) -> KeySet:
    key = _cache_key("jwks", provider)
    data = None if fresh else _cached(key)
    if data is None:
        data = _get_json(provider, document["jwks_uri"], "jwks")
        _cache_set(key, data)
    try:
        return KeySet.import_key_set(data)
    except (JoseError, ValueError, TypeError, KeyError) as exc:
        raise SignInRefused("provider_error", f"jwks: {exc.__class__.__name__}") from exc


def _session(provider: Provider, document: dict, redirect_uri: str) -> OAuth2Session:
    if provider.client_secret:
        supported = document.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
        method = next((m for m in CLIENT_AUTH_METHODS if m in supported), "client_secret_basic")
    else:  # a public client: PKCE alone
        method = "none"
    return OAuth2Session(
        client_id=provider.client_id,
        client_secret=provider.client_secret or None,
        token_endpoint_auth_method=method,
        scope=" ".join(provider.scopes),
        redirect_uri=redirect_uri,
        code_challenge_method="S256",
    )


def authorization_url(provider: Provider, *, redirect_uri: str, state: str, nonce: str, code_verifier: str) -> str:
    """Where the browser signs in: the provider's authorization endpoint with response_type=code,
    the scopes, PKCE (code_challenge = S256 of code_verifier), state and nonce."""
    document = metadata(provider)
    with _session(provider, document, redirect_uri) as session:
        url, _state = session.create_authorization_url(
            document["authorization_endpoint"], state=state, code_verifier=code_verifier, nonce=nonce
        )
    return url


def exchange_code(provider: Provider, *, code: str, code_verifier: str, redirect_uri: str) -> dict:
    """The provider's token response for an authorization code (its access token and ID token)."""
    document = metadata(provider)
    with _session(provider, document, redirect_uri) as session:
        try:
            token = session.fetch_token(
                document["token_endpoint"],
                grant_type="authorization_code",
                code=code,
                code_verifier=code_verifier,
                timeout=TIMEOUT,
                allow_redirects=False,
            )
        except OAuthError as exc:  # the provider answered with an OAuth error (invalid_grant, ...)
            raise SignInRefused("provider_error", f"token endpoint: {exc.error}") from exc
        except requests.HTTPError as exc:
            status = exc.response.status_code if exc.response is not None else 0
            code_name = "provider_unavailable" if status >= 500 or status == 429 else "provider_error"
            raise SignInRefused(code_name, f"token endpoint: HTTP {status}") from exc
        except requests.RequestException as exc:
            raise SignInRefused("provider_unavailable", f"token endpoint: {exc.__class__.__name__}") from exc
        except ValueError as exc:  # not a JSON object
            raise SignInRefused("provider_error", "token endpoint: not a JSON object") from exc
    if not isinstance(token.get("id_token"), str):
        raise SignInRefused("invalid_id_token", "token endpoint: no id_token")
    return dict(token)


def id_token_claims(provider: Provider, *, token: dict, nonce: str) -> dict[str, Any]:
    """The claims of the token response's ID token, once it is verified: signed with one of the
    provider's keys (an asymmetric algorithm it announces), issued by it (iss) for this client (aud,
    azp), not expired, not issued in the future, carrying this sign-in's nonce, and matching the
    access token (at_hash, when present). SignInRefused `nonce_mismatch` or `invalid_id_token`."""
    document = metadata(provider)
    announced = document.get("id_token_signing_alg_values_supported") or ["RS256"]
    algorithms = [alg for alg in SIGNING_ALGORITHMS if alg in announced]
    if not algorithms:
        raise SignInRefused("invalid_id_token", f"no acceptable signing algorithm in {announced!r}")
    try:
        try:
            decoded = jwt.decode(token["id_token"], _key_set(provider, document), algorithms=algorithms)
        except InvalidKeyIdError:  # a key we have not seen: the provider may have rotated its keys
            decoded = jwt.decode(token["id_token"], _key_set(provider, document, fresh=True), algorithms=algorithms)
        claims = CodeIDToken(
            decoded.claims,
            decoded.header,
            {
                "iss": {"essential": True, "value": document["issuer"]},
                "aud": {"essential": True, "value": provider.client_id},
            },
            {"nonce": nonce, "client_id": provider.client_id, "access_token": token.get("access_token")},
        )
        claims.validate(leeway=LEEWAY_SECONDS)
    except ClaimError as exc:
        if exc.claim == "nonce":
            raise SignInRefused("nonce_mismatch", "the ID token's nonce is not this sign-in's") from exc
        raise SignInRefused("invalid_id_token", f"{exc.__class__.__name__}: {exc.claim}") from exc
    except JoseError as exc:
        raise SignInRefused("invalid_id_token", f"{exc.__class__.__name__}: {exc.error}") from exc
    except (ValueError, TypeError) as exc:
        raise SignInRefused("invalid_id_token", exc.__class__.__name__) from exc
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject or len(subject) > 255:
        raise SignInRefused("invalid_id_token", "no usable sub")
    return dict(claims)


def userinfo(provider: Provider, *, access_token: str, subject: str) -> dict[str, Any]:
    """The userinfo endpoint's claims for the signed-in user (empty when the provider has none). Its
    `sub` must be the ID token's, or the answer is about someone else."""
    endpoint = metadata(provider).get("userinfo_endpoint")
    if not endpoint or not access_token:
        return {}
    data = _get_json(provider, endpoint, "userinfo", headers={"Authorization": f"Bearer {access_token}"})
    if data.get("sub") != subject:
        raise SignInRefused("invalid_id_token", "userinfo: another subject")
    return data
