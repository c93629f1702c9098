from django.conf import settings
from django.db import models


class Claims(models.Model):
    """What the provider says about a person besides e-mail and names: `data` is merged into the ID
    token and the userinfo answer (email_verified, groups, xms_edov, ...); the claims named in
    `userinfo_only` are left out of the ID token (so the relying party must ask the userinfo endpoint)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="claims")
    data = models.JSONField(default=dict)
    userinfo_only = models.JSONField(default=list)

    def __str__(self):
        return f"claims of {self.user_id}"
