"""The schema's shared responses: error bodies (with examples) per status code, throttling, and the
envelopes of lists that views paginate by hand. Views build their `responses=` from these, so every
status code an operation can answer is documented once, the same way everywhere.

    @extend_schema(responses={201: CourseSerializer, **errors(400, 401, 403, 404)})

`errors()` adds 429 (every throttled endpoint can answer it) unless `throttled=False`."""

from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, extend_schema_view, inline_serializer
from rest_framework import serializers

ErrorSerializer = inline_serializer(
    "Error",
    {
        "detail": serializers.CharField(),
        "code": serializers.CharField(required=False, help_text="A stable machine-readable code, where there is one."),
    },
)


class ValidationErrorSerializer(serializers.Serializer):
    """A 400's body: DRF's field errors, `{"field": ["message", ...]}` (a nested field's key is its
    dotted path, `choices.0.text`; errors of no one field are under `non_field_errors`), or for a
    rule of the domain `{"detail": ..., "code": ...}`, naming the `field` where there is one."""

    detail = serializers.CharField(required=False, help_text="For a rule of the domain: what is wrong.")
    code = serializers.CharField(required=False, help_text="For a rule of the domain: a stable code.")
    field = serializers.CharField(required=False, help_text="For a rule of the domain: the field it is about.")


class _FieldErrors(OpenApiSerializerExtension):
    """Every other key of a ValidationError is a field's list of messages."""

    target_class = ValidationErrorSerializer
    match_subclasses = True

    def map_serializer(self, auto_schema, direction):
        schema = auto_schema._map_basic_serializer(self.target, direction)
        return {**schema, "additionalProperties": {"type": "array", "items": {"type": "string"}}}


AuthErrorSerializer = inline_serializer(
    "AuthError",
    {
        "detail": serializers.CharField(),
        "code": serializers.CharField(required=False, help_text="`token_not_valid` for a bad or expired token."),
        "messages": inline_serializer(
            "TokenMessage",
            {
                "token_class": serializers.CharField(),
                "token_type": serializers.CharField(),
                "message": serializers.CharField(),
            },
            many=True,
            required=False,
            help_text="For a bad token: what is wrong with it, per token type tried.",
        ),
    },
)

PaymentRequiredErrorSerializer = inline_serializer(
    "PaymentRequiredError",
    {
        "detail": serializers.CharField(),
        "code": serializers.CharField(),
        "price": serializers.DecimalField(max_digits=10, decimal_places=2, help_text="The course's price."),
        "currency": serializers.CharField(help_text="ISO 4217, e.g. `USD`."),
    },
)

BODIES = {400: ValidationErrorSerializer, 401: AuthErrorSerializer, 402: PaymentRequiredErrorSerializer}


def _example(status: int, name: str, value: dict) -> OpenApiExample:
    return OpenApiExample(name, value=value, response_only=True, status_codes=[str(status)])


DESCRIPTIONS = {
    400: "Invalid input; the body names each bad field.",
    401: "Not signed in, or the token is invalid or expired.",
    402: "The course has a price: buy it through checkout.",
    403: "Signed in but not allowed.",
    404: "Unknown, or not visible to you.",
    409: "Conflicts with the current state.",
    413: "The request body is larger than the server accepts (1 MiB by default).",
    429: "Too many requests; the Retry-After header says when to try again.",
    503: "A service this needs (e.g. Stripe) is not configured or not reachable; try again later.",
}

EXAMPLES = {
    400: [
        _example(400, "Invalid field", {"title": ["This field is required."]}),
        _example(400, "Broken rule", {"detail": "Add at least one lesson before publishing.", "code": "invalid"}),
    ],
    401: [
        _example(401, "Not signed in", {"detail": "Authentication credentials were not provided."}),
        _example(
            401,
            "Bad or expired token",
            {
                "detail": "Given token not valid for any token type",
                "code": "token_not_valid",
                "messages": [
                    {"token_class": "AccessToken", "token_type": "access", "message": "Token is invalid or expired"}
                ],
            },
        ),
    ],
    402: [
        _example(
            402,
            "Paid course",
            {
                "detail": "This course has a price; buy it through checkout.",
                "code": "payment_required",
                "price": "49.00",
                "currency": "USD",
            },
        )
    ],
    403: [_example(403, "Not allowed", {"detail": "You do not have permission to perform this action."})],
    404: [_example(404, "Not found", {"detail": "Not found."})],
    409: [_example(409, "Conflict", {"detail": "You are already enrolled in this course.", "code": "conflict"})],
    413: [_example(413, "Too large", {"detail": "The request body is too large.", "code": "request_too_large"})],
    429: [_example(429, "Throttled", {"detail": "Request was throttled. Expected available in 42 seconds."})],
    503: [_example(503, "Unavailable", {"detail": "Payments are not configured.", "code": "unavailable"})],
}


def error(status: int, description: str | None = None) -> OpenApiResponse:
    """The response for one error status code, with the shared body schema and examples."""
    body = BODIES.get(status, ErrorSerializer)
    return OpenApiResponse(body, description=description or DESCRIPTIONS[status], examples=EXAMPLES[status])


def error_of(status: int, serializer, description: str, examples: dict) -> dict[int, OpenApiResponse]:
    """`{status: response}` for an error with a body of its own (`serializer`, e.g. one carrying
    the figures a client needs), and its examples by name."""
    return {
        status: OpenApiResponse(
            serializer,
            description=description,
            examples=[_example(status, name, value) for name, value in examples.items()],
        )
    }


def errors(*statuses: int, throttled: bool = True, **descriptions: str) -> dict[int, OpenApiResponse]:
    """`{status: response}` for these error codes (plus 429 when throttled). A description can be
    made specific with a keyword: `errors(403, 404, r403="Not enrolled in this course.")`."""
    codes = [*statuses, 429] if throttled and 429 not in statuses else list(statuses)
    return {code: error(code, descriptions.get(f"r{code}")) for code in codes}


def json_or_csv(json_ok: OpenApiResponse, csv_ok: OpenApiResponse, *statuses: int, **descriptions: str) -> dict:
    """The responses of a download that answers JSON, or CSV with `Accept: text/csv` or
    `?format=csv`: the success in each media type, then each error status in both (an error as CSV
    is `field,message` rows)."""
    responses = {(200, "application/json"): json_ok, (200, "text/csv"): csv_ok}
    for status, response in errors(*statuses, **descriptions).items():
        responses[(status, "application/json")] = response
        responses[(status, "text/csv")] = OpenApiResponse(OpenApiTypes.STR, description=response.description)
    return responses


def paginated(serializer, *, cursor: bool = False):
    """The envelope of a list a view paginates itself, named as drf-spectacular names the ones it
    makes (`PaginatedPostList`): `{count, next, previous, results}`, or `{next, previous, results}`
    for a cursor-paginated feed. The schema has these two shapes of list and no other."""
    name = f"Paginated{serializer.__name__.removesuffix('Serializer')}List"
    fields = {
        "next": serializers.URLField(allow_null=True),
        "previous": serializers.URLField(allow_null=True),
        "results": serializer(many=True),
    }
    if not cursor:
        fields = {"count": serializers.IntegerField(), **fields}
    return inline_serializer(name, fields)


# Success examples. Each operation documents its request body and its 2xx body with these (values
# copied from real responses; lms/tests/test_schemathesis.py checks every one against its schema).
# A list view that drf-spectacular paginates gets ONE item: the schema wraps it in the envelope.


def ok(value, name: str = "Success", *, status: int = 200) -> OpenApiExample:
    """A success response's body, for `extend_schema(examples=[...])`."""
    return OpenApiExample(name, value=value, response_only=True, status_codes=[str(status)])


def body(value, name: str = "Request") -> OpenApiExample:
    """A request body, for `extend_schema(examples=[...])`."""
    return OpenApiExample(name, value=value, request_only=True)


def page(*results, count: int | None = None, next_page: str | None = None) -> dict:
    """The envelope of a list a view paginates itself (see `paginated`)."""
    envelope = {"next": next_page, "previous": None, "results": list(results)}
    return envelope if count is None else {"count": count, **envelope}


def described(tag: str, **operations):
    """The one class decorator of a view's OpenAPI description (kept in its app's api/schema.py):
    the tag, once for the class, and each operation's `extend_schema` by action or method name (a
    list for an action with several methods), as `extend_schema_view` takes them."""

    def decorate(view_class):
        return extend_schema(tags=[tag])(extend_schema_view(**operations)(view_class))

    return decorate
