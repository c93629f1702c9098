from rest_framework import serializers


class InputSerializer(serializers.Serializer):
    """Validates a request body. Views call `Input.validated(request)` and get clean data or a 400
    naming every bad field; unknown fields (role, is_staff, ...) are ignored, never assigned."""

    @classmethod
    def validated(cls, request, *, partial: bool = False, **context) -> dict:
        serializer = cls(data=request.data, partial=partial, context={"request": request, **context})
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)
