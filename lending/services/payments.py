"""What a loan costs, in the ledger: the fee is income to the lending fund; the deposit is
held (a liability, "deposits held") until the item is back, then returned, or partly kept for
damage (income, with the reason the borrower sees).

Each movement is one balanced entry with a reference naming the loan, posted under the loan's
row lock, so a second click or a retry finds the first entry and posts nothing.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import User
from charity.models import Account, Fund, LedgerEntry
from charity.services import Leg, account_get, entry_post, memo_text
from core.money import quantize
from core.transitions import transition_record
from lending.models import Loan
from lending.services.handover import station_staff_check

LENDING_FUND = "lending"


def lending_fund() -> Fund:
    return Fund.objects.get(code=LENDING_FUND)


def _locked(loan: Loan) -> Loan:
    return (
        Loan.objects.select_for_update(of=("self",))
        .select_related("item__warehouse", "item__type")
        .get(pk=loan.pk)
    )


def loan_payment_legs(*, loan: Loan, debit: Account) -> list[Leg]:
    """Money in for a loan: all of it to ``debit`` (cash, or Stripe's clearing account); the
    fee credited to the lending fund, the deposit to the deposits it holds."""
    fund = lending_fund()
    legs = [Leg(debit, loan.fee + loan.deposit)]
    if loan.fee:
        legs.append(Leg(account_get(kind=Account.Kind.FUND, fund=fund), -loan.fee))
    if loan.deposit:
        legs.append(Leg(account_get(kind=Account.Kind.DEPOSITS_HELD, fund=fund), -loan.deposit))
    return legs


def loan_pay_cash(*, loan: Loan, by: User) -> Loan:
    """The borrower paid the fee and the deposit in cash at the station; the worker records
    it before handing the item out. A repeat returns the loan as it is."""
    with transaction.atomic():
        locked = _locked(loan)
        station_staff_check(by=by, item=locked.item)
        if locked.paid_at is not None:
            return locked
        if locked.free or not (locked.fee or locked.deposit):
            raise ValidationError(_("This loan is free: there is nothing to pay."))
        if locked.status not in Loan.HOLDING:
            raise ValidationError(_("This loan is closed."))
        entry_post(
            kind=LedgerEntry.Kind.FEE,
            memo=memo_text(
                gettext_noop("Loan #%(id)s (%(tag)s): fee %(fee)s and deposit %(deposit)s in cash"),
                id=locked.pk,
                tag=locked.item.tag,
                fee=locked.fee,
                deposit=locked.deposit,
            ),
            legs=loan_payment_legs(loan=locked, debit=account_get(kind=Account.Kind.CASH)),
            reference=f"loan:{locked.pk}:paid",
            created_by=by,
        )
        locked.paid_at, locked.paid_by = timezone.now(), Loan.Payment.CASH
        locked.save(update_fields=["paid_at", "paid_by"])
        transition_record(
            obj=locked, from_state=locked.status, to_state=locked.status, by=by, reason="paid"
        )
        return locked


def loan_deposit_settle(*, loan: Loan, by: User, kept: Decimal, reason: str = "") -> Loan:
    """Once the item is back: keep part of the deposit for damage (with a reason the borrower
    is shown) and return the rest, in cash at the station. A repeat changes nothing."""
    kept = quantize(kept)
    reason = reason.strip()
    with transaction.atomic():
        locked = _locked(loan)
        station_staff_check(by=by, item=locked.item)
        if locked.deposit_settled_at is not None:
            return locked
        if locked.status != Loan.Status.RETURNED:
            raise ValidationError(_("The deposit is settled once the item is back."))
        if locked.paid_at is None or not locked.deposit:
            raise ValidationError(_("No deposit was paid for this loan."))
        if locked.paid_by != Loan.Payment.CASH:
            raise ValidationError(_("This deposit was paid online: it is refunded online."))
        if not Decimal("0") <= kept <= locked.deposit:
            raise ValidationError(
                _("Keep between ¥0 and the deposit, ¥%(deposit)s.") % {"deposit": locked.deposit}
            )
        if kept and not reason:
            raise ValidationError(_("Say why part of the deposit is kept: the borrower sees it."))
        fund = lending_fund()
        returned = locked.deposit - kept
        legs = [Leg(account_get(kind=Account.Kind.DEPOSITS_HELD, fund=fund), locked.deposit)]
        if returned:
            legs.append(Leg(account_get(kind=Account.Kind.CASH), -returned))
        if kept:
            legs.append(Leg(account_get(kind=Account.Kind.FUND, fund=fund), -kept))
        entry_post(
            kind=LedgerEntry.Kind.DEPOSIT,
            memo=memo_text(
                gettext_noop("Loan #%(id)s: deposit returned %(returned)s, kept %(kept)s %(why)s"),
                id=locked.pk,
                returned=returned,
                kept=kept,
                why=reason,
            ),
            legs=legs,
            reference=f"loan:{locked.pk}:deposit",
            created_by=by,
        )
        locked.deposit_returned, locked.deposit_kept = returned, kept
        locked.deposit_kept_reason, locked.deposit_settled_at = reason[:255], timezone.now()
        locked.save(
            update_fields=[
                "deposit_returned",
                "deposit_kept",
                "deposit_kept_reason",
                "deposit_settled_at",
            ]
        )
        transition_record(
            obj=locked,
            from_state=locked.status,
            to_state=locked.status,
            by=by,
            reason=reason or "deposit returned",
        )
        return locked
