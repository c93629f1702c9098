from rest_framework import serializers


class InputSerializer(serializers.Serializer):
    """Validates a request body. Views call `Input.validated(request)` and get clean data or a 400
    naming every bad field; unknown fields (role, is_staff, ...) are ignored, never assigned."""

    @classmethod
    def validated(cls, request, *, partial: bool = False, **context) -> dict:
        serializer = cls(data=request.data, partial=partial, context={"request": request, **context})
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
