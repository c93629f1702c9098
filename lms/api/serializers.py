import copy

from rest_framework import serializers


class InputSerializer(serializers.Serializer):
    """Validates a request body. Views call `Input.validated(request)` and get clean data or a 400
    naming every bad field; unknown fields (role, is_staff, ...) are ignored, never assigned."""

    @classmethod
    def validated(cls, request, *, partial: bool = False, **context) -> dict:
        serializer = cls(data=request.data, partial=partial, context={"request": request, **context})
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    @classmethod
    def from_query(cls, request) -> dict:
        """The query string, validated the same way (400 naming every bad parameter)."""
        serializer = cls(data=request.query_params, context={"request": request})
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)


class WholeInputSerializer(InputSerializer):
    """A body that must be complete even on PATCH (e.g. a comment's new `body`). drf-spectacular
    documents every PATCH body as partial (no required fields); this keeps `partial` False, so the
    schema says what the view really insists on."""

    @property
    def partial(self) -> bool:
        return False

    @partial.setter
    def partial(self, value) -> None:
        pass


def narrowed(base, *, tag: str, choice, shape: str, shape_serializer, suffix: str, doc: str):
    """`base` narrowed to one value of its tag field, for one branch of a discriminated union in
    the schema (e.g. `ForumReplyNotification`): its `tag` is that one value and its `shape` field
    (a payload, metadata) that value's own serializer."""
    name = choice.value.title().replace("_", "") + suffix
    fields = {
        "__doc__": doc,
        tag: serializers.ChoiceField(choices=[(choice.value, choice.label)]),
        shape: shape_serializer(),
        "Meta": type("Meta", (base.Meta,), {"ref_name": name}),
    }
    return type(f"{name}Serializer", (base,), fields)


class CachedFieldsMixin:
    # For ModelSerializers read in hot paths (the catalog, enrollments): DRF builds a ModelSerializer's
    # fields by introspecting the model on every instance, about 3 ms for the catalog's course (a third
    # of rendering a page of 20). The unbound fields are the same for every instance of a class, so they
    # are built once per class and deep-copied per instance, as DRF does for a plain Serializer's
    # declared fields. Only for serializers whose fields do not depend on the instance or context.
    # (A comment, not a docstring: drf-spectacular would show a docstring as the description of every
    # serializer without one of its own.)

    def get_fields(self):
        cls = type(self)
        template = cls.__dict__.get("_cached_fields")
        if template is None:
            template = super().get_fields()
            cls._cached_fields = template
        return copy.deepcopy(template)
