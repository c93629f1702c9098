"""The shared part of the access helpers (`<app>/access.py`): fetch one object by the id a client
sent, or answer 404. Each aggregate's helper (`course_for`, `post_for`, `attempt_for`, ...) then
authorizes the caller for a documented need, in the style of Zulip's `access_stream_by_id`: views
resolve every object through one of them, so none compares `request.user` with an owner by hand."""

from collections.abc import Iterable
from typing import TypeVar

from django.db.models import Model, QuerySet
from django.utils.translation import gettext_lazy as _

from lms.errors import Message, NotFound

M = TypeVar("M", bound=Model)

NOT_FOUND = _("Not found.")


def object_or_404(queryset: QuerySet[M], pk, message: Message = NOT_FOUND) -> M:
    """The row `pk` of `queryset` (already scoped to what the caller may see), or NotFound. An id
    that is not a positive integer is simply not found, never a 500."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise NotFound(message) from None
    if pk < 1 or pk > 2**63 - 1:
        raise NotFound(message)
    try:
        return queryset.get(pk=pk)
    except queryset.model.DoesNotExist:
        raise NotFound(message) from None


def check_need(need: str, needs: Iterable[str]) -> None:
    """A helper called with a need it does not define is a programming error, not a refusal."""
    if need not in needs:
        raise ValueError(f"Unknown need {need!r}: one of {', '.join(needs)}")
