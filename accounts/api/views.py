from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.views import TokenRefreshView as SimpleJWTRefreshView

from accounts import services
from accounts.access import role_require
from accounts.models import Role
from lms.api.throttling import AuthThrottle, client_address

from . import schema
from .serializers import (
    InstructorRegisterInputSerializer,
    LoginInputSerializer,
    MeUpdateInputSerializer,
    PasswordChangeInputSerializer,
    PasswordResetConfirmInputSerializer,
    PasswordResetInputSerializer,
    RefreshInputSerializer,
    RegisterInputSerializer,
    SafeTokenRefreshSerializer,
    UserSerializer,
)


def _auth_response(request, user, http_status):
    body = {"user": UserSerializer(user, context={"request": request}).data, **services.tokens_for_user(user)}
    return Response(body, status=http_status)


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


def _language(request, data: dict) -> str:
    """The new profile's language: the one asked for, else the Accept-Language header's (when the
    request carries one), so that what is sent to them later is in it too."""
    if "language" in data:
        return data.pop("language")
    return request.LANGUAGE_CODE if request.headers.get("Accept-Language") else ""


@schema.REGISTER
class RegisterView(PublicAuthView):
    def post(self, request):
        data = RegisterInputSerializer.validated(request)
        language = _language(request, data)  # before **data: it takes `language` out of it
        user = services.user_create(**data, role=Role.STUDENT, language=language)
        return _auth_response(request, user, status.HTTP_201_CREATED)


@schema.INSTRUCTOR_REGISTER
class InstructorRegisterView(PublicAuthView):
    def post(self, request):
        data = InstructorRegisterInputSerializer.validated(request)
        language = _language(request, data)
        user = services.instructor_register(**data, language=language)
        return _auth_response(request, user, status.HTTP_201_CREATED)


@schema.LOGIN
class LoginView(PublicAuthView):
    required_role: str | None = None

    def post(self, request):
        data = LoginInputSerializer.validated(request)
        user = services.user_authenticate(
            email=data["email"], password=data["password"], address=client_address(request), request=request
        )
        if user is None:
            raise exceptions.AuthenticationFailed(
                _("No active account found with the given credentials."), code="invalid_credentials"
            )
        if self.required_role:
            role_require(user, role=self.required_role, message=_("This account is not an instructor account."))
        services.user_record_login(user=user)
        return _auth_response(request, user, status.HTTP_200_OK)


@schema.INSTRUCTOR_LOGIN
class InstructorLoginView(LoginView):
    required_role = Role.INSTRUCTOR


@schema.TOKEN_REFRESH
class TokenRefreshView(SimpleJWTRefreshView):
    authentication_classes: list = []
    serializer_class = SafeTokenRefreshSerializer


@schema.LOGOUT
class LogoutView(APIView):
    def post(self, request):
        data = RefreshInputSerializer.validated(request)
        services.logout(user=request.user, refresh=data["refresh"])
        return Response(status=status.HTTP_204_NO_CONTENT)


@schema.ME
class MeView(APIView):
    permission_classes = [IsAuthenticated]

    def get(self, request):
        return Response(UserSerializer(request.user, context={"request": request}).data)

    def patch(self, request):
        data = MeUpdateInputSerializer.validated(request, partial=True)
        user = services.user_update_profile(actor=request.user, user=request.user, data=data)
        return Response(UserSerializer(user, context={"request": request}).data)


@schema.PASSWORD_CHANGE
class PasswordChangeView(APIView):
    def post(self, request):
        data = PasswordChangeInputSerializer.validated(request)
        tokens = services.user_change_password(user=request.user, **data, address=client_address(request))
        return Response(tokens)


@schema.PASSWORD_RESET
class PasswordResetView(PublicAuthView):
    def post(self, request):
        data = PasswordResetInputSerializer.validated(request)
        services.password_reset_request(email=data["email"])
        return Response(status=status.HTTP_204_NO_CONTENT)


@schema.PASSWORD_RESET_CONFIRM
class PasswordResetConfirmView(PublicAuthView):
    def post(self, request):
        data = PasswordResetConfirmInputSerializer.validated(request)
        services.password_reset_confirm(**data)
        return Response(status=status.HTTP_204_NO_CONTENT)
