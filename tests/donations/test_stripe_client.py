"""The Stripe client is kept per process: calls reuse one connection (real SDK, localstripe)."""

import pytest
import urllib3.util.connection

from donations import stripe_gateway as gw
from tests.donations import stripe_harness as h


@pytest.fixture
def localstripe_only(localstripe_url, settings, monkeypatch):  # type: ignore[no-untyped-def]
    """The SDK's own HTTP client, as in production, against localstripe."""
    settings.STRIPE_SECRET_KEY = h.API_KEY
    settings.STRIPE_API_BASE = localstripe_url
    monkeypatch.setattr(gw, "http_client", None)
    monkeypatch.setattr(gw, "_kept", None)


def test_calls_share_one_client_and_one_connection(localstripe_only, monkeypatch):
    opened = []
    connect = urllib3.util.connection.create_connection

    def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
        opened.append(args[0])
        return connect(*args, **kwargs)

    monkeypatch.setattr(urllib3.util.connection, "create_connection", counting)
    first = gw.client()
    made = [gw.client().v1.customers.create(params={"email": f"c{n}@example.cn"}) for n in range(3)]
    assert gw.client().v1.customers.retrieve(made[0].id).email == "c0@example.cn"
    assert gw.client() is first
    assert len(opened) == 1, opened  # four requests, one connection


def test_a_changed_key_or_address_gets_a_new_client(localstripe_only, settings):
    first = gw.client()
    settings.STRIPE_SECRET_KEY = "sk_test_other"
    second = gw.client()
    assert second is not first
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"
    assert gw.client() is not second
