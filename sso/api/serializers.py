from rest_framework import serializers

from lms.api.serializers import InputSerializer


class ProviderSerializer(serializers.Serializer):
    """A configured single sign-on provider: the SPA shows a button for each."""

    name = serializers.CharField(help_text="Its name in the start URL: `/api/v1/auth/oidc/{name}/start/`.")
    label = serializers.CharField(source="display_label", help_text="What the button says.")


class ExchangeInputSerializer(InputSerializer):
    code = serializers.CharField(
        max_length=128,
        trim_whitespace=True,
        help_text="The one-time code from the return URL's fragment (`#code=...`): valid 60 seconds, once.",
    )
