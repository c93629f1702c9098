from rest_framework import pagination

PAGE_SIZE_DESCRIPTION = (
    "Results per page, 1 to 100 (default 20). Larger numbers are capped at 100; anything that is not a "
    "positive whole number means the default."
)


def _lenient_page_size(parameters: list[dict]) -> list[dict]:
    """`page_size` never makes a request fail (see PAGE_SIZE_DESCRIPTION): the schema says so by
    accepting any string, rather than promising an integer the server would not insist on. `page`
    is a number from 1, `last`, or empty (the first page); anything else is a 404."""
    for parameter in parameters:
        if parameter["name"] == "page_size":
            parameter["description"] = PAGE_SIZE_DESCRIPTION
            parameter["schema"] = {"type": "string", "example": "20"}
        elif parameter["name"] == "page":
            parameter["description"] = "A page number from 1, or `last`; a page past the end is a 404."
            parameter["schema"] = {
                "anyOf": [{"type": "integer", "minimum": 1}, {"type": "string", "enum": ["", "last"]}]
            }
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


class PageNumberPagination(pagination.PageNumberPagination):
    """`{count, next, previous, results}`; `?page=` and `?page_size=` (default 20, max 100)."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100

    def get_schema_operation_parameters(self, view):
        return _lenient_page_size(super().get_schema_operation_parameters(view))

    def get_paginated_response_schema(self, schema):
        return _single_page_examples(super().get_paginated_response_schema(schema))


class CursorPagination(pagination.CursorPagination):
    """For unbounded feeds: stable under inserts, no COUNT(*). Views set `ordering`."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100
    ordering = "-created_at"

    def get_schema_operation_parameters(self, view):
        return _lenient_page_size(super().get_schema_operation_parameters(view))

    def get_paginated_response_schema(self, schema):
        return _single_page_examples(super().get_paginated_response_schema(schema))
