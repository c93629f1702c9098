"""The API's authentication: simplejwt's, then the signed-in user's profile language is activated
for the rest of the request (lms.i18n), so errors, validation messages and any text the request
writes are in it."""

from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from rest_framework_simplejwt import authentication

from lms.i18n import activate_for


class JWTAuthentication(authentication.JWTAuthentication):
    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None:
            activate_for(request._request, result[0])
        return result


class JWTScheme(SimpleJWTScheme):
    """The OpenAPI security scheme (jwtAuth) of this subclass, as drf-spectacular gives simplejwt's."""

    target_class = "lms.api.authentication.JWTAuthentication"
