"""Languages (README "Languages"): which language a reader gets, and text rendered in it.

A request is answered in the signed-in user's profile `language`, else the language of its
Accept-Language header (Django's LocaleMiddleware), else LANGUAGE_CODE. Text made for someone else
(notifications, e-mails, certificates, made by background jobs or by another user's request) is
rendered in the recipient's language: `language_of(user)` / `languages_of(ids)`, then
`translation.override(...)` around the rendering.

Text that crosses a job queue cannot be a lazy string: `deferred(gettext_noop("..."), **params)`
makes a JSON-able message that `render` translates and formats when the job runs."""

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.functional import Promise

Text = str | Promise | dict


def supported(code: str | None) -> str | None:
    """The shipped language `code` names ("es", "es-MX", "fr_CA"), or None when it names none."""
    if not code:
        return None
    try:
        return translation.get_supported_language_variant(code.replace("_", "-").lower(), strict=False)
    except LookupError:
        return None


def language_of(user: Any) -> str:
    """The language text for `user` is written in: their profile's, else LANGUAGE_CODE."""
    return supported(getattr(user, "language", "")) or settings.LANGUAGE_CODE


def languages_of(user_ids: Iterable[int]) -> dict[int, str]:
    """{user id: language} for these users in one query (unknown ids get LANGUAGE_CODE)."""
    from accounts.models import User

    ids = list(user_ids)
    chosen = dict(User.objects.filter(pk__in=ids).exclude(language="").values_list("pk", "language"))
    return {pk: supported(chosen.get(pk)) or settings.LANGUAGE_CODE for pk in ids}


def by_language(user_ids: Iterable[int]) -> dict[str, list[int]]:
    """The users grouped by their language, each group in the order given (one query)."""
    groups: dict[str, list[int]] = {}
    for pk, language in languages_of(user_ids).items():
        groups.setdefault(language, []).append(pk)
    return groups


def deferred(msgid: str, /, **params: Any) -> dict:
    """A message to translate later (in a job, for its recipient): mark `msgid` with gettext_noop
    at the call site so makemessages finds it; `params` fill its {named} fields and must be JSON."""
    return {"msgid": msgid, "params": params}


def render(text: Text) -> str:
    """`text` (a str, a lazy translation or a `deferred` message) in the active language."""
    if isinstance(text, dict):
        return translation.gettext(text["msgid"]).format(**text.get("params", {}))
    return str(text)


def render_in(language: str, text: Text) -> str:
    with translation.override(language):
        return render(text)


def activate_for(request: Any, user: Any) -> None:
    """Answers this request in the signed-in user's profile language, when they chose one."""
    language = supported(getattr(user, "language", ""))
    if language:
        translation.activate(language)
        request.LANGUAGE_CODE = language


class UserLanguageMiddleware:
    """After AuthenticationMiddleware: a user signed in by session (the admin) gets their profile
    language over the browser's. API requests signed with a JWT are handled by the API's
    authentication class (lms.api.authentication), which runs inside the view."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            activate_for(request, user)
        return self.get_response(request)
