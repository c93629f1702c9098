"""Single sign-on endpoints (README "Single sign-on"). Start and callback are browser navigations:
they answer redirects, a refusal included (to the SPA's return page with `#error=...`), and never put
a token of ours in a URL, except the start's 400 for a missing or malformed `code_challenge` (JSON:
nothing started, the SPA's own bug). The exchange answers like the login view."""

from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.http import HttpResponseRedirect
from django.urls import reverse
from rest_framework.response import Response

from accounts.api.serializers import UserSerializer
from accounts.api.views import PublicAuthView
from accounts.services import tokens_for_user
from lms.http_cache import PublicReadsMixin
from sso import selectors, services
from sso.access import provider_for
from sso.refusals import SignInRefused

from . import schema
from .serializers import ExchangeInputSerializer, ProviderSerializer

COOKIE = "lms_sso"  # binds a sign-in to the browser that started it (login CSRF)
CALLBACK_PARAMETERS = ("code", "state", "error", "iss")


class _Redirect(HttpResponseRedirect):
    """A redirect that may also go to the return URL's own scheme (an app's `myapp://...`)."""

    @property
    def allowed_schemes(self):
        return ["http", "https", urlsplit(settings.OIDC_RETURN_URL).scheme]


def _redirect(url: str) -> _Redirect:
    response = _Redirect(url)
    # Neither the provider's code nor our one-time code goes further than this hop.
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


def _cookie_path() -> str:
    """The oidc paths only (`/api/v1/auth/oidc/`): the cookie goes nowhere else."""
    return reverse("sso-providers").removesuffix("providers/")


def _to_return_page(**fragment) -> _Redirect:
    """To the SPA's return page (OIDC_RETURN_URL), with `fragment` after the `#`: the browser keeps it
    to itself (a fragment is not sent to servers, nor in Referer headers). The sign-in's cookie has
    done its work: it is removed."""
    response = _redirect(settings.OIDC_RETURN_URL.split("#", 1)[0] + "#" + urlencode(fragment))
    response.delete_cookie(COOKIE, path=_cookie_path(), samesite="Lax")
    return response


def _language(request) -> str:
    """A new account's language: the browser's (Accept-Language), else the platform's default."""
    return request.LANGUAGE_CODE if request.headers.get("Accept-Language") else ""


class BrowserFlowView(PublicAuthView):
    """A step of the sign-in the browser walks through: a refusal sends it back to the SPA with the
    refusal's code and message rather than answering JSON it would show as a page."""

    def handle_exception(self, exc):
        if isinstance(exc, SignInRefused):
            return _to_return_page(error=exc.code, error_description=str(exc.message))
        return super().handle_exception(exc)


@schema.PROVIDERS
class ProvidersView(PublicReadsMixin, PublicAuthView):
    public_actions = frozenset({"get"})

    def get(self, request):
        return Response(ProviderSerializer(selectors.provider_list(), many=True).data)


@schema.START
class StartView(BrowserFlowView):
    def get(self, request, provider: str):
        found = provider_for(request.user, provider)
        redirect_uri = request.build_absolute_uri(reverse("sso-callback", args=[found.name]))
        start = services.oidc_login_start(
            provider=found, redirect_uri=redirect_uri, code_challenge=request.query_params.get("code_challenge", "")
        )
        response = _redirect(start.url)
        response.set_cookie(
            COOKIE,
            start.browser_key,
            max_age=start.max_age,
            path=_cookie_path(),
            secure=request.is_secure(),
            httponly=True,
            samesite="Lax",  # sent on the provider's top-level redirect back to the callback
        )
        return response


@schema.CALLBACK
class CallbackView(BrowserFlowView):
    def get(self, request, provider: str):
        found = provider_for(request.user, provider)
        params = {name: request.query_params.get(name, "") for name in CALLBACK_PARAMETERS}
        code = services.oidc_login_finish(
            provider=found, params=params, browser_key=request.COOKIES.get(COOKIE, ""), language=_language(request)
        )
        return _to_return_page(code=code)


@schema.EXCHANGE
class ExchangeView(PublicAuthView):
    def post(self, request):
        data = ExchangeInputSerializer.validated(request)
        user = services.login_code_redeem(code=data["code"], code_verifier=data["code_verifier"])
        body = {"user": UserSerializer(user, context={"request": request}).data, **tokens_for_user(user)}
        return Response(body)
