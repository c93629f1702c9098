"""The OpenAPI description of accounts/api/views.py and admin_views.py (drf-spectacular), one
`described` class decorator per view class: request and response bodies, every status code each
operation answers, and examples (examples.py). Kept apart from the views so these read as behaviour."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema

from accounts.signin_limits import SignInLocked
from lms.api.responses import DESCRIPTIONS, EXAMPLES, ErrorSerializer, body, described, errors, ok

from . import examples as ex
from .serializers import (
    AdminUserSerializer,
    AdminUserUpdateInputSerializer,
    AuthResponseSerializer,
    InstructorRegisterInputSerializer,
    LoginInputSerializer,
    MeUpdateInputSerializer,
    PasswordChangeInputSerializer,
    PasswordResetConfirmInputSerializer,
    PasswordResetInputSerializer,
    RefreshInputSerializer,
    RegisterInputSerializer,
    TokenPairSerializer,
    UserSerializer,
)


def _locked_example(name: str, kind: str) -> OpenApiExample:
    exc = SignInLocked(kind, retry_after=900)
    return OpenApiExample(
        name, value={"detail": exc.message, "code": exc.code}, response_only=True, status_codes=["429"]
    )


# The 429 of an operation that checks a password: the per-address rate, or the sign-in limits.
SIGNIN_429 = OpenApiResponse(
    ErrorSerializer,
    description=(
        f"{DESCRIPTIONS[429]} Also answered, with code `account_locked`, while this account is locked after "
        "too many failed password checks (even for the right password; for an e-mail with no account "
        "alike), and with code `too_many_failures` while this client address is."
    ),
    examples=[
        *EXAMPLES[429],
        _locked_example("Account locked", "account"),
        _locked_example("Too many failures from this address", "address"),
    ],
)
RETRY_AFTER = OpenApiParameter(
    "Retry-After",
    OpenApiTypes.INT,
    OpenApiParameter.HEADER,
    description="Seconds to wait before trying again.",
    response=[429],
)
SIGNED_UP = {201: AuthResponseSerializer, **errors(400, 429)}
SIGNED_IN = {200: AuthResponseSerializer, **errors(400, 401, throttled=False), 429: SIGNIN_429}


REGISTER = described(
    "auth",
    post=extend_schema(
        request=RegisterInputSerializer,
        responses=SIGNED_UP,
        examples=[body(ex.REGISTER), ok(ex.STUDENT_SIGNED_IN, status=201)],
        summary="Student sign-up",
    ),
)

INSTRUCTOR_REGISTER = described(
    "auth",
    post=extend_schema(
        request=InstructorRegisterInputSerializer,
        responses=SIGNED_UP,
        examples=[body(ex.INSTRUCTOR_REGISTER), ok(ex.INSTRUCTOR_SIGNED_IN, status=201)],
        summary="Instructor sign-up",
    ),
)

LOGIN = described(
    "auth",
    post=extend_schema(
        request=LoginInputSerializer,
        responses=SIGNED_IN,
        parameters=[RETRY_AFTER],
        examples=[body(ex.LOGIN), ok(ex.STUDENT_SIGNED_IN)],
        summary="Sign in with e-mail and password",
    ),
)

INSTRUCTOR_LOGIN = described(
    "auth",
    post=extend_schema(
        request=LoginInputSerializer,
        responses={**SIGNED_IN, 403: OpenApiResponse(description="The account is not an instructor.")},
        parameters=[RETRY_AFTER],
        examples=[body(ex.INSTRUCTOR_LOGIN), ok(ex.INSTRUCTOR_SIGNED_IN)],
        summary="Sign in to the instructor app",
    ),
)

TOKEN_REFRESH = described(
    "auth",
    post=extend_schema(
        request=RefreshInputSerializer,
        responses={200: TokenPairSerializer, **errors(400, 401)},
        examples=[body(ex.REFRESH_BODY), ok(ex.TOKENS)],
        summary="Exchange a refresh token for a new pair (the old refresh token is then rejected)",
    ),
)

LOGOUT = described(
    "auth",
    post=extend_schema(
        request=RefreshInputSerializer,
        responses={204: None, **errors(400, 401)},
        examples=[body(ex.REFRESH_BODY)],
        summary="Sign out: the refresh token stops working",
    ),
)

ME = described(
    "auth",
    get=extend_schema(
        responses={200: UserSerializer, **errors(401)},
        examples=[ok(ex.STUDENT, "A student"), ok(ex.INSTRUCTOR, "An instructor")],
        summary="My profile",
    ),
    patch=extend_schema(
        request=MeUpdateInputSerializer,
        responses={200: UserSerializer, **errors(400, 401)},
        examples=[body(ex.ME_PATCH), ok(ex.ME_PATCHED, "An instructor")],
        summary="Update my profile (role and e-mail are read-only here)",
    ),
)

PASSWORD_CHANGE = described(
    "auth",
    post=extend_schema(
        request=PasswordChangeInputSerializer,
        responses={200: TokenPairSerializer, **errors(400, 401, throttled=False), 429: SIGNIN_429},
        parameters=[RETRY_AFTER],
        examples=[body(ex.PASSWORD_CHANGE), ok(ex.TOKENS)],
        summary="Change my password; every other session is signed out and a new token pair returned",
    ),
)

PASSWORD_RESET = described(
    "auth",
    post=extend_schema(
        request=PasswordResetInputSerializer,
        responses={204: None, **errors(400, 429)},
        examples=[body(ex.PASSWORD_RESET)],
        summary=(
            "E-mail a password reset link (answers 204 whether or not the e-mail exists; "
            "a few e-mails an hour per account at most, silently)"
        ),
    ),
)

PASSWORD_RESET_CONFIRM = described(
    "auth",
    post=extend_schema(
        request=PasswordResetConfirmInputSerializer,
        responses={204: None, **errors(400, 429)},
        examples=[body(ex.PASSWORD_RESET_CONFIRM)],
        summary="Set a new password with the uid and token from the e-mail",
    ),
)


ADMIN_WRITE_ERRORS = errors(400, 401, 403, 404, 409)


ADMIN_USERS = described(
    "admin",
    list=extend_schema(
        summary="Users (?role=, ?is_active=, ?search=)",
        examples=[ok(ex.ADMIN_USER)],
        responses={200: AdminUserSerializer(many=True), **errors(400, 401, 403, 404)},
    ),
    retrieve=extend_schema(responses={200: AdminUserSerializer, **errors(401, 403, 404)}, examples=[ok(ex.ADMIN_USER)]),
    partial_update=extend_schema(
        request=AdminUserUpdateInputSerializer,
        responses={200: AdminUserSerializer, **ADMIN_WRITE_ERRORS},
        summary="Promote, demote, deactivate or reactivate",
        examples=[body(ex.ADMIN_USER_PATCH), ok(ex.ADMIN_USER_PATCHED)],
    ),
    destroy=extend_schema(
        responses={204: None, **ADMIN_WRITE_ERRORS}, summary="Deactivate (records are kept; tokens stop working)"
    ),
)
