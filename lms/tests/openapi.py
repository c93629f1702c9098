"""The generated OpenAPI schema, for tests that hold a body up against one of its components. The
check is closed (an object that lists its properties takes no others), so a key the schema does not
declare fails as surely as a wrong type or a missing field. Used by the apps' schema tests."""

import functools
import json

from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer


@functools.cache
def openapi_schema() -> dict:
    """The schema as served (plain JSON), generated once per test process."""
    generated = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(generated))


def closed(node):
    """The schema with `additionalProperties: false` on every object that lists its properties
    (unless it says otherwise), so a field the schema does not declare fails."""
    if isinstance(node, list):
        return [closed(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: closed(value) for key, value in node.items()}
    if node.get("nullable") is True and "allOf" in node and "type" not in node:
        # drf-spectacular's nullable reference, `{allOf: [$ref], nullable: true}`: the validator
        # checks `nullable` only beside `type`, so spell out "the reference, or null".
        rest = {key: value for key, value in node.items() if key not in ("allOf", "nullable")}
        node = {**rest, "anyOf": [{"allOf": node["allOf"]}, {"enum": [None]}]}
    if "properties" in node and "additionalProperties" not in node and not {"allOf", "oneOf", "anyOf"} & set(node):
        node["additionalProperties"] = False
    return node


def schema_errors(value, component: str, *, request: bool = False) -> list[str]:
    """What is wrong with `value` as the component `component` (a request body when `request`:
    no read-only fields), one line per error; [] when it matches."""
    from openapi_schema_validator import OAS30ReadValidator, OAS30WriteValidator, oas30_format_checker

    validator_class = OAS30WriteValidator if request else OAS30ReadValidator
    document = {"$ref": f"#/components/schemas/{component}", "components": closed(openapi_schema()["components"])}
    validator = validator_class(document, format_checker=oas30_format_checker)
    return [
        f"/{'/'.join(str(part) for part in error.absolute_path)}: {error.message[:300]}"
        for error in validator.iter_errors(value)
    ]


def component(name: str) -> dict:
    return openapi_schema()["components"]["schemas"][name]
