"""The demo loads through the seeding command, twice without doubling, and never in
production."""

import io

import pytest
from django.core.management import CommandError, call_command

from accounts.models import Station, User
from charity.models import LedgerEntry, StockLot
from donations.models import Donation, Receipt
from wishes.models import Wish

pytestmark = [pytest.mark.django_db, pytest.mark.cjk_pdf]  # receipts are rendered on the way

MODELS = (User, Station, Donation, Receipt, LedgerEntry, StockLot, Wish)


def _counts() -> dict[str, int]:
    return {m.__name__: m.objects.count() for m in MODELS}


def test_seed_demo_twice_loads_the_demo_once():
    call_command("seed_demo", stdout=io.StringIO())
    first = _counts()
    assert first["Wish"] >= 5 and first["Donation"] >= 3 and first["StockLot"] >= 1
    call_command("seed_demo", stdout=io.StringIO())
    assert _counts() == first


def test_seed_demo_refuses_production_settings(settings):
    settings.WISHPOOL_DEMO_ALLOWED = False
    before = _counts()
    with pytest.raises(CommandError, match="published password"):
        call_command("seed_demo")
    assert _counts() == before
