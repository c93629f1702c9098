import pytest

from .helpers import WEBHOOK_SECRET


@pytest.fixture
def webhook_secret(settings):
    """Only the webhook secret: for tests that never call Stripe."""
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    return WEBHOOK_SECRET


@pytest.fixture
def no_stripe(settings):
    settings.STRIPE_SECRET_KEY = settings.STRIPE_PUBLISHABLE_KEY = settings.STRIPE_WEBHOOK_SECRET = ""
    settings.STRIPE_API_BASE = ""
