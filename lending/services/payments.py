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
from charity.purposes import Purpose
from charity.services import Leg, account_get, entry_post, memo_text
from core.money import quantize
from core.transitions import transition_record
from donations.models import CheckoutSession, Donation, Pledge, Refund
from donations.services import pledges as pledge_services
from donations.services.refunds import refund_prepare
from donations.services.stripe_events import pledge_checkout_resume
from lending.models import Loan
from lending.services.handover import assessment_check, station_staff_check

LENDING_FUND = "lending"
# The payment path's purpose for a loan: one payment, its fee part income to the lending
# fund, its deposit part held (decision record 0013).
LOAN_PURPOSE = "loan"


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
        if locked.paid_at is not None and locked.paid_by == Loan.Payment.CASH:
            return locked  # a second click
        if locked.paid_at is not None:
            raise ValidationError(_("This loan was paid online: take no cash for it."))
        if locked.free or not (locked.fee or locked.deposit):
            raise ValidationError(_("This loan is free: there is nothing to pay."))
        if locked.status not in Loan.HOLDING:
            raise ValidationError(_("This loan is closed."))
        assessment_check(locked)
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


def loan_pay_online_start(
    *, loan: Loan, by: User, success_url: str, cancel_url: str
) -> CheckoutSession | None:
    """The borrower pays the fee and the deposit through Stripe Checkout (card, Alipay,
    WeChat Pay). One pledge per loan, reused while it waits, so pressing Pay twice opens
    the same Checkout; the webhook books it through the loan purpose. None: Stripe says it
    was paid already (booked now)."""
    with transaction.atomic():
        locked = _locked(loan)
        if locked.resident.user_id != by.pk:
            raise ValidationError(_("Only the borrower pays online; at the station, pay in cash."))
        _payable_check(locked)
        pledge = locked.pledge
        if pledge is None or pledge.status != Pledge.Status.PENDING:
            pledge = pledge_services.pledge_create(
                user=by,
                organisation=None,
                kind=Pledge.Kind.MONEY,
                fund=lending_fund(),
                show_name=False,
                amount=locked.amount_due,
                purpose=Purpose(LOAN_PURPOSE, locked.pk),
            )
            locked.pledge = pledge
            locked.save(update_fields=["pledge"])
    return pledge_checkout_resume(pledge=pledge, success_url=success_url, cancel_url=cancel_url)


def _payable_check(loan: Loan) -> None:
    assessment_check(loan)
    if loan.paid_at is not None:
        raise ValidationError(_("This loan is already paid."))
    if loan.free or not loan.amount_due:
        raise ValidationError(_("This loan is free: there is nothing to pay."))
    if loan.status not in Loan.HOLDING:
        raise ValidationError(_("This loan is closed."))


def loan_settle_online(*, loan_id: int, pledge_id: int) -> Fund | None:
    """The payment path received a loan's payment (inside its transaction): mark the loan
    paid and name the lending fund to book it to, or None if the loan no longer wants it
    (paid in cash meanwhile, or closed), so the money goes back to the payer."""
    locked = _locked(Loan(pk=loan_id))
    pledge = Pledge.objects.get(pk=pledge_id)
    if locked.paid_at is not None or locked.status not in Loan.HOLDING:
        return None
    if pledge.amount != locked.amount_due:
        return None
    locked.paid_at, locked.paid_by, locked.pledge = timezone.now(), Loan.Payment.ONLINE, pledge
    locked.save(update_fields=["paid_at", "paid_by", "pledge"])
    transition_record(obj=locked, from_state=locked.status, to_state=locked.status, reason="paid")
    return lending_fund()


def loan_payment_parts(*, loan_id: int, amount: Decimal) -> list[tuple[str, Decimal]]:
    """How a loan's online payment is booked: the fee to the lending fund, the deposit held."""
    loan = Loan.objects.get(pk=loan_id)
    if loan.fee + loan.deposit != amount:
        raise ValueError(f"loan {loan_id} costs {loan.amount_due}, not {amount}")
    return [(Account.Kind.FUND, loan.fee), (Account.Kind.DEPOSITS_HELD, loan.deposit)]


def loan_refund_parts(*, loan_id: int, amount: Decimal) -> list[tuple[str, Decimal]]:
    """Which account a refund of a loan's payment reduces: the deposit still held first (the
    rest after damage was kept), then the fee."""
    loan = Loan.objects.select_for_update().get(pk=loan_id)
    if loan.deposit_refunded_at is not None:
        held = Decimal(0)
    elif loan.deposit_settled_at is not None:
        held = loan.deposit_returned
    else:
        held = loan.deposit
    from_deposit = min(amount, held)
    return [
        (Account.Kind.DEPOSITS_HELD, from_deposit),
        (Account.Kind.REFUNDS, amount - from_deposit),
    ]


def loan_refund_recorded(*, loan_id: int) -> None:
    """Stripe confirmed a refund of the loan's payment: once the deposit's rest is back with
    the borrower, say so on the loan."""
    locked = _locked(Loan(pk=loan_id))
    if locked.deposit_settled_at is not None and locked.deposit_refunded_at is None:
        locked.deposit_refunded_at = timezone.now()
        locked.save(update_fields=["deposit_refunded_at"])
        transition_record(
            obj=locked,
            from_state=locked.status,
            to_state=locked.status,
            reason="deposit returned",
        )


def _loan_donation(loan: Loan) -> Donation:
    donation = (
        Donation.objects.filter(pledge_id=loan.pledge_id, is_gift=False).first()
        if loan.pledge_id
        else None
    )
    if donation is None:
        raise ValidationError(_("The online payment for this loan is not booked yet."))
    return donation


def loan_deposit_settle(*, loan: Loan, by: User, kept: Decimal, reason: str = "") -> Loan:
    """Once the item is back: keep part of the deposit for damage (with a reason the borrower
    is shown) and return the rest: in cash at the station, or, when it was paid online, as a
    Stripe refund prepared here with its key and sent after commit. A repeat changes
    nothing, so a second click or a retry never returns the deposit twice."""
    kept = quantize(kept)
    reason = reason.strip()
    with transaction.atomic():
        if loan.pledge_id:
            # the payment's row first, as a refund being booked takes it (then the loan's)
            Donation.objects.select_for_update().filter(
                pledge_id=loan.pledge_id, is_gift=False
            ).first()
        locked = _locked(loan)
        station_staff_check(by=by, item=locked.item)
        if locked.deposit_settled_at is not None:
            return locked
        if locked.status != Loan.Status.RETURNED:
            raise ValidationError(_("The deposit is settled once the item is back."))
        if locked.paid_at is None or not locked.deposit:
            raise ValidationError(_("No deposit was paid for this loan."))
        if not Decimal("0") <= kept <= locked.deposit:
            raise ValidationError(
                _("Keep between ¥0 and the deposit, ¥%(deposit)s.") % {"deposit": locked.deposit}
            )
        if kept and not reason:
            raise ValidationError(_("Say why part of the deposit is kept: the borrower sees it."))
        returned = locked.deposit - kept
        online = locked.paid_by == Loan.Payment.ONLINE
        _deposit_entry(
            loan=locked,
            kept=kept,
            returned=Decimal(0) if online else returned,
            reason=reason,
            by=by,
        )
        locked.deposit_returned, locked.deposit_kept = returned, kept
        locked.deposit_kept_reason, locked.deposit_settled_at = reason[:255], timezone.now()
        fields = ["deposit_returned", "deposit_kept", "deposit_kept_reason", "deposit_settled_at"]
        if online and returned:
            refund = refund_prepare(
                donation=_loan_donation(locked),
                amount=returned,
                reason=_("Deposit returned for loan #%(id)s") % {"id": locked.pk},
                by=by,
            )
            locked.deposit_refund = refund
            fields.append("deposit_refund")
            transaction.on_commit(lambda: _refund_send_later(refund))
        elif not returned:
            locked.deposit_refunded_at = locked.deposit_settled_at
            fields.append("deposit_refunded_at")
        locked.save(update_fields=fields)
        transition_record(
            obj=locked,
            from_state=locked.status,
            to_state=locked.status,
            by=by,
            reason=reason or "deposit returned",
        )
        return locked


def _deposit_entry(*, loan: Loan, kept: Decimal, returned: Decimal, reason: str, by: User) -> None:
    """The part of the deposit kept becomes income; the part returned in cash leaves the
    till. (Returned online, it leaves the deposits held when Stripe confirms the refund.)"""
    if not kept and not returned:
        return
    fund = lending_fund()
    legs = [Leg(account_get(kind=Account.Kind.DEPOSITS_HELD, fund=fund), kept + returned)]
    if returned:
        legs.append(Leg(account_get(kind=Account.Kind.CASH), -returned))
    if kept:
        legs.append(Leg(account_get(kind=Account.Kind.FUND, fund=fund), -kept))
    entry_post(
        kind=LedgerEntry.Kind.DEPOSIT,
        memo=memo_text(
            gettext_noop("Loan #%(id)s: deposit returned %(returned)s, kept %(kept)s %(why)s"),
            id=loan.pk,
            returned=returned,
            kept=kept,
            why=reason,
        ),
        legs=legs,
        reference=f"loan:{loan.pk}:deposit",
        created_by=by,
    )


def _refund_send_later(refund: Refund) -> None:
    from donations import tasks

    tasks.send_refund.delay(refund.pk)
