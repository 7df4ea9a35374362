"""Chip in to a whole charity project: one Stripe payment (localstripe) shared among the
project's money wishes, nearest their goal first; the books show each share in its wish's fund;
holds, overflow and refunds behave as a single wish's chip-in does."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from charity import selectors as charity_selectors
from charity.models import LedgerEntry
from donations.models import Donation, Receipt
from donations.services import refunds
from portal import content
from tests.accounts import factories as f
from tests.donations import stripe_harness as h
from tests.wishes import factories as wf
from wishes.models import Campaign, CampaignPage, ProjectGift, Wish
from wishes.selectors import wish_raised
from wishes.services import campaigns, project_gifts
from wishes.services.chipins import AmountChanged

pytestmark = [pytest.mark.django_db, pytest.mark.cjk_pdf]  # receipts are rendered on the way


def _project() -> tuple[Campaign, list[Wish]]:
    worker = f.worker()
    heaters = [
        wf.wish(worker=worker, kind="money", target_amount=Decimal(t), title="取暖器")
        for t in ("300", "100", "200")
    ]
    campaign = campaigns.campaign_create(
        name="冬季送温暖",
        description="",
        organisation=None,
        wishes=heaters,
        by=f.fund_administrator(),
    )
    content.demo_pages_ensure().add_child(
        instance=CampaignPage(title="冬季送温暖", slug="winter", campaign=campaign)
    )
    return campaign, heaters


def _give(client, campaign, member, amount):  # type: ignore[no-untyped-def]
    user, org = member
    client.force_login(user)
    url = reverse("wishes:campaign_give", args=[campaign.pk])
    data = {"give_as": f"org:{org.pk}", "show_name": "on", "amount": amount}
    quote = client.post(url, data)
    return quote, client.post(url, {**data, "confirm": quote.context["quote"]})


def test_one_payment_is_shared_among_the_projects_wishes(
    client, stripe_world, django_capture_on_commit_callbacks
):
    campaign, (big, small, middle) = _project()
    page = client.get(CampaignPage.objects.get().url).content.decode()
    assert reverse("wishes:campaign_give", args=[campaign.pk]) not in page  # not signed in
    member = wf.member()
    client.force_login(member[0])
    page = client.get(CampaignPage.objects.get().url).content.decode()
    assert reverse("wishes:campaign_give", args=[campaign.pk]) in page
    quote, response = _give(client, campaign, member, "450")
    assert quote.context["quote"] == Decimal("450.00") and response.status_code == 302
    gift = ProjectGift.objects.get()
    # nearest the goal first: 100 and 200 in full, 150 of the 300
    assert {s.wish_id: s.amount for s in gift.shares.all()} == {
        small.pk: Decimal("100.00"),
        middle.pk: Decimal("200.00"),
        big.pk: Decimal("150.00"),
    }
    assert Wish.objects.get(pk=big.pk).committed_amount == Decimal("150.00")
    # while held, nobody can take more than is left
    with pytest.raises(AmountChanged) as changed:
        project_gifts.project_gift_start(
            campaign=campaign,
            by=wf.member()[0],
            organisation=None,
            amount=Decimal("151"),
            show_name=False,
        )
    assert changed.value.new_amount == Decimal("150.00")
    session, _ = stripe_world.complete_checkout(next(iter(stripe_world.boundary.sessions)))
    with django_capture_on_commit_callbacks(execute=True):
        h.deliver(client, h.event("checkout.session.completed", session))
    gift.refresh_from_db()
    assert gift.status == ProjectGift.Status.PAID and gift.entry is not None
    assert gift.entry.kind == LedgerEntry.Kind.TRANSFER
    assert [wish_raised(w) for w in (big, small, middle)] == [
        Decimal("150.00"),
        Decimal("100.00"),
        Decimal("200.00"),
    ]
    statuses = {w.pk: w.status for w in Wish.objects.filter(campaign=campaign)}
    assert statuses == {
        big.pk: Wish.Status.OPEN,
        small.pk: Wish.Status.FUNDED,
        middle.pk: Wish.Status.FUNDED,
    }
    donation = Donation.objects.get(pledge=gift.pledge)
    assert Receipt.objects.filter(donation=donation).exists()
    balances = {r["fund"].code: r["balance"] for r in charity_selectors.fund_balances()}
    assert balances[f"project-{campaign.pk}"] == 0  # all of it moved on to the wishes
    # a repeat of the event changes nothing
    with django_capture_on_commit_callbacks(execute=True):
        h.deliver(client, h.event("checkout.session.completed", session))
    assert wish_raised(big) == Decimal("150.00") and Donation.objects.count() == 1
    # refunding the whole gift at once is refused: its money now sits in three wishes
    with pytest.raises(ValidationError, match="已分配给其中的心愿"):  # zh-hans, the default
        refunds.refund_request(donation=donation, amount=Decimal("10"), reason="x", by=None)
    assert not donation.refunds.exists()
    # and the page says what is still needed
    page = client.get(reverse("wishes:campaign_give", args=[campaign.pk]))
    assert page.context["needed"] == Decimal("150.00")


def test_an_expired_checkout_frees_every_share(
    client, stripe_world, django_capture_on_commit_callbacks
):
    campaign, heaters = _project()
    _give(client, campaign, wf.member(), "600")
    assert sum(Wish.objects.get(pk=w.pk).committed_amount for w in heaters) == Decimal("600")
    session = next(iter(stripe_world.boundary.sessions.values()))
    with django_capture_on_commit_callbacks(execute=True):
        h.deliver(client, h.event("checkout.session.expired", {**session, "status": "expired"}))
    assert sum(Wish.objects.get(pk=w.pk).committed_amount for w in heaters) == 0
    assert ProjectGift.objects.get().status == ProjectGift.Status.RELEASED


def test_a_late_payment_no_longer_needed_goes_to_the_pool_and_the_donor_is_told(
    client, stripe_world, mailoutbox, django_capture_on_commit_callbacks
):
    campaign, heaters = _project()
    first = wf.member()
    _give(client, campaign, first, "600")
    gift = ProjectGift.objects.get()
    project_gifts.project_gift_release(pledge_id=gift.pledge_id, reason="hold expired")
    user, org = wf.member()
    other = project_gifts.project_gift_start(
        campaign=campaign, by=user, organisation=org, amount=Decimal("600"), show_name=True
    )
    ProjectGift.objects.filter(pk=other.pk).update(status=ProjectGift.Status.PAID)
    session, _ = stripe_world.complete_checkout(
        next(s for s in stripe_world.boundary.sessions)
    )  # the first company's payment arrives after all
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        h.deliver(client, h.event("checkout.session.completed", session))
    donation = Donation.objects.get(pledge=gift.pledge)
    assert donation.fund.code == "general"
    assert sum(Wish.objects.get(pk=w.pk).committed_amount for w in heaters) == Decimal("600")
    assert any(first[0].email in m.to and "冬季送温暖" in m.body for m in mailoutbox)


def test_asking_for_more_than_is_needed_is_cut_before_paying(client, stripe_world):
    campaign, _heaters = _project()
    quote, _response = _give(client, campaign, wf.member(), "5000")
    assert quote.context["quote"] == Decimal("600.00") and quote.context["adjusted"]
