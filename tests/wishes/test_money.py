"""Money for wishes: chip-ins through Stripe (localstripe) and the webhook; from the pool."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from charity import selectors as charity_selectors
from charity.models import Disbursement
from charity.selectors import fund_general
from charity.services import disbursement_approve
from donations.models import Donation, Receipt
from tests.accounts import factories as f
from tests.donations import stripe_harness as h
from tests.donations.helpers import offline_gift
from tests.wishes import factories as wf
from wishes.models import ChipIn, Wish
from wishes.selectors import wish_raised
from wishes.services import chipins

pytestmark = [pytest.mark.django_db, pytest.mark.cjk_pdf]  # receipts are rendered on the way


def _give(client, wish, member, amount):  # type: ignore[no-untyped-def]
    user, org = member
    client.force_login(user)
    data = {"give_as": f"org:{org.pk}", "show_name": "on", "amount": amount}
    quote_page = client.post(reverse("wishes:give", args=[wish.pk]), data)
    return quote_page, client.post(
        reverse("wishes:give", args=[wish.pk]), {**data, "confirm": quote_page.context["quote"]}
    )


def test_chip_in_through_stripe_ends_in_a_receipt_and_the_wish_funded(
    client, stripe_world, django_capture_on_commit_callbacks
):
    wish = wf.wish(kind="money", target_amount=Decimal("100"))
    member = wf.member()
    quote, response = _give(client, wish, member, "60")
    assert quote.context["quote"] == Decimal("60.00") and response.status_code == 302
    session_id = next(iter(stripe_world.boundary.sessions))
    # the hold lasts exactly as long as the one checkout (set by the service, not the view)
    chipin = ChipIn.objects.get(wish=wish)
    assert chipin.expires_at == chipin.pledge.checkouts.get().expires_at
    assert (
        stripe_world.boundary.sent[-1]["params"]["line_items"][0]["price_data"]["unit_amount"]
        == "6000"
    )
    session, _ = stripe_world.complete_checkout(session_id)
    with django_capture_on_commit_callbacks(execute=True):
        h.deliver(client, h.event("checkout.session.completed", session))
    wish.refresh_from_db()
    assert wish_raised(wish) == Decimal("60.00") and wish.status == Wish.Status.OPEN
    donation = Donation.objects.get(fund=wish.fund)
    assert Receipt.objects.filter(donation=donation).exists()
    # the second donor asks for 80 but sees it cut to what is left, 40, before paying
    quote, response = _give(client, wish, wf.member(), "80")
    assert quote.context["quote"] == Decimal("40.00") and quote.context["adjusted"]
    session2 = next(s for s in stripe_world.boundary.sessions if s != session_id)
    session, _ = stripe_world.complete_checkout(session2)
    with django_capture_on_commit_callbacks(execute=True):
        h.deliver(client, h.event("checkout.session.completed", session))
    wish.refresh_from_db()
    assert wish_raised(wish) == Decimal("100.00") and wish.status == Wish.Status.FUNDED
    from portal import content

    content.demo_pages_ensure()
    page = client.get(f"/en/wishes/{wish.pk}/").content.decode()
    assert "¥100.00 received of ¥100.00" in page


def test_expired_checkout_releases_the_hold(
    client, stripe_world, django_capture_on_commit_callbacks
):
    wish = wf.wish(kind="money", target_amount=Decimal("100"))
    _give(client, wish, wf.member(), "100")
    wish.refresh_from_db()
    assert wish.committed_amount == Decimal("100.00")
    # while held, nobody else can take it
    with pytest.raises(ValidationError):
        user, org = wf.member()
        chipins.chipin_start(
            wish=wish, by=user, organisation=org, amount=Decimal("1"), show_name=True
        )
    session = next(iter(stripe_world.boundary.sessions.values()))
    with django_capture_on_commit_callbacks(execute=True):
        h.deliver(client, h.event("checkout.session.expired", {**session, "status": "expired"}))
    wish.refresh_from_db()
    assert wish.committed_amount == 0
    assert ChipIn.objects.get().status == ChipIn.Status.RELEASED


def test_late_payment_for_an_amount_no_longer_needed_goes_to_the_pool(
    client, stripe_world, mailoutbox, django_capture_on_commit_callbacks
):
    wish = wf.wish(kind="money", target_amount=Decimal("50"))
    first = wf.member()
    _give(client, wish, first, "50")
    chipin = ChipIn.objects.get()
    chipins.chipin_release(chipin=chipin, reason="hold expired")  # the 30 minutes passed
    second = wf.member()
    user, org = second
    other = chipins.chipin_start(
        wish=wish, by=user, organisation=org, amount=Decimal("50"), show_name=True
    )
    ChipIn.objects.filter(pk=other.pk).update(status=ChipIn.Status.PAID)  # someone else filled it
    session_id = next(iter(stripe_world.boundary.sessions))
    session, _ = stripe_world.complete_checkout(session_id)  # …and then the first payment arrives
    pool_before = {r["fund"].code: r["balance"] for r in charity_selectors.fund_balances()}[
        "general"
    ]
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        h.deliver(client, h.event("checkout.session.completed", session))
    donation = Donation.objects.get(pledge=chipin.pledge)
    assert donation.fund.code == "general"
    pool_after = {r["fund"].code: r["balance"] for r in charity_selectors.fund_balances()}[
        "general"
    ]
    assert pool_after - pool_before == Decimal("50.00")
    wish.refresh_from_db()
    assert wish.committed_amount == Decimal("50.00")  # never over the target
    assert any(first[0].email in m.to for m in mailoutbox)


def test_wish_funded_from_the_pool_needs_a_second_administrator():
    offline_gift(amount="1000")
    wish = wf.wish(kind="money", target_amount=Decimal("300"))
    asker, approver = f.fund_administrator(), f.fund_administrator()
    item = chipins.wish_fund_from_pool_request(wish=wish, amount=None, by=asker)
    with pytest.raises(PermissionDenied):
        disbursement_approve(disbursement_id=item.pk, by=asker)
    with pytest.raises(PermissionDenied):
        disbursement_approve(disbursement_id=item.pk, by=f.worker())
    pool_before = charity_selectors.pool_totals()["balance"]
    general_before = {r["fund"].code: r["balance"] for r in charity_selectors.fund_balances()}[
        "general"
    ]
    disbursement_approve(disbursement_id=item.pk, by=approver)
    disbursement_approve(disbursement_id=item.pk, by=approver)  # repeat: quiet
    item.refresh_from_db()
    wish.refresh_from_db()
    assert item.status == Disbursement.Status.APPROVED and wish.status == Wish.Status.FUNDED
    general_after = {r["fund"].code: r["balance"] for r in charity_selectors.fund_balances()}[
        "general"
    ]
    assert general_before - general_after == Decimal("300.00")
    assert charity_selectors.pool_totals()["balance"] == pool_before  # moved, not spent
    assert wish_raised(wish) == Decimal("300.00")


def test_the_pool_cannot_give_what_it_does_not_hold():
    wish = wf.wish(kind="money", target_amount=Decimal("300"))
    general = fund_general()
    balance = {r["fund"].code: r["balance"] for r in charity_selectors.fund_balances()}["general"]
    from charity.services import disbursement_request

    item = disbursement_request(
        from_fund=general,
        to_fund=wish.fund,
        amount=balance + Decimal("1"),
        reason="x",
        by=f.fund_administrator(),
    )
    with pytest.raises(ValidationError):
        disbursement_approve(disbursement_id=item.pk, by=f.fund_administrator())


def test_refunding_a_chip_in_reopens_the_wish(
    client, stripe_world, django_capture_on_commit_callbacks
):
    from donations.services.refunds import refund_request

    wish = wf.wish(kind="money", target_amount=Decimal("80"))
    _give(client, wish, wf.member(), "80")
    session, _ = stripe_world.complete_checkout(next(iter(stripe_world.boundary.sessions)))
    with django_capture_on_commit_callbacks(execute=True):
        h.deliver(client, h.event("checkout.session.completed", session))
    wish.refresh_from_db()
    assert wish.status == Wish.Status.FUNDED
    donation = Donation.objects.get(fund=wish.fund)
    with django_capture_on_commit_callbacks(execute=True):
        refund_request(
            donation=donation, amount=Decimal("80"), reason="捐错了", by=f.fund_administrator()
        )
    wish.refresh_from_db()
    # it holds nothing any more: the refund went back out of its fund
    assert (
        wish.status == Wish.Status.OPEN
        and wish.committed_amount == 0
        and wish_raised(wish) == Decimal("0.00")
    )
    from charity import selectors as cs

    assert {r["fund"].pk: r["balance"] for r in cs.fund_balances()}[wish.fund_id] == 0


def test_a_chip_in_cannot_be_paid_twice(client, stripe_world, django_capture_on_commit_callbacks):
    from donations.services import pledges
    from donations.services.pledges import IllegalMove

    wish = wf.wish(kind="money", target_amount=Decimal("100"))
    _give(client, wish, wf.member(), "40")
    chipin = ChipIn.objects.get()
    pledge = chipin.pledge
    with pytest.raises(IllegalMove):
        pledges.checkout_start(pledge=pledge, success_url="http://t/s", cancel_url="http://t/c")
    # a second payment for the same chip-in (e.g. two tabs) goes to the pool, not the wish
    session, _ = stripe_world.complete_checkout(next(iter(stripe_world.boundary.sessions)))
    extra = stripe_world.pay(amount_minor=4000, metadata={"pledge_id": str(pledge.pk)})
    with django_capture_on_commit_callbacks(execute=True):
        h.deliver(client, h.event("checkout.session.completed", session))
        h.deliver(client, h.event("payment_intent.succeeded", extra))
    wish.refresh_from_db()
    assert wish_raised(wish) == Decimal("40.00") and wish.committed_amount == Decimal("40.00")
    assert Donation.objects.get(stripe_payment_intent=extra["id"]).fund.code == "general"


def test_overflow_is_refunded_when_the_fund_says_so(
    client, stripe_world, settings, mailoutbox, django_capture_on_commit_callbacks
):
    from donations.models import Refund

    settings.WISHPOOL_WISH_OVERFLOW = "refund"
    wish = wf.wish(kind="money", target_amount=Decimal("30"))
    first = wf.member()
    _give(client, wish, first, "30")
    chipin = ChipIn.objects.get()
    chipins.chipin_release(chipin=chipin, reason="hold expired")
    user, org = wf.member()
    other = chipins.chipin_start(
        wish=wish, by=user, organisation=org, amount=Decimal("30"), show_name=True
    )
    ChipIn.objects.filter(pk=other.pk).update(status=ChipIn.Status.PAID)
    session, _ = stripe_world.complete_checkout(next(iter(stripe_world.boundary.sessions)))
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        h.deliver(client, h.event("checkout.session.completed", session))
    donation = Donation.objects.get(pledge=chipin.pledge)
    assert donation.fund.code == "general" and donation.status == "refunded"
    assert Refund.objects.get(donation=donation).status == "succeeded"
    assert any(first[0].email in m.to for m in mailoutbox)


def test_a_confirmed_chip_in_is_never_charged_a_different_amount(
    client, stripe_world, django_capture_on_commit_callbacks
):
    """A donor confirmed ¥40; meanwhile someone else gave, leaving ¥20. Nothing is charged
    until the donor confirms the new amount."""
    wish = wf.wish(kind="money", target_amount=Decimal("100"))
    user, org = wf.member()
    client.force_login(user)
    data = {"give_as": f"org:{org.pk}", "show_name": "on", "amount": "40"}
    quote_page = client.post(reverse("wishes:give", args=[wish.pk]), data)
    assert quote_page.context["quote"] == Decimal("40.00")
    _give(client, wish, wf.member(), "80")  # another donor holds 80: 20 is left
    client.force_login(user)
    sessions = len(stripe_world.boundary.sessions)
    again = client.post(reverse("wishes:give", args=[wish.pk]), {**data, "confirm": "40.00"})
    assert again.status_code == 200 and again.context["changed"]
    assert again.context["quote"] == Decimal("20.00")
    assert "¥20.00" in again.content.decode()
    assert len(stripe_world.boundary.sessions) == sessions  # nothing sent to Stripe
    assert ChipIn.objects.filter(pledge__created_by=user).count() == 0
    paid = client.post(reverse("wishes:give", args=[wish.pk]), {**data, "confirm": "20.00"})
    assert paid.status_code == 302
    sent = stripe_world.boundary.sent[-1]["params"]["line_items"][0]["price_data"]
    assert sent["unit_amount"] == "2000"


def test_chip_in_service_refuses_an_amount_no_longer_needed():
    wish = wf.wish(kind="money", target_amount=Decimal("50"))
    user, org = wf.member()
    with pytest.raises(chipins.AmountChanged) as refused:
        chipins.chipin_start(
            wish=wish, by=user, organisation=org, amount=Decimal("80"), show_name=False
        )
    assert refused.value.new_amount == Decimal("50.00")
    wish.refresh_from_db()
    assert wish.committed_amount == 0 and not ChipIn.objects.filter(wish=wish).exists()


def test_the_wish_page_and_the_board_say_the_same_after_a_refund(
    client, stripe_world, django_capture_on_commit_callbacks
):
    """A chip-in, money from the pool and a ¥10 refund: both pages show ¥290 received and
    ¥10 still needed."""
    from donations.services.refunds import refund_request
    from portal import content

    content.demo_pages_ensure()
    offline_gift(amount="1000")
    wish = wf.wish(kind="money", target_amount=Decimal("300"))
    _give(client, wish, wf.member(), "100")
    session, _ = stripe_world.complete_checkout(next(iter(stripe_world.boundary.sessions)))
    with django_capture_on_commit_callbacks(execute=True):
        h.deliver(client, h.event("checkout.session.completed", session))
    item = chipins.wish_fund_from_pool_request(wish=wish, amount=None, by=f.fund_administrator())
    disbursement_approve(disbursement_id=item.pk, by=f.fund_administrator())
    donation = Donation.objects.get(fund=wish.fund)
    with django_capture_on_commit_callbacks(execute=True):
        refund_request(donation=donation, amount=Decimal("10"), reason="多付", by=None)
    client.logout()
    detail = client.get(f"/en/wishes/{wish.pk}/").content.decode()
    board = client.get("/en/wishes/").content.decode()
    for page in (detail, board):
        assert "¥290.00 received of ¥300.00" in page
        assert "¥10.00" in page
    assert "¥300.00 received" not in detail
