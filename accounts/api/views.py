from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.views import TokenRefreshView as SimpleJWTRefreshView

from accounts import services
from accounts.access import role_require
from accounts.models import Role
from accounts.signin_limits import SignInLocked
from lms.api.responses import DESCRIPTIONS, EXAMPLES, ErrorSerializer, body, errors, ok
from lms.api.throttling import AuthThrottle, client_address

from . import examples as ex
from .serializers import (
    AuthResponseSerializer,
    InstructorRegisterInputSerializer,
    LoginInputSerializer,
    MeUpdateInputSerializer,
    PasswordChangeInputSerializer,
    PasswordResetConfirmInputSerializer,
    PasswordResetInputSerializer,
    RefreshInputSerializer,
    RegisterInputSerializer,
    SafeTokenRefreshSerializer,
    TokenPairSerializer,
    UserSerializer,
)


def _auth_response(user, http_status):
    body = {"user": UserSerializer(user).data, **services.tokens_for_user(user)}
    return Response(body, status=http_status)


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


class PublicAuthView(APIView):
    """Endpoints anyone may call, under the auth throttle (per address, generous) and, where a
    password is checked, the sign-in limits (accounts.signin_limits). A stale or garbage token sent
    along is ignored rather than answered 401, so a signed-out SPA can always sign in again."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [AuthThrottle]

    def get_authenticate_header(self, request):
        # Makes DRF answer bad credentials with 401 (not 403) although no authenticator runs here.
        return 'Bearer realm="api"'


@extend_schema(tags=["auth"])
class RegisterView(PublicAuthView):
    @extend_schema(
        request=RegisterInputSerializer,
        responses=SIGNED_UP,
        examples=[body(ex.REGISTER), ok(ex.STUDENT_SIGNED_IN, status=201)],
        summary="Student sign-up",
    )
    def post(self, request):
        data = RegisterInputSerializer.validated(request)
        user = services.user_create(**data, role=Role.STUDENT)
        return _auth_response(user, status.HTTP_201_CREATED)


@extend_schema(tags=["auth"])
class InstructorRegisterView(PublicAuthView):
    @extend_schema(
        request=InstructorRegisterInputSerializer,
        responses=SIGNED_UP,
        examples=[body(ex.INSTRUCTOR_REGISTER), ok(ex.INSTRUCTOR_SIGNED_IN, status=201)],
        summary="Instructor sign-up",
    )
    def post(self, request):
        data = InstructorRegisterInputSerializer.validated(request)
        user = services.instructor_register(**data)
        return _auth_response(user, status.HTTP_201_CREATED)


@extend_schema(tags=["auth"])
class LoginView(PublicAuthView):
    required_role: str | None = None

    @extend_schema(
        request=LoginInputSerializer,
        responses=SIGNED_IN,
        parameters=[RETRY_AFTER],
        examples=[body(ex.LOGIN), ok(ex.STUDENT_SIGNED_IN)],
        summary="Sign in with e-mail and password",
    )
    def post(self, request):
        data = LoginInputSerializer.validated(request)
        user = services.user_authenticate(
            email=data["email"], password=data["password"], address=client_address(request), request=request
        )
        if user is None:
            raise exceptions.AuthenticationFailed(
                "No active account found with the given credentials.", code="invalid_credentials"
            )
        if self.required_role:
            role_require(user, role=self.required_role, message="This account is not an instructor account.")
        services.user_record_login(user=user)
        return _auth_response(user, status.HTTP_200_OK)


@extend_schema(tags=["auth"])
class InstructorLoginView(LoginView):
    required_role = Role.INSTRUCTOR

    @extend_schema(
        request=LoginInputSerializer,
        responses={**SIGNED_IN, 403: OpenApiResponse(description="The account is not an instructor.")},
        parameters=[RETRY_AFTER],
        examples=[body(ex.INSTRUCTOR_LOGIN), ok(ex.INSTRUCTOR_SIGNED_IN)],
        summary="Sign in to the instructor app",
    )
    def post(self, request):
        return super().post(request)


@extend_schema(tags=["auth"])
class TokenRefreshView(SimpleJWTRefreshView):
    authentication_classes: list = []
    serializer_class = SafeTokenRefreshSerializer

    @extend_schema(
        request=RefreshInputSerializer,
        responses={200: TokenPairSerializer, **errors(400, 401)},
        examples=[body({"refresh": ex.REFRESH}), ok(ex.TOKENS)],
        summary="Exchange a refresh token for a new pair (the old refresh token is then rejected)",
    )
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)


@extend_schema(tags=["auth"])
class LogoutView(APIView):
    @extend_schema(
        request=RefreshInputSerializer,
        responses={204: None, **errors(400, 401)},
        examples=[body({"refresh": ex.REFRESH})],
        summary="Sign out: the refresh token stops working",
    )
    def post(self, request):
        data = RefreshInputSerializer.validated(request)
        services.logout(user=request.user, refresh=data["refresh"])
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["auth"])
class MeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses={200: UserSerializer, **errors(401)},
        examples=[ok(ex.STUDENT, "A student"), ok(ex.INSTRUCTOR, "An instructor")],
        summary="My profile",
    )
    def get(self, request):
        return Response(UserSerializer(request.user).data)

    @extend_schema(
        request=MeUpdateInputSerializer,
        responses={200: UserSerializer, **errors(400, 401)},
        examples=[body(ex.ME_PATCH), ok({**ex.INSTRUCTOR, **ex.ME_PATCH}, "An instructor")],
        summary="Update my profile (role and e-mail are read-only here)",
    )
    def patch(self, request):
        data = MeUpdateInputSerializer.validated(request, partial=True)
        user = services.user_update_profile(actor=request.user, user=request.user, data=data)
        return Response(UserSerializer(user).data)


@extend_schema(tags=["auth"])
class PasswordChangeView(APIView):
    @extend_schema(
        request=PasswordChangeInputSerializer,
        responses={200: TokenPairSerializer, **errors(400, 401, throttled=False), 429: SIGNIN_429},
        parameters=[RETRY_AFTER],
        examples=[body(ex.PASSWORD_CHANGE), ok(ex.TOKENS)],
        summary="Change my password; every other session is signed out and a new token pair returned",
    )
    def post(self, request):
        data = PasswordChangeInputSerializer.validated(request)
        tokens = services.user_change_password(user=request.user, **data, address=client_address(request))
        return Response(tokens)


@extend_schema(tags=["auth"])
class PasswordResetView(PublicAuthView):
    @extend_schema(
        request=PasswordResetInputSerializer,
        responses={204: None, **errors(400, 429)},
        examples=[body(ex.PASSWORD_RESET)],
        summary=(
            "E-mail a password reset link (answers 204 whether or not the e-mail exists; "
            "a few e-mails an hour per account at most, silently)"
        ),
    )
    def post(self, request):
        data = PasswordResetInputSerializer.validated(request)
        services.password_reset_request(email=data["email"])
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["auth"])
class PasswordResetConfirmView(PublicAuthView):
    @extend_schema(
        request=PasswordResetConfirmInputSerializer,
        responses={204: None, **errors(400, 429)},
        examples=[body(ex.PASSWORD_RESET_CONFIRM)],
        summary="Set a new password with the uid and token from the e-mail",
    )
    def post(self, request):
        data = PasswordResetConfirmInputSerializer.validated(request)
        services.password_reset_confirm(**data)
        return Response(status=status.HTTP_204_NO_CONTENT)
