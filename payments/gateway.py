"""The one place that talks to Stripe, through the official library. STRIPE_API_BASE points it at
a local emulator in tests; without keys every call is a 503 with a clear message.

Every call is bounded: a short connect and read timeout and few retries (the library retries
connection errors, timeouts, 409s and 5xx with backoff, safely thanks to idempotency keys), so a
Stripe outage makes checkout answer 503 within seconds instead of holding a worker and its row
locks for minutes (the library's own default is an 80 s timeout)."""

import json
from decimal import ROUND_HALF_UP, Decimal

import stripe
from django.conf import settings
from django.utils.translation import gettext as _

from lms.errors import ServiceUnavailable

# Currencies whose smallest unit is the unit itself (Stripe's list).
ZERO_DECIMAL = {
    "BIF",
    "CLP",
    "DJF",
    "GNF",
    "JPY",
    "KMF",
    "KRW",
    "MGA",
    "PYG",
    "RWF",
    "UGX",
    "VND",
    "VUV",
    "XAF",
    "XOF",
    "XPF",
}


# Defaults; settings STRIPE_CONNECT_TIMEOUT, STRIPE_READ_TIMEOUT (seconds) and STRIPE_MAX_RETRIES
# override them. Worst case for one call: (retries + 1) * (connect or read timeout) + backoff
# (0.5 s, then 1 s at most), i.e. about 16.5 s with these values.
CONNECT_TIMEOUT = 3.0
READ_TIMEOUT = 8.0
MAX_RETRIES = 1

PROVIDER = "Stripe"


def configured() -> bool:
    return bool(settings.STRIPE_SECRET_KEY and settings.STRIPE_PUBLISHABLE_KEY and settings.STRIPE_WEBHOOK_SECRET)


def client() -> stripe.StripeClient:
    if not configured():
        raise ServiceUnavailable(
            _("Payments are not configured: set STRIPE_SECRET_KEY, STRIPE_PUBLISHABLE_KEY and STRIPE_WEBHOOK_SECRET."),
            code="payments_not_configured",
        )
    base = {"api": settings.STRIPE_API_BASE} if settings.STRIPE_API_BASE else None
    timeout = (
        float(getattr(settings, "STRIPE_CONNECT_TIMEOUT", CONNECT_TIMEOUT)),
        float(getattr(settings, "STRIPE_READ_TIMEOUT", READ_TIMEOUT)),
    )
    return stripe.StripeClient(
        settings.STRIPE_SECRET_KEY,
        base_addresses=base,
        max_network_retries=int(getattr(settings, "STRIPE_MAX_RETRIES", MAX_RETRIES)),
        http_client=stripe.RequestsClient(timeout=timeout),
    )


def to_minor_units(amount: Decimal, currency: str) -> int:
    if currency.upper() in ZERO_DECIMAL:
        return int(amount.quantize(Decimal(1), ROUND_HALF_UP))
    return int((amount * 100).quantize(Decimal(1), ROUND_HALF_UP))


def provider_error(exc: Exception) -> ServiceUnavailable:
    """A 503 naming the provider. Unreachable (connection refused, timeout) is told apart from an
    answer Stripe gave, so the client knows a retry later is the remedy."""
    if isinstance(exc, stripe.APIConnectionError):
        message = _("The payment provider ({provider}) could not be reached; please try again in a moment.").format(
            provider=PROVIDER
        )
        code = "payment_provider_unreachable"
    else:
        detail = getattr(exc, "user_message", None) or str(exc) or exc.__class__.__name__
        message = _("The payment provider ({provider}) refused the request: {detail}").format(
            provider=PROVIDER, detail=detail
        )
        code = "stripe_error"
    return ServiceUnavailable(message, code=code, extra={"provider": PROVIDER.lower()})


def construct_event(payload: bytes, signature: str):
    """Verifies Stripe's signature (t=...,v1=HMAC-SHA256) and parses the event. Raises ValueError
    or stripe.SignatureVerificationError."""
    stripe.WebhookSignature.verify_header(payload, signature, settings.STRIPE_WEBHOOK_SECRET)
    # A correctly signed body can still be JSON of the wrong shape (an array, a number): bad input.
    if not isinstance(json.loads(payload), dict):
        raise ValueError("The webhook body is not a Stripe event object.")
    return stripe.Webhook.construct_event(payload, signature, settings.STRIPE_WEBHOOK_SECRET)
