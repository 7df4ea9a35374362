import pytest

from donations import stripe_gateway
from tests import parts
from tests.donations import stripe_harness as h


@pytest.fixture(scope="session")
def localstripe_url():  # type: ignore[no-untyped-def]
    proc, url = h.start_localstripe()
    yield url
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture
def stripe_world(localstripe_url, settings, monkeypatch):  # type: ignore[no-untyped-def]
    """Payments configured against localstripe, with the Checkout boundary in front of it."""
    settings.STRIPE_SECRET_KEY = h.API_KEY
    settings.STRIPE_WEBHOOK_SECRET = h.WEBHOOK_SECRET
    settings.STRIPE_API_BASE = localstripe_url
    boundary = h.CheckoutBoundary()
    monkeypatch.setattr(stripe_gateway, "http_client", boundary)
    return h.Stripe(localstripe_url, boundary)


__all__ = ["parts"]
