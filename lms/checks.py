"""Project-wide system checks.

Django's own deploy check for CSRF protection (security.W003) looks for
`django.middleware.csrf.CsrfViewMiddleware` by name; the admin runs it under the name
`lms.middleware.BrowserCsrfViewMiddleware` (the API, bearer tokens only, skips it). W003 is silenced
in the settings and replaced by this check, which accepts either and refuses neither."""

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.middleware.csrf import CsrfViewMiddleware
from django.utils.module_loading import import_string


@register(Tags.security, deploy=True)
def check_csrf_middleware(app_configs=None, **kwargs) -> list:
    for path in settings.MIDDLEWARE:
        if issubclass(import_string(path), CsrfViewMiddleware):
            return []
    return [
        Error(
            "No CSRF middleware in MIDDLEWARE: the admin's forms would have no cross-site request forgery "
            "protection.",
            hint="Add lms.middleware.BrowserCsrfViewMiddleware (see lms/settings/base.py).",
            id="lms.E001",
        )
    ]
