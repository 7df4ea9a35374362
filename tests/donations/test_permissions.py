"""Company A never sees company B's pledges, donations, receipts or statements (404, guessing too)."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from charity.selectors import fund_general
from donations.services import donors, pledges
from tests.accounts import factories as f
from tests.donations.helpers import offline_gift

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_companies():  # type: ignore[no-untyped-def]
    a, b = f.organisation(name="甲公司"), f.organisation(name="乙公司")
    rep_a, rep_b = a.memberships.get().user, b.memberships.get().user
    fund = fund_general()
    pledge_b = pledges.pledge_create(
        user=rep_b, organisation=b, kind="money", fund=fund, show_name=True, amount=Decimal("100")
    )
    donation_b = offline_gift(donor=donors.donor_for_organisation(organisation=b), amount="321.00")
    return rep_a, rep_b, b, pledge_b, donation_b


@pytest.mark.cjk_pdf  # the receipt is rendered on the way
def test_other_companys_pledge_receipt_and_statement_are_404(client, two_companies):
    rep_a, rep_b, b, pledge_b, donation_b = two_companies
    receipt_b = donation_b.receipts.get()
    donor_b = donation_b.donor
    year = timezone.localdate().year
    urls = [
        reverse("donations:pledge", args=[pledge_b.pk]),
        reverse("donations:receipt_pdf", args=[receipt_b.number]),
        reverse("donations:statement", args=[donor_b.pk, year]),
    ]
    client.force_login(rep_a)
    for url in urls:
        assert client.get(url).status_code == 404, url
    for action in ("pledge_pay", "pledge_cancel"):
        assert client.post(reverse(f"donations:{action}", args=[pledge_b.pk])).status_code == 404
    giving = client.get(reverse("donations:giving")).content.decode()
    assert receipt_b.number not in giving and "321.00" not in giving
    # guessing nearby ids and numbers shows nothing either
    for guess in (pledge_b.pk + 1, pledge_b.pk - 1):
        assert client.get(reverse("donations:pledge", args=[guess])).status_code == 404
    client.force_login(rep_b)
    for url in urls:
        assert client.get(url).status_code == 200, url
    assert receipt_b.number in client.get(reverse("donations:giving")).content.decode()


def test_anonymous_visitors_are_sent_to_sign_in(client, two_companies):
    _, _, _, pledge_b, donation_b = two_companies
    response = client.get(reverse("donations:receipt_pdf", args=[donation_b.receipts.get().number]))
    assert response.status_code == 302 and reverse("account_login") in response["Location"]


def test_public_verification_shows_only_the_receipt(client, two_companies):
    *_, donation_b = two_companies
    receipt = donation_b.receipts.get()
    page = client.get(reverse("donations:receipt_verify", args=[receipt.verification_code]))
    assert page.status_code == 200 and receipt.number in page.content.decode()
    assert client.get(reverse("donations:receipt_verify", args=["not-a-code"])).status_code == 404


def test_transparency_shows_names_only_where_allowed(client):
    shown = f.organisation(name="显名公司")
    hidden = f.organisation(name="匿名公司")
    fund = fund_general()
    admin = f.fund_administrator()
    from donations.services import offline

    for org, show in ((shown, True), (hidden, False)):
        offline.offline_income_record(
            donor=donors.donor_for_organisation(organisation=org),
            fund=fund,
            amount=Decimal("66"),
            method="bank_transfer",
            reference=f"T-{org.pk}",
            received_at=timezone.now(),
            show_name=show,
            by=admin,
        )
    page = client.get("/en/transparency/").content.decode()
    recent = page.split("Recent gifts")[1].split("Our member companies")[0]
    assert shown.display_name in recent
    assert hidden.display_name not in recent
    assert "A caring company" in recent
