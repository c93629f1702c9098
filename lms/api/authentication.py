"""The API's authentication: simplejwt's tokens, with the user's row from the shared cache
(accounts.auth_cache) and the request's one cache round trip (lms.api.roundtrip) made here, before
anything else reads the cache; then the signed-in user's profile language is activated for the rest
of the request (lms.i18n), so errors, validation messages and any text the request writes are in it."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from rest_framework_simplejwt import authentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.utils import get_md5_hash_password

from accounts import auth_cache
from lms.api import roundtrip
from lms.i18n import activate_for


class JWTAuthentication(authentication.JWTAuthentication):
    def authenticate(self, request):
        header = self.get_header(request)
        raw_token = self.get_raw_token(header) if header is not None else None
        token = self.get_validated_token(raw_token) if raw_token is not None else None
        user_id = token.get(api_settings.USER_ID_CLAIM) if token is not None else None
        view = (getattr(request, "parser_context", None) or {}).get("view")
        if roundtrip.of(request) is None:
            roundtrip.prefetch(request, view, user_id)
        if token is None:
            return None
        user = self.get_user(token, request)
        activate_for(request._request, user)
        return user, token

    def get_user(self, validated_token, request=None):
        """simplejwt's checks (the user exists and is active, no password change since the token),
        on the row the request's round trip brought, else on the cache's or the database's."""
        try:
            user_id = validated_token[api_settings.USER_ID_CLAIM]
        except KeyError as e:
            raise InvalidToken(_("Token contained no recognizable user identification")) from e
        trip = roundtrip.of(request) if request is not None else None
        try:
            user = auth_cache.user(user_id, trip.values if trip is not None else None)
        except self.user_model.DoesNotExist as e:
            raise AuthenticationFailed(_("User not found"), code="user_not_found") from e
        if api_settings.CHECK_USER_IS_ACTIVE and not user.is_active:
            raise AuthenticationFailed(_("User is inactive"), code="user_inactive")
        if api_settings.CHECK_REVOKE_TOKEN and validated_token.get(
            api_settings.REVOKE_TOKEN_CLAIM
        ) != get_md5_hash_password(user.password):
            raise AuthenticationFailed(_("The user's password has been changed."), code="password_changed")
        return user


class JWTScheme(SimpleJWTScheme):
    """The OpenAPI security scheme (jwtAuth) of this subclass, as drf-spectacular gives simplejwt's."""

    target_class = "lms.api.authentication.JWTAuthentication"
