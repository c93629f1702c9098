import re

from django.utils.translation import gettext as _
from rest_framework import pagination
from rest_framework.exceptions import ValidationError

MAX_PAGE_SIZE = 100
WHOLE_NUMBER = re.compile(r"[0-9]{1,9}")

PAGE_SIZE_DESCRIPTION = f"Results per page, from 1 (default 20). Larger numbers are capped at {MAX_PAGE_SIZE}."
PAGE_DESCRIPTION = "A page number from 1 (default 1); a page past the end is a 404."


def query_whole_number(request, name: str) -> int | None:
    """A query parameter that must be a whole number from 1, or absent (None): anything else is a
    400 naming the parameter, so a client's bug shows at once rather than as the default."""
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return None
    if not WHOLE_NUMBER.fullmatch(raw) or int(raw) < 1:
        raise ValidationError({name: [_("Enter a whole number from 1.")]}, code="invalid")
    return int(raw)


def _integer_parameters(parameters: list[dict]) -> list[dict]:
    """`page` and `page_size` are integers from 1 in the schema, as the server insists."""
    for parameter in parameters:
        if parameter["name"] == "page_size":
            parameter["description"] = PAGE_SIZE_DESCRIPTION
            parameter["schema"] = {"type": "integer", "minimum": 1}
        elif parameter["name"] == "page":
            parameter["description"] = PAGE_DESCRIPTION
            parameter["schema"] = {"type": "integer", "minimum": 1}
    return parameters


def _single_page_examples(schema: dict) -> dict:
    """The envelope's example values, as the docs show them around an operation's example item:
    one page holding that item (DRF's defaults point at an unrelated `/accounts/` URL)."""
    properties = schema["properties"]
    if "count" in properties:
        properties["count"]["example"] = 1
    properties["next"]["example"] = None
    properties["previous"]["example"] = None
    return schema


class PageSizeMixin:
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def get_page_size(self, request):
        size = query_whole_number(request, self.page_size_query_param)
        return self.page_size if size is None else min(size, self.max_page_size)

    def get_schema_operation_parameters(self, view):
        return _integer_parameters(super().get_schema_operation_parameters(view))

    def get_paginated_response_schema(self, schema):
        return _single_page_examples(super().get_paginated_response_schema(schema))


class PageNumberPagination(PageSizeMixin, pagination.PageNumberPagination):
    """`{count, next, previous, results}`; `?page=` and `?page_size=` (default 20, max 100). DRF's
    `page=last` still works; any other page that is not a whole number from 1 is a 400. A view that
    already knows the count (the catalog keeps it in the cache) sets `count_hint`: no COUNT query."""

    count_hint: int | None = None

    def django_paginator_class(self, queryset, page_size):
        paginator = pagination.DjangoPaginator(queryset, page_size)
        if self.count_hint is not None:
            paginator.count = self.count_hint  # Paginator.count is a cached_property: this is its value
        return paginator

    def paginate_queryset(self, queryset, request, view=None):
        if request.query_params.get(self.page_query_param) not in self.last_page_strings:
            query_whole_number(request, self.page_query_param)
        return super().paginate_queryset(queryset, request, view)


class CursorPagination(PageSizeMixin, pagination.CursorPagination):
    """For unbounded feeds: stable under inserts, no COUNT(*). Views set `ordering`."""

    ordering = "-created_at"
