"""The schema's last pass (SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]): rules that hold for every
operation, applied once here rather than repeated in each app's api/schema.py, so a generated
client can rely on them:

- every path id is an integer (a lookup with the pattern `[0-9]+` renders as a string);
- every error response has its JSON body (`Error`, or `ValidationError` for a 400), and every
  operation that reads the Authorization header documents 401 with `AuthError`: a bad or expired
  token answers 401 even on a public read, and clients refresh on it; a paginated list documents
  the 400 for a `page` or `page_size` that is not a whole number from 1;
- an operation id says what the operation does: `courses_forum_posts_list` rather than
  `..._retrieve` for a list, `lessons_complete` rather than `lessons_complete_create` for an action;
- request components are named for what they are (`CourseInput`, not `CourseInputRequest`);
- every JSON read of the API documents its validator and caching headers (`ETag`, `Cache-Control`,
  and `Last-Modified` where sent) and the 304 of a conditional GET (lms.http_cache).
"""

from lms.api.responses import DESCRIPTIONS, EXAMPLES

METHODS = ("get", "put", "post", "patch", "delete")
SCHEMAS = "#/components/schemas/"


def contract(result, generator, request, public):
    for path, item in result["paths"].items():
        for method, operation in _operations(item):
            _integer_path_ids(operation)
            _error_bodies(operation)
            if method == "get" and path.startswith("/api/v1/"):
                _conditional_read(operation)
        _operation_ids(item, result["components"]["schemas"])
    return _rename_request_components(result)


def _operations(item: dict):
    return [(method, item[method]) for method in METHODS if method in item]


def _integer_path_ids(operation: dict) -> None:
    for parameter in operation.get("parameters", []):
        if parameter["in"] == "path" and parameter["schema"].get("pattern") == "^[0-9]+$":
            parameter["schema"] = {"type": "integer"}


def _body(name: str) -> dict:
    return {"application/json": {"schema": {"$ref": SCHEMAS + name}}}


def _error_bodies(operation: dict) -> None:
    responses = operation["responses"]
    if any("jwtAuth" in requirement for requirement in operation.get("security") or []):
        responses.setdefault("401", {"description": DESCRIPTIONS[401]})
    if any(parameter["name"] in ("page", "page_size") for parameter in operation.get("parameters", [])):
        responses.setdefault("400", {"description": DESCRIPTIONS[400]})  # lms.api.pagination.query_whole_number
    for status, response in responses.items():
        if int(status) < 400:
            continue
        if status == "401":
            body = response.setdefault("content", {}).setdefault("application/json", {})
            body["schema"] = {"$ref": SCHEMAS + "AuthError"}
            body.setdefault(
                "examples", {e.name.replace(" ", ""): {"value": e.value, "summary": e.name} for e in EXAMPLES[401]}
            )
        elif "content" not in response:
            response["content"] = _body("ValidationError" if status == "400" else "Error")


CACHE_HEADERS = {
    "ETag": {
        "description": "The validator of this answer: send it back in `If-None-Match` to get a 304 while it holds.",
        "schema": {"type": "string"},
    },
    "Cache-Control": {
        "description": "`public, max-age=..., stale-while-revalidate=...` for a public read made without "
        "credentials; `private, no-cache` otherwise.",
        "schema": {"type": "string"},
    },
}


def _conditional_read(operation: dict) -> None:
    """A JSON read answers with an ETag, and 304 to a conditional GET whose validator still holds."""
    ok = operation["responses"].get("200")
    if ok is None or "application/json" not in ok.get("content", {}):
        return  # files, feeds and redirects keep their own headers
    ok.setdefault("headers", {}).update(CACHE_HEADERS)
    operation["responses"].setdefault(
        "304",
        {
            "description": "Not modified: the `ETag` sent in `If-None-Match` (or the date in `If-Modified-Since`) "
            "is still current. No body.",
            "headers": {"ETag": CACHE_HEADERS["ETag"]},
        },
    )


def _operation_ids(item: dict, components: dict) -> None:
    operations = _operations(item)
    for method, operation in operations:
        operation_id = operation["operationId"]
        if method == "get" and operation_id.endswith("_retrieve") and _is_list(operation, components):
            operation["operationId"] = operation_id.removesuffix("_retrieve") + "_list"
        elif method == "post" and len(operations) == 1 and operation_id.endswith("_create"):
            # a POST alone on its path is an action (`auth_login`, `lessons_complete`), not a create
            operation["operationId"] = operation_id.removesuffix("_create")


def _is_list(operation: dict, components: dict) -> bool:
    schema = operation["responses"].get("200", {}).get("content", {}).get("application/json", {}).get("schema", {})
    if "$ref" in schema:
        schema = components[schema["$ref"].removeprefix(SCHEMAS)]
    return schema.get("type") == "array" or {"next", "results"} <= set(schema.get("properties", {}))


def _rename_request_components(result: dict) -> dict:
    """COMPONENT_SPLIT_REQUEST names each request component `<serializer>Request`. Most serializers
    are already named for their input (`CourseInput`): drop the suffix. One that is both read and
    written (`Answer`) gets `Input` for its request half (`AnswerInput`)."""
    schemas = result["components"]["schemas"]
    renames = {}
    for name in schemas:
        if name.endswith("Request"):
            base = name.removesuffix("Request")
            renames[name] = base if base not in schemas else base.removesuffix("Input") + "Input"
    assert len(set(renames.values())) == len(renames) and not set(renames.values()) & (set(schemas) - set(renames))
    result["components"]["schemas"] = {renames.get(name, name): schema for name, schema in schemas.items()}
    return _replace_refs(result, {SCHEMAS + old: SCHEMAS + new for old, new in renames.items()})


def _replace_refs(node, refs: dict):
    """`$ref`s and discriminator mappings: the only strings that are component addresses."""
    if isinstance(node, dict):
        return {key: _replace_refs(value, refs) for key, value in node.items()}
    if isinstance(node, list):
        return [_replace_refs(value, refs) for value in node]
    return refs.get(node, node) if isinstance(node, str) else node
