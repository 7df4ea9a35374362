"""Refunds, disputes and recurring charges through localstripe; the two shapes of Stripe objects."""

from decimal import Decimal

import pytest
from django.db.models import Sum

from charity import selectors as charity_selectors
from charity.models import LedgerLeg
from charity.selectors import fund_general
from donations import stripe_gateway as gw
from donations.models import Donation, Pledge, Receipt, Refund
from donations.services import pledges, refunds
from tests.accounts import factories as f
from tests.donations import stripe_harness as h
from tests.donations.helpers import paid_donation

pytestmark = [pytest.mark.django_db, pytest.mark.cjk_pdf]  # receipts are rendered on the way


def _ledger_balanced() -> bool:
    return all(
        row["t"] == 0 for row in LedgerLeg.objects.values("currency").annotate(t=Sum("amount"))
    )


def _pool() -> Decimal:
    return {r["fund"].code: r["balance"] for r in charity_selectors.fund_balances()}["general"]


def test_partial_then_full_refund(client, stripe_world, django_capture_on_commit_callbacks):
    donation, intent = paid_donation(client, stripe_world, django_capture_on_commit_callbacks)
    admin = f.fund_administrator()
    pool_before = _pool()
    original = donation.receipts.get()
    with django_capture_on_commit_callbacks(execute=True):
        refunds.refund_request(
            donation=donation, amount=Decimal("300"), reason="捐错金额", by=admin
        )
    donation.refresh_from_db()
    assert donation.refunded_amount == Decimal("300.00") and donation.status == "partially_refunded"
    assert _pool() == pool_before - Decimal("300.00")
    original.refresh_from_db()
    assert original.status == "void" and "捐错金额" in original.void_reason
    replacement = Receipt.objects.get(replaces=original)
    assert replacement.amount == Decimal("700.00") and replacement.status == "valid"
    # Stripe's charge.refunded for the same refund, twice: nothing more happens
    charge = stripe_world.charge_of(intent)
    with django_capture_on_commit_callbacks(execute=True):
        h.deliver(client, h.event("charge.refunded", charge))
        h.deliver(client, h.event("charge.refunded", charge))
    assert Refund.objects.filter(donation=donation, status="succeeded").count() == 1
    assert _pool() == pool_before - Decimal("300.00")
    # the rest
    with django_capture_on_commit_callbacks(execute=True):
        refunds.refund_request(
            donation=donation, amount=Decimal("700"), reason="全部退回", by=admin
        )
    donation.refresh_from_db()
    assert donation.status == "refunded" and donation.kept_amount == 0
    replacement.refresh_from_db()
    assert replacement.status == "void"
    assert not Receipt.objects.filter(donation=donation, status="valid").exists()
    assert _pool() == pool_before - Decimal("1000.00")
    assert _ledger_balanced()


def test_refund_beyond_what_is_left_is_refused(
    client, stripe_world, django_capture_on_commit_callbacks
):
    from django.core.exceptions import ValidationError

    donation, _ = paid_donation(
        client, stripe_world, django_capture_on_commit_callbacks, amount="100"
    )
    with pytest.raises(ValidationError):
        refunds.refund_request(
            donation=donation, amount=Decimal("100.01"), reason="x", by=f.fund_administrator()
        )
    assert not Refund.objects.exists()


def test_refund_made_at_stripe_is_recorded_from_the_webhook(
    client, stripe_world, django_capture_on_commit_callbacks
):
    donation, intent = paid_donation(
        client, stripe_world, django_capture_on_commit_callbacks, amount="200"
    )
    stripe_world.sdk.v1.refunds.create(params={"payment_intent": intent["id"], "amount": 5000})
    charge = stripe_world.charge_of(intent)
    with django_capture_on_commit_callbacks(execute=True):
        h.deliver(client, h.event("charge.refunded", charge))
        h.deliver(client, h.event("charge.refunded", charge))
    donation.refresh_from_db()
    assert donation.refunded_amount == Decimal("50.00")
    assert Refund.objects.get().requested_by is None
    assert _ledger_balanced()


def test_dispute_moves_the_money_to_suspense_once(
    client, stripe_world, django_capture_on_commit_callbacks
):
    donation, intent = paid_donation(
        client, stripe_world, django_capture_on_commit_callbacks, amount="300"
    )
    charge = stripe_world.charge_of(intent)
    dispute = {
        "id": "dp_test_1",
        "object": "dispute",
        "charge": charge["id"],
        "amount": 30000,
        "currency": "cny",
        "reason": "fraudulent",
        "payment_intent": intent["id"],
    }
    with django_capture_on_commit_callbacks(execute=True):
        h.deliver(client, h.event("charge.dispute.created", dispute))
        h.deliver(client, h.event("charge.dispute.created", dispute))
    donation.refresh_from_db()
    assert donation.status == "disputed"
    suspense = LedgerLeg.objects.filter(account__kind="suspense").aggregate(t=Sum("amount"))["t"]
    assert suspense == Decimal("300.00")


def _subscribe(stripe_world, pledge: Pledge) -> dict:
    sdk = stripe_world.sdk
    customer = sdk.v1.customers.create(
        params={
            "email": "rep@example.org",
            "payment_method": "pm_card_visa",
            "invoice_settings": {"default_payment_method": "pm_card_visa"},
        }
    )
    product = sdk.v1.products.create(params={"name": "pool"})
    plan = sdk.v1.plans.create(
        params={
            "amount": int(pledge.amount * 100),
            "currency": "cny",
            "interval": "month",
            "product": product.id,
        }
    )
    return sdk.v1.subscriptions.create(
        params={
            "customer": customer.id,
            "items": [{"plan": plan.id}],
            "metadata": {"pledge_id": str(pledge.pk)},
        }
    ).to_dict()


@pytest.mark.parametrize("invoice_first", [True, False])
def test_first_charge_of_a_subscription_is_counted_once(
    client, stripe_world, django_capture_on_commit_callbacks, invoice_first
):
    org = f.organisation()
    pledge = pledges.pledge_create(
        user=org.memberships.get().user,
        organisation=org,
        kind="money",
        fund=fund_general(),
        show_name=True,
        amount=Decimal("200"),
        interval="month",
    )
    checkout = pledges.checkout_start(
        pledge=pledge, success_url="http://t/s", cancel_url="http://t/c"
    )
    subscription = _subscribe(stripe_world, pledge)
    invoice = stripe_world.sdk.v1.invoices.retrieve(
        gw._id(subscription["latest_invoice"])
    ).to_dict()
    intent = stripe_world.sdk.v1.payment_intents.retrieve(
        gw.invoice_payment_intent_id(invoice)
    ).to_dict()
    session = {
        **stripe_world.boundary.sessions[checkout.stripe_session_id],
        "status": "complete",
        "payment_status": "paid",
        "subscription": subscription["id"],
        "customer": subscription["customer"],
    }
    events = [
        h.event("invoice.payment_succeeded", invoice),
        h.event("checkout.session.completed", session),
        h.event("payment_intent.succeeded", intent),
        h.event("invoice.paid", invoice),
    ]
    if not invoice_first:
        events.reverse()
    with django_capture_on_commit_callbacks(execute=True):
        for evt in events:
            assert h.deliver(client, evt).status_code == 200
    donation = Donation.objects.get()
    assert donation.stripe_invoice == invoice["id"] and donation.amount == Decimal("200.00")
    assert donation.stripe_payment_intent is None
    pledge.refresh_from_db()
    assert (
        pledge.status == Pledge.Status.ACTIVE
        and pledge.stripe_subscription_id == subscription["id"]
    )
    assert Receipt.objects.count() == 1


def test_cancelling_a_recurring_pledge_stops_it_at_stripe(
    client, stripe_world, django_capture_on_commit_callbacks
):
    org = f.organisation()
    rep = org.memberships.get().user
    pledge = pledges.pledge_create(
        user=rep,
        organisation=org,
        kind="money",
        fund=fund_general(),
        show_name=True,
        amount=Decimal("100"),
        interval="year",
    )
    subscription = _subscribe(stripe_world, pledge)
    invoice = stripe_world.sdk.v1.invoices.retrieve(
        gw._id(subscription["latest_invoice"])
    ).to_dict()
    with django_capture_on_commit_callbacks(execute=True):
        h.deliver(client, h.event("invoice.paid", invoice))
    client.force_login(rep)
    response = client.post(f"/pledge/{pledge.pk}/cancel/")
    assert response.status_code == 302
    pledge.refresh_from_db()
    assert pledge.status == Pledge.Status.CANCELLED
    assert stripe_world.sdk.v1.subscriptions.retrieve(subscription["id"]).status == "canceled"


# --- both shapes of Stripe objects ----------------------------------------------------------

OLD_INVOICE = {"id": "in_1", "payment_intent": "pi_1", "charge": "ch_1", "subscription": "sub_1"}
NEW_INVOICE = {
    "id": "in_1",
    "parent": {"type": "subscription_details", "subscription_details": {"subscription": "sub_1"}},
    "payments": {
        "data": [
            {"payment": {"type": "payment_intent", "payment_intent": "pi_1", "charge": "ch_1"}}
        ]
    },
}


@pytest.mark.parametrize("invoice", [OLD_INVOICE, NEW_INVOICE], ids=["old", "new"])
def test_invoice_readers_accept_both_shapes(invoice):
    assert gw.invoice_payment_intent_id(invoice) == "pi_1"
    assert gw.invoice_charge_id(invoice) == "ch_1"
    assert gw.invoice_subscription_id(invoice) == "sub_1"


def test_payment_intent_reader_accepts_both_shapes():
    assert gw.payment_intent_charge_id({"latest_charge": {"id": "ch_2"}}) == "ch_2"
    assert gw.payment_intent_charge_id({"latest_charge": "ch_2"}) == "ch_2"
    assert (
        gw.payment_intent_charge_id({"charges": {"data": [{"id": "ch_1"}, {"id": "ch_3"}]}})
        == "ch_3"
    )
    assert gw.payment_intent_charge_id({}) is None


def test_fees_and_exchange_come_from_the_balance_transaction_and_reconcile(
    client, stripe_world, django_capture_on_commit_callbacks
):
    from charity.models import Account
    from donations.reconcile import stripe_reconciliation

    org = f.organisation()
    pledge = pledges.pledge_create(
        user=org.memberships.get().user,
        organisation=org,
        kind="money",
        fund=fund_general(),
        show_name=True,
        amount=Decimal("1000"),
    )
    checkout = pledges.checkout_start(
        pledge=pledge, success_url="http://t/s", cancel_url="http://t/c"
    )
    session, intent = stripe_world.complete_checkout(checkout.stripe_session_id)
    charge = stripe_world.charge_of(intent)
    stripe_world.boundary.settlements[charge["id"]] = (
        "hkd",
        1.09,
        3941,
    )  # HK$1,090.00 gross, HK$39.41 fee
    pool_before = _pool()
    with django_capture_on_commit_callbacks(execute=True):
        h.deliver(client, h.event("checkout.session.completed", session))

    def balance(kind, currency, fund=None):  # type: ignore[no-untyped-def]
        legs = LedgerLeg.objects.filter(account__kind=kind, currency=currency)
        if fund:
            legs = legs.filter(account__fund__code=fund)
        return legs.aggregate(t=Sum("amount"))["t"] or Decimal(0)

    assert balance(Account.Kind.FUND, "CNY", "general") == Decimal("-1000.00")  # the gift, gross
    assert balance(Account.Kind.STRIPE_FEES, "CNY", "general") == Decimal(
        "36.16"
    )  # 39.41 × 1000 / 1090
    assert balance(Account.Kind.STRIPE_CLEARING, "HKD") == Decimal(
        "1050.59"
    )  # what Stripe holds for us
    assert balance(Account.Kind.EXCHANGE, "CNY") == Decimal("963.84")
    assert balance(Account.Kind.EXCHANGE, "HKD") == Decimal("-1050.59")
    assert _pool() - pool_before == Decimal("963.84")  # the pool counts what is left after fees
    assert _ledger_balanced()
    report = stripe_reconciliation()
    hkd = next(row for row in report["rows"] if row["currency"] == "HKD")
    assert hkd["stripe"] == hkd["ledger"] == Decimal("1050.59") and hkd["difference"] == 0
    assert charge["balance_transaction"] not in {u["id"] for u in report["unmatched"]}


def test_settlement_legs_without_exchange_or_fee():
    from charity.models import Account
    from donations.services.gifts import Settlement, stripe_income_legs

    fund = fund_general()
    same = stripe_income_legs(
        fund=fund,
        amount=Decimal("100"),
        currency="CNY",
        settlement=Settlement("CNY", Decimal("100"), Decimal("3.20")),
    )
    assert {(leg.account.kind, leg.amount) for leg in same} == {
        (Account.Kind.STRIPE_CLEARING, Decimal("100")),
        (Account.Kind.FUND, Decimal("-100")),
        (Account.Kind.STRIPE_FEES, Decimal("3.20")),
        (Account.Kind.STRIPE_CLEARING, Decimal("-3.20")),
    }
    bare = stripe_income_legs(fund=fund, amount=Decimal("50"), currency="CNY", settlement=None)
    assert sum(leg.amount for leg in bare) == 0 and len(bare) == 2


def test_refund_events_and_charges_without_a_refund_list_are_recorded(
    client, stripe_world, django_capture_on_commit_callbacks
):
    """Current API versions no longer list refunds on a charge; refund.* events carry them."""
    donation, intent = paid_donation(
        client, stripe_world, django_capture_on_commit_callbacks, amount="100"
    )
    refund = stripe_world.sdk.v1.refunds.create(
        params={"payment_intent": intent["id"], "amount": 2000}
    ).to_dict()
    with django_capture_on_commit_callbacks(execute=True):
        h.deliver(client, h.event("refund.created", refund))
    donation.refresh_from_db()
    assert donation.refunded_amount == Decimal("20.00")
    second = stripe_world.sdk.v1.refunds.create(
        params={"payment_intent": intent["id"], "amount": 3000}
    ).to_dict()
    charge = stripe_world.charge_of(intent)
    charge.pop("refunds", None)  # the current shape
    with django_capture_on_commit_callbacks(execute=True):
        h.deliver(client, h.event("charge.refunded", charge))
        h.deliver(client, h.event("refund.updated", second))
    donation.refresh_from_db()
    assert donation.refunded_amount == Decimal("50.00")
    assert Refund.objects.filter(donation=donation).count() == 2
