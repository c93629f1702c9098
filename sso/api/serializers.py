from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from lms.api.serializers import InputSerializer


class ProviderSerializer(serializers.Serializer):
    """A configured single sign-on provider: the SPA shows a button for each."""

    name = serializers.CharField(help_text="Its name in the start URL: `/api/v1/auth/oidc/{name}/start/`.")
    label = serializers.CharField(source="display_label", help_text="What the button says.")


class ExchangeInputSerializer(InputSerializer):
    """The one-time code from the return page, and the verifier of the challenge the SPA gave the start."""

    code = serializers.CharField(
        max_length=128,
        trim_whitespace=True,
        help_text="The one-time code from the return URL's fragment (`#code=...`): valid 60 seconds, once.",
    )
    code_verifier = serializers.CharField(
        min_length=43,
        max_length=128,
        trim_whitespace=False,
        validators=[
            RegexValidator(
                r"\A[A-Za-z0-9._~-]+\Z",
                _("A code verifier holds only the characters A-Z, a-z, 0-9, '-', '.', '_' and '~'."),
            )
        ],
        help_text="The code_verifier the SPA made before the start (kept in sessionStorage) and whose "
        "BASE64URL(SHA-256) it sent there as `code_challenge` (RFC 7636, S256). A code from a sign-in "
        "started with another challenge is refused (`code_invalid`) and can no longer be used.",
    )
