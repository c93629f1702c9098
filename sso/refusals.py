"""Why a single sign-on was refused. The callback sends the browser back to the SPA with
`#error=<code>&error_description=<message>` (README "Single sign-on" lists them); the codes are stable,
the messages are for people (translated)."""

from django.utils.translation import gettext_lazy as _

from lms.errors import ApplicationError, Message

REFUSALS: dict[str, Message] = {
    "invalid_request": _("The sign-in answer is incomplete. Please start again."),
    "invalid_state": _("This sign-in is unknown or was started elsewhere. Please start again."),
    "state_used": _("This sign-in was already completed. Please start again."),
    "login_expired": _("The sign-in took too long. Please start again."),
    "browser_mismatch": _("This sign-in was started in another browser. Please start again in this one."),
    "access_denied": _("The sign-in was canceled at the identity provider."),
    "issuer_mismatch": _("The sign-in answer came from another identity provider. Please start again."),
    "provider_unavailable": _("The identity provider cannot be reached. Please try again later."),
    "provider_error": _("The identity provider refused the sign-in. Please start again."),
    "invalid_id_token": _("The identity provider's answer could not be verified."),
    "nonce_mismatch": _("The identity provider's answer does not belong to this sign-in. Please start again."),
    "email_missing": _("The identity provider did not give an e-mail address for this account."),
    "email_unverified": _("The identity provider has not verified this account's e-mail address."),
    "domain_not_allowed": _("Accounts with this e-mail domain cannot sign in with this provider."),
    "already_linked": _(
        "This e-mail address belongs to an account already linked to another identity at this provider. "
        "Ask an administrator to remove the old link."
    ),
    "account_inactive": _("This account is deactivated."),
    "signup_failed": _("An account cannot be created with this e-mail address."),
}


class SignInRefused(ApplicationError):
    """A single sign-on refused for the reason `code` (a key of REFUSALS). `detail` says more for
    the server's log (never shown to the user, never holding a token)."""

    status_code = 400
    default_code = "provider_error"

    def __init__(self, code: str, detail: str = ""):
        super().__init__(REFUSALS[code], code=code)
        self.detail = detail
