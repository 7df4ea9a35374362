"""Recording a gift: the donation row, its balanced ledger entry and its numbered receipt,
all in one transaction, so none exists without the others."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from charity.models import Account, Fund, LedgerEntry
from charity.purposes import fund_purpose
from charity.selectors import fund_general
from charity.services import Leg, account_get, accounts_get, entry_write
from core.money import from_minor, quantize
from donations import stripe_gateway as gw
from donations.models import Donation, Donor, Pledge
from donations.services.receipts import receipt_issue


@dataclass(frozen=True)
class Settlement:
    """What Stripe's balance transaction says reached our balance, in its currency."""

    currency: str
    gross: Decimal
    fee: Decimal

    @classmethod
    def from_balance_transaction(cls, txn: dict[str, Any]) -> "Settlement":
        currency = str(txn["currency"]).upper()
        return cls(
            currency=currency,
            gross=from_minor(int(txn["amount"]), currency),
            fee=from_minor(int(txn.get("fee") or 0), currency),
        )


def settlement_of(stripe_object: dict[str, Any]) -> Settlement | None:
    """What reached (or left) our Stripe balance for a charge or a refund, from its balance
    transaction (fetched if the object only names it); None if Stripe has not settled it."""
    txn = stripe_object.get("balance_transaction")
    if not txn:
        return None
    if isinstance(txn, str):
        txn = gw.balance_transaction_retrieve(txn)
    return Settlement.from_balance_transaction(txn)


def _credit_parts(
    *, amount: Decimal, credits: list[tuple[str, Decimal]] | None
) -> list[tuple[str, Decimal]]:
    """The fund's side of money in: its pool, or the parts its purpose names (a loan's fee to
    the pool, its deposit to the deposits held)."""
    parts = credits or [(Account.Kind.FUND, amount)]
    if sum((part for _kind, part in parts), Decimal(0)) != amount:
        raise ValueError(f"credits {parts} do not add up to {amount}")
    return [(kind, part) for kind, part in parts if part]


def _legs(accounts: list[Account], parts: list[tuple[str, Decimal]]) -> list[Leg]:
    return [Leg(account, -part) for account, (_kind, part) in zip(accounts, parts, strict=True)]


def stripe_income_legs(
    *,
    fund: Fund,
    amount: Decimal,
    currency: str,
    settlement: Settlement | None,
    credits: list[tuple[str, Decimal]] | None = None,
) -> list[Leg]:
    """Legs for money that arrived through Stripe: the fund is credited the gift (or the
    parts ``credits`` names); the clearing account holds what Stripe settled; fees and
    exchange are their own legs."""
    parts = _credit_parts(amount=amount, credits=credits)
    wanted = [(kind, fund, currency) for kind, _part in parts]
    if settlement is None:
        *credited, clearing = accounts_get(
            wanted=[*wanted, (Account.Kind.STRIPE_CLEARING, None, currency)]
        )
        return [Leg(clearing, amount), *_legs(credited, parts)]
    # A purpose may count gifts at their full amount: Stripe's fees are then the pool's cost.
    purpose = fund_purpose(fund)
    fee_fund = fund_general() if purpose and purpose[0].fees_to_general_pool else fund
    *credited, clearing, fees = accounts_get(
        wanted=[
            *wanted,
            (Account.Kind.STRIPE_CLEARING, None, settlement.currency),
            (Account.Kind.STRIPE_FEES, fee_fund, currency),
        ]
    )
    fund_side = _legs(credited, parts)
    if settlement.currency == currency:
        legs = [Leg(clearing, settlement.gross), *fund_side]
        if settlement.gross != amount:  # rounding by Stripe: book the difference as exchange
            legs.append(
                Leg(
                    account_get(kind=Account.Kind.EXCHANGE, currency=currency),
                    amount - settlement.gross,
                )
            )
        if settlement.fee:
            legs += [Leg(fees, settlement.fee), Leg(clearing, -settlement.fee)]
        return legs
    exchange_here = account_get(kind=Account.Kind.EXCHANGE, currency=currency)
    exchange_there = account_get(kind=Account.Kind.EXCHANGE, currency=settlement.currency)
    legs = [
        Leg(exchange_here, amount),
        *fund_side,
        Leg(clearing, settlement.gross),
        Leg(exchange_there, -settlement.gross),
    ]
    if settlement.fee:
        fee_here = quantize(settlement.fee * amount / settlement.gross, currency)
        if fee_here:
            legs += [Leg(fees, fee_here), Leg(exchange_here, -fee_here)]
        legs += [Leg(exchange_there, settlement.fee), Leg(clearing, -settlement.fee)]
    return legs


def donation_record(
    *,
    donor: Donor,
    fund: Fund,
    amount: Decimal,
    currency: str,
    method: str,
    legs: list[Leg],
    entry_kind: str = LedgerEntry.Kind.DONATION,
    show_name: bool = True,
    is_gift: bool = True,
    pledge: Pledge | None = None,
    received_at: datetime | None = None,
    stripe_payment_intent: str | None = None,
    stripe_invoice: str | None = None,
    stripe_charge: str = "",
    offline_reference: str | None = None,
    recorded_by: User | None = None,
) -> Donation:
    """Record a gift once: a second call with the same PaymentIntent, invoice or offline
    reference returns the first donation and posts nothing. A payment that is not a gift
    (``is_gift=False``, a loan's fee and deposit) gets no receipt."""
    with transaction.atomic():
        key = _payment_key(stripe_payment_intent, stripe_invoice, offline_reference)
        if key is not None:
            existing = Donation.objects.filter(**{key[0]: key[1]}).first()
            if existing is not None:
                return existing
        return donation_book(
            donor=donor,
            fund=fund,
            amount=amount,
            currency=currency,
            method=method,
            legs=legs,
            entry_kind=entry_kind,
            show_name=show_name,
            is_gift=is_gift,
            pledge=pledge,
            received_at=received_at,
            stripe_payment_intent=stripe_payment_intent,
            stripe_invoice=stripe_invoice,
            stripe_charge=stripe_charge,
            offline_reference=offline_reference,
            recorded_by=recorded_by,
        )


def donation_book(
    *,
    donor: Donor,
    fund: Fund,
    amount: Decimal,
    currency: str,
    method: str,
    legs: list[Leg],
    entry_kind: str = LedgerEntry.Kind.DONATION,
    show_name: bool = True,
    is_gift: bool = True,
    pledge: Pledge | None = None,
    received_at: datetime | None = None,
    stripe_payment_intent: str | None = None,
    stripe_invoice: str | None = None,
    stripe_charge: str = "",
    offline_reference: str | None = None,
    recorded_by: User | None = None,
) -> Donation:
    """Book a gift the caller knows is new: it has looked for the payment under the lock of
    the pledge it belongs to (donation_record looks for callers that hold no such lock). Runs
    in the caller's transaction, with no savepoint of its own; the payment's unique columns and
    the entry's unique reference still refuse a second booking."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("donation_book needs the transaction of the caller that checked")
    key = _payment_key(stripe_payment_intent, stripe_invoice, offline_reference)
    amount = quantize(amount, currency)
    entry = entry_write(
        kind=entry_kind,
        memo=f"{donor.name}: {fund.name}",
        legs=legs,
        reference=f"donation:{key[0]}:{key[1]}" if key else None,
        created_by=recorded_by,
    )
    donation = Donation.objects.create(
        donor=donor,
        pledge=pledge,
        fund=fund,
        method=method,
        amount=amount,
        currency=currency.upper(),
        show_name=show_name,
        is_gift=is_gift,
        received_at=received_at or timezone.now(),
        stripe_payment_intent=stripe_payment_intent,
        stripe_invoice=stripe_invoice,
        stripe_charge=stripe_charge,
        offline_reference=offline_reference,
        entry=entry,
        recorded_by=recorded_by,
    )
    if is_gift:
        receipt_issue(donation=donation)
    return donation


def _payment_key(
    stripe_payment_intent: str | None, stripe_invoice: str | None, offline_reference: str | None
) -> tuple[str, str] | None:
    """The column that makes a payment unique, and its value (none for a gift without one)."""
    if stripe_payment_intent:
        return ("stripe_payment_intent", stripe_payment_intent)
    if stripe_invoice:
        return ("stripe_invoice", stripe_invoice)
    if offline_reference:
        return ("offline_reference", offline_reference)
    return None
