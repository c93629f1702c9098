"""The OpenAPI description of sso/api/views.py (drf-spectacular). The start and callback endpoints are
browser navigations answered with redirects (302), never with tokens: the callback's redirect carries a
one-time code in the URL's fragment, which the SPA exchanges by POST with the code_verifier whose
challenge it gave the start (README "Single sign-on")."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import serializers

from accounts.api.serializers import AuthResponseSerializer
from lms.api.responses import ErrorSerializer, ValidationErrorSerializer, body, described, error_of, errors, ok

from . import examples as ex
from .serializers import ExchangeInputSerializer, ProviderSerializer


@extend_schema_field(
    {
        "oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}],
        "description": "A rule's stable code (a string), or the messages about the body's field `code` (a list).",
    }
)
class _CodeOrMessages(serializers.JSONField):
    pass


class ExchangeValidationErrorSerializer(ValidationErrorSerializer):
    """The exchange's 400: its body has a field named `code`, so `code` is either the rule's stable
    code (`code_invalid`, `code_used`, `code_expired`) or that field's list of messages."""

    code = _CodeOrMessages(required=False)


PROVIDER = OpenApiParameter(
    "provider",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    description="A provider's `name`, as GET /api/v1/auth/oidc/providers/ lists them.",
)
LOCATION = OpenApiParameter(
    "Location", OpenApiTypes.URI, OpenApiParameter.HEADER, response=[302], description="Where the browser goes next."
)
UNKNOWN_PROVIDER = error_of(
    404, ErrorSerializer, "No provider has this name.", {"Unknown provider": ex.UNKNOWN_PROVIDER}
)
RETURN = (
    "The return page is OIDC_RETURN_URL, with `#code=<one-time code>` after a successful sign-in, or "
    "`#error=<code>&error_description=<message>` after a refusal (the codes are listed in the README, "
    "'Single sign-on'). The provider being down or answering badly is a refusal (`provider_unavailable`, "
    "`provider_error`), never a server error."
)


def _query(name: str, description: str) -> OpenApiParameter:
    return OpenApiParameter(name, OpenApiTypes.STR, OpenApiParameter.QUERY, required=False, description=description)


PROVIDERS = described(
    "auth",
    get=extend_schema(
        summary="Single sign-on providers",
        description="The configured OpenID Connect providers, for the SPA's sign-in buttons (empty when none "
        "is configured). Public.",
        responses={200: ProviderSerializer(many=True), **errors()},
        examples=[ok(ex.PROVIDER)],
    ),
)

CODE_CHALLENGE = OpenApiParameter(
    "code_challenge",
    OpenApiTypes.STR,
    OpenApiParameter.QUERY,
    required=True,
    pattern=r"^[A-Za-z0-9_-]{43}$",
    description="BASE64URL (without padding) of the SHA-256 of a `code_verifier` the SPA made for this "
    "sign-in (43 to 128 random characters of A-Z, a-z, 0-9, `-._~`, as in RFC 7636 with S256) and keeps, "
    "e.g. in sessionStorage, for the exchange. The one-time code this sign-in ends with is exchanged only "
    "with that verifier: a code from someone else's sign-in (login CSRF) is refused.",
    examples=[OpenApiExample("Challenge", value=ex.CODE_CHALLENGE)],
)

START = described(
    "auth",
    get=extend_schema(
        summary="Start a single sign-on",
        operation_id="auth_oidc_start",
        description="Open this in the browser (a navigation, not a fetch), with the SPA's `code_challenge`. "
        "Answers 302 to the provider's sign-in page (authorization code flow with PKCE, state and nonce) and "
        "sets an HttpOnly cookie binding the sign-in to this browser for 10 minutes. If the provider cannot "
        "be reached, 302 to the return page with an error instead. A missing or malformed `code_challenge` "
        f"is a JSON 400 (`code_challenge_invalid`): nothing was started. {RETURN}",
        parameters=[PROVIDER, CODE_CHALLENGE, LOCATION],
        responses={
            302: OpenApiResponse(description="To the provider's sign-in page."),
            **error_of(
                400,
                ValidationErrorSerializer,
                "A missing or malformed `code_challenge`.",
                {"Bad code_challenge": ex.CHALLENGE_INVALID},
            ),
            **UNKNOWN_PROVIDER,
            **errors(),
        },
    ),
)

CALLBACK = described(
    "auth",
    get=extend_schema(
        summary="Single sign-on callback (the provider sends the browser here)",
        operation_id="auth_oidc_callback",
        description="Register this URL at the provider as the redirect URI. Checks the sign-in (state, the "
        "start's cookie, expiry, single use), exchanges the code, verifies the ID token, refuses an unverified "
        "e-mail or a domain not allowed, then signs in the linked account, links an existing account with the "
        "verified e-mail, or creates a student account (or what the provider's role mapping says; never an "
        f"admin). Always 302 to the return page. {RETURN}",
        parameters=[
            PROVIDER,
            LOCATION,
            _query("code", "The provider's authorization code."),
            _query("state", "The sign-in's state, as the start sent it."),
            _query("iss", "The provider's issuer (RFC 9207), when it sends one: checked."),
            _query("error", "The provider's error, when the sign-in failed there (e.g. `access_denied`)."),
            _query("error_description", "The provider's description of its error (not shown to the user)."),
        ],
        responses={302: OpenApiResponse(description="To the return page."), **UNKNOWN_PROVIDER, **errors()},
    ),
)

EXCHANGE = described(
    "auth",
    post=extend_schema(
        summary="Exchange a single sign-on's one-time code for tokens",
        description="The SPA sends the code from its return page's fragment, with the `code_verifier` whose "
        "challenge it gave the start, and gets the same answer as POST /api/v1/auth/login/. The code is valid "
        "for 60 seconds, once. A verifier that does not match the sign-in's challenge (a code from a sign-in "
        "this SPA did not start: login CSRF) is `code_invalid`, like an unknown code, and the code can no "
        "longer be used. The sign-in is recorded as a login (last login, activity).",
        request=ExchangeInputSerializer,
        responses={
            200: AuthResponseSerializer,
            **error_of(
                400,
                ExchangeValidationErrorSerializer,
                "An unknown, used or expired code, or a code_verifier that is not the sign-in's.",
                ex.CODE_ERRORS,
            ),
            **error_of(403, ErrorSerializer, "The account was deactivated meanwhile.", {"Deactivated": ex.INACTIVE}),
            **errors(),
        },
        examples=[body(ex.EXCHANGE), ok(ex.SIGNED_IN)],
    ),
)
