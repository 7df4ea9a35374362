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


def test_the_demo_shows_lending_in_motion(client):
    """Every lending state a walkthrough needs: out, overdue, waiting at one station while
    another has idle stock (so a transfer is suggested), in cleaning, in transit, lent in."""
    from django.utils import timezone

    from lending import selectors
    from lending.models import Item, Loan, Transfer, WaitlistEntry

    call_command("seed_demo", stdout=io.StringIO())
    today = timezone.localdate()
    out = Loan.objects.filter(status=Loan.Status.ON_LOAN)
    assert out.filter(ends_on__lt=today).count() == 1 and out.count() >= 2
    assert WaitlistEntry.objects.filter(status=WaitlistEntry.Status.WAITING).exists()
    assert any(s["type"].slug == "wheelchair" for s in selectors.transfer_suggestions())
    assert Item.objects.filter(state=Item.State.MAINTENANCE).exists()
    assert Transfer.objects.filter(status=Transfer.Status.IN_TRANSIT).exists()
    assert Item.objects.filter(owner_organisation__isnull=False).exists()
    assert Loan.objects.filter(free=True).exists() and Loan.objects.filter(free=False).exists()
    page = client.get("/lending/").content.decode()
    assert "轮椅" in page and "护理床" in page


def test_the_demo_publishes_this_years_annual_report_with_its_pdf(
    client, django_capture_on_commit_callbacks
):
    from django.utils import timezone

    from portal import selectors
    from portal.models import AnnualReportPage

    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", stdout=io.StringIO())
    reports = AnnualReportPage.objects.live().filter(year=timezone.localdate().year)
    assert sorted(p.locale.language_code for p in reports) == ["en", "zh-hans"]
    for page in reports:
        assert float(page.figures["raised"]["total"]) > 0 and page.figures["wishes"]["posted"]
        assert selectors.annual_report_pdf(page_id=page.pk) is not None
        body = client.get(page.url).content.decode()
        assert "data:image/svg+xml" in body and f"/annual-reports/{page.pk}.pdf" in body
    zh = reports.get(locale__language_code="zh-hans")
    assert "万元" in client.get(zh.url).content.decode()


def test_the_demo_holds_the_power_strip_story_half_way():
    from charity.models import StockLot
    from wishes.models import Wish

    call_command("seed_demo", stdout=io.StringIO())
    lot = StockLot.objects.get(description="插线板")
    assert lot.quantity_on_hand == 200 and lot.warehouse.is_main
    asking = Wish.objects.filter(title="一个安全的插线板", status=Wish.Status.OPEN)
    assert asking.count() == 5 and asking.values("station").distinct().count() == 2
    from wishes.models import CampaignPage

    project = CampaignPage.objects.live().get()
    assert project.campaign.wishes.count() == 5
