"""Viewsets resolve their object through their aggregate's access helper (`<app>/access.py`), never
through `get_queryset()` plus an object permission or an owner comparison in the view."""

from collections.abc import Callable
from typing import Any, ClassVar


class AccessViewSetMixin:
    # `access` is the helper, `(user, id, *, need) -> object` (e.g. `staticmethod(course_for)`);
    # `needs` maps an action to the need it requires (others need "read"; each helper documents its
    # needs). `get_object()` calls it with the URL's id, so a new detail action is authorized as
    # soon as it names its need. (A comment, not a docstring: drf-spectacular would take a
    # docstring here as the description of every operation of every viewset using the mixin.)

    access: ClassVar[Callable[..., Any]]
    needs: ClassVar[dict[str, str]] = {}

    def get_object(self):
        lookup = self.kwargs[self.lookup_url_kwarg or self.lookup_field]
        return type(self).access(self.request.user, lookup, need=self.needs.get(self.action, "read"))
