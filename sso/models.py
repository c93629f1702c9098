"""Single sign-on (README "Single sign-on"): which provider identities are linked to which account,
the sign-ins under way, and the one-time codes the SPA exchanges for its tokens. Secrets that a
browser holds (the state, the browser's cookie, the one-time code) are stored as SHA-256 hashes. The
SPA's code challenge is one already (of a verifier only the SPA knows) and is stored as given."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class IdentityLink(models.Model):
    """An identity at a provider (its `sub`) that signs in as `user`. Made at the first sign-in,
    with the e-mail the provider then vouched for; removed by staff (sso.services.identity_link_delete)
    or with the user's erasure."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="identity_links", verbose_name=_("user")
    )
    provider = models.CharField(_("provider"), max_length=64)
    subject = models.CharField(
        pgettext_lazy("identity link", "subject"),
        max_length=255,
        help_text=_("The provider's stable identifier of the person (`sub`)."),
    )
    email = models.EmailField(
        _("e-mail at link time"), max_length=254, help_text=_("The verified e-mail the provider gave when linked.")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("identity link")
        verbose_name_plural = _("identity links")
        ordering = ["provider", "subject"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "subject"], name="sso_identitylink_provider_subject_unique")
        ]
        indexes = [models.Index(fields=["user", "provider"])]

    def __str__(self):
        return f"{self.provider}:{self.subject}"


class PendingLogin(models.Model):
    """A sign-in sent to a provider and not yet back: what the callback checks (the state, the
    browser's cookie, the provider, the expiry, single use) and needs (the nonce, the PKCE
    code_verifier, the redirect_uri the code was issued for), and the SPA's code challenge its
    one-time code will be bound to. Pruned once expired."""

    state_hash = models.CharField(_("state hash"), max_length=64, unique=True)
    browser_hash = models.CharField(_("browser cookie hash"), max_length=64)
    provider = models.CharField(_("provider"), max_length=64)
    nonce = models.CharField(_("nonce"), max_length=128)
    code_verifier = models.CharField(_("PKCE code verifier"), max_length=128)
    redirect_uri = models.CharField(_("redirect URI"), max_length=500)
    spa_challenge = models.CharField(
        _("SPA code challenge"),
        max_length=43,
        help_text=_("BASE64URL(SHA-256(code_verifier)) of the verifier the SPA that started the sign-in keeps."),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"), db_index=True)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("pending sign-in")
        verbose_name_plural = _("pending sign-ins")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.provider} {self.created_at:%Y-%m-%d %H:%M:%S}"


class LoginCode(models.Model):
    """The one-time code a finished sign-in hands to the SPA (in the URL's fragment), exchanged once,
    within seconds, for the platform's tokens, by the SPA that started the sign-in only: the exchange
    must send the verifier of `spa_challenge` (login CSRF). Pruned once expired."""

    code_hash = models.CharField(_("code hash"), max_length=64, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    provider = models.CharField(_("provider"), max_length=64)
    spa_challenge = models.CharField(
        _("SPA code challenge"),
        max_length=43,
        help_text=_("The sign-in's code challenge: only the verifier whose SHA-256 it is exchanges the code."),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"), db_index=True)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("sign-in code")
        verbose_name_plural = _("sign-in codes")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"])]

    def __str__(self):
        return f"{self.provider} {self.user_id} {self.created_at:%Y-%m-%d %H:%M:%S}"
