"""Posting to the ledger. Every movement of money or valued goods goes through entry_post."""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import transaction

from accounts.models import User
from charity.models import Account, Fund, LedgerEntry, LedgerLeg
from core.money import quantize


class LedgerError(ValueError):
    """A posting that would break the ledger's rules; nothing was written."""


@dataclass(frozen=True)
class Leg:
    account: Account
    amount: Decimal  # debit positive, credit negative

    @property
    def currency(self) -> str:
        return self.account.currency


def account_get(*, kind: str, currency: str | None = None, fund: Fund | None = None) -> Account:
    """The one account of a kind (per fund and currency), created on first use."""
    currency = (currency or settings.WISHPOOL_CURRENCY).upper()
    code = ":".join(part for part in (kind, fund.code if fund else "", currency) if part)
    account, _ = Account.objects.get_or_create(
        code=code, defaults={"kind": kind, "fund": fund, "currency": currency}
    )
    return account


def fund_general() -> Fund:
    return Fund.objects.get(code="general")


def _check(legs: Sequence[Leg]) -> None:
    if len(legs) < 2:
        raise LedgerError("An entry needs at least two legs.")
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for leg in legs:
        amount = quantize(leg.amount, leg.currency)
        if amount == 0:
            raise LedgerError("A leg of zero is not allowed.")
        totals[leg.currency] += amount
    unbalanced = {ccy: total for ccy, total in totals.items() if total != 0}
    if unbalanced:
        raise LedgerError(f"Entry does not balance: {unbalanced}")


def entry_post(
    *,
    kind: str,
    memo: str,
    legs: Sequence[Leg],
    reference: str | None = None,
    created_by: User | None = None,
    reverses: LedgerEntry | None = None,
) -> LedgerEntry:
    """Post one balanced entry. With a reference, posting again returns the first entry.

    Callers that post from a domain transition lock their own row first, so two posts of
    the same reference do not race; the unique reference is the last guard.
    """
    with transaction.atomic():
        if reference:
            existing = LedgerEntry.objects.filter(reference=reference).first()
            if existing is not None:
                return existing
        _check(legs)
        entry = LedgerEntry.objects.create(
            kind=kind,
            memo=memo[:255],
            reference=reference,
            created_by=created_by,
            reverses=reverses,
        )
        LedgerLeg.objects.bulk_create(
            LedgerLeg(
                entry=entry,
                account=leg.account,
                amount=quantize(leg.amount, leg.currency),
                currency=leg.currency,
            )
            for leg in legs
        )
        return entry


def disbursement_request(*, from_fund: Fund, to_fund: Fund, amount: Decimal, reason: str, by: User):  # type: ignore[no-untyped-def]
    """Ask to move money out of a fund; someone other than the requester must approve."""
    from django.core.exceptions import PermissionDenied, ValidationError

    from accounts.selectors import is_fund_administrator
    from charity.models import Disbursement

    if not is_fund_administrator(by):
        raise PermissionDenied
    amount = quantize(amount)
    if amount <= 0:
        raise ValidationError("The amount must be more than zero.")
    return Disbursement.objects.create(
        from_fund=from_fund,
        to_fund=to_fund,
        amount=amount,
        reason=reason.strip()[:255],
        requested_by=by,
    )


def disbursement_approve(*, disbursement_id: int, by: User):  # type: ignore[no-untyped-def]
    """Four eyes: the approver is a fund administrator other than the requester. On approval
    the ledger moves the money; a wish it funds is reserved in the same transaction."""
    from django.core.exceptions import PermissionDenied, ValidationError
    from django.utils import timezone
    from django.utils.translation import gettext as _

    from accounts.selectors import is_fund_administrator
    from charity import selectors
    from charity.models import Disbursement
    from core.services import transition_record

    if not is_fund_administrator(by):
        raise PermissionDenied
    with transaction.atomic():
        item = Disbursement.objects.select_for_update().get(pk=disbursement_id)
        if item.status == Disbursement.Status.APPROVED:
            return item
        if item.status != Disbursement.Status.REQUESTED:
            raise ValidationError(_("This disbursement was already decided."))
        if item.requested_by_id == by.pk:
            raise PermissionDenied(
                _("A disbursement must be approved by someone other than its requester.")
            )
        # One approval at a time per fund, so two cannot both spend the same balance.
        Fund.objects.select_for_update().get(pk=item.from_fund_id)
        balance = selectors.fund_balances(fund_ids=[item.from_fund_id])[0]["balance"]
        if balance < item.amount:
            raise ValidationError(_("The fund does not hold enough money."))
        if item.to_fund.kind == Fund.Kind.WISH:
            from wishes.services.chipins import wish_disbursement_reserve

            wish_disbursement_reserve(to_fund=item.to_fund, amount=item.amount)
        item.entry = entry_post(
            kind=LedgerEntry.Kind.TRANSFER,
            memo=f"{item.from_fund.name} → {item.to_fund.name}: {item.reason}",
            legs=[
                Leg(account_get(kind=Account.Kind.FUND, fund=item.from_fund), item.amount),
                Leg(account_get(kind=Account.Kind.FUND, fund=item.to_fund), -item.amount),
            ],
            reference=f"disbursement:{item.pk}",
            created_by=by,
        )
        item.status, item.decided_by, item.decided_at = (
            Disbursement.Status.APPROVED,
            by,
            timezone.now(),
        )
        item.save(update_fields=["entry", "status", "decided_by", "decided_at"])
        transition_record(obj=item, from_state="requested", to_state="approved", by=by)
        if item.to_fund.kind == Fund.Kind.WISH:
            from wishes.services.chipins import wish_mark_funded_if_complete

            wish_mark_funded_if_complete(wish_id=item.to_fund.wish.pk)
        return item


def entry_reverse(
    *, entry: LedgerEntry, memo: str, reference: str | None = None, created_by: User | None = None
) -> LedgerEntry:
    """A correction: a new entry with every leg negated. An entry is reversed at most once."""
    with transaction.atomic():
        existing = LedgerEntry.objects.filter(reverses=entry).first()
        if existing is not None:
            return existing
        legs = [
            Leg(account=leg.account, amount=-leg.amount)
            for leg in entry.legs.select_related("account")
        ]
        return entry_post(
            kind=LedgerEntry.Kind.REVERSAL,
            memo=memo,
            legs=legs,
            reference=reference or f"reversal:{entry.pk}",
            created_by=created_by,
            reverses=entry,
        )
