"""The API skips the browser's machinery.

The API (`/api/v1/`) authenticates with bearer tokens only: sessions, CSRF, the session user and
messages do nothing for it but cost time on every request (and a session lookup could add a
`Vary: Cookie`). Those middlewares run for everything else (the admin, the docs) and step aside for
API paths: `BrowserOnly` wraps each of them.
"""

from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.sessions.middleware import SessionMiddleware
from django.middleware.csrf import CsrfViewMiddleware

from lms.i18n import UserLanguageMiddleware

API_PREFIX = "/api/v1/"


def is_api(request) -> bool:
    return request.path_info.startswith(API_PREFIX)


class BrowserOnly:
    """Runs the wrapped middleware for browser pages, not for API requests."""

    def __call__(self, request):
        if is_api(request):
            return self.get_response(request)
        return super().__call__(request)

    def process_view(self, request, *args, **kwargs):
        if is_api(request) or not hasattr(super(), "process_view"):
            return None
        return super().process_view(request, *args, **kwargs)


class BrowserSessionMiddleware(BrowserOnly, SessionMiddleware):
    pass


class BrowserCsrfViewMiddleware(BrowserOnly, CsrfViewMiddleware):
    pass


class BrowserAuthenticationMiddleware(BrowserOnly, AuthenticationMiddleware):
    pass


class BrowserUserLanguageMiddleware(BrowserOnly, UserLanguageMiddleware):
    pass


class BrowserMessageMiddleware(BrowserOnly, MessageMiddleware):
    pass
