"""The one place that talks to Stripe, through the official library. STRIPE_API_BASE points it at
a local emulator in tests; without keys every call is a 503 with a clear message."""

from decimal import ROUND_HALF_UP, Decimal

import stripe
from django.conf import settings

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


def configured() -> bool:
    return bool(settings.STRIPE_SECRET_KEY and settings.STRIPE_PUBLISHABLE_KEY and settings.STRIPE_WEBHOOK_SECRET)


def client() -> stripe.StripeClient:
    if not configured():
        raise ServiceUnavailable(
            "Payments are not configured: set STRIPE_SECRET_KEY, STRIPE_PUBLISHABLE_KEY and STRIPE_WEBHOOK_SECRET.",
            code="payments_not_configured",
        )
    base = {"api": settings.STRIPE_API_BASE} if settings.STRIPE_API_BASE else None
    return stripe.StripeClient(settings.STRIPE_SECRET_KEY, base_addresses=base, max_network_retries=2)


def to_minor_units(amount: Decimal, currency: str) -> int:
    if currency.upper() in ZERO_DECIMAL:
        return int(amount.quantize(Decimal(1), ROUND_HALF_UP))
    return int((amount * 100).quantize(Decimal(1), ROUND_HALF_UP))


def from_minor_units(amount: int, currency: str) -> Decimal:
    if currency.upper() in ZERO_DECIMAL:
        return Decimal(amount).quantize(Decimal("0.01"))
    return (Decimal(amount) / 100).quantize(Decimal("0.01"))


def provider_error(exc: Exception) -> ServiceUnavailable:
    message = getattr(exc, "user_message", None) or str(exc) or exc.__class__.__name__
    return ServiceUnavailable(f"The payment provider could not be reached or refused: {message}", code="stripe_error")


def construct_event(payload: bytes, signature: str):
    """Verifies Stripe's signature (t=...,v1=HMAC-SHA256) and parses the event. Raises ValueError
    or stripe.SignatureVerificationError."""
    return stripe.Webhook.construct_event(payload, signature, settings.STRIPE_WEBHOOK_SECRET)
