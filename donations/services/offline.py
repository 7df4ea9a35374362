"""Money and goods that do not come through Stripe: bank transfers, cash, goods intake."""

from datetime import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import Organisation, User, Warehouse
from accounts.selectors import is_fund_administrator
from charity.models import Account, Fund, LedgerEntry
from charity.purposes import fund_purpose
from charity.services import (
    Leg,
    account_get,
    entry_reverse,
    memo_text,
    stock_lot_receive,
    stock_lot_void,
)
from core.money import quantize
from core.transitions import transition
from donations import limits
from donations.models import Donation, Donor, GoodsIntake, Pledge, Receipt
from donations.services import pledges
from donations.services.donors import donor_for_organisation, donor_for_user
from donations.services.gifts import donation_record
from donations.services.receipts import receipt_void


def offline_income_record(
    *,
    fund: Fund,
    amount: Decimal,
    method: str,
    reference: str,
    received_at: datetime,
    show_name: bool,
    by: User,
    donor: Donor | None = None,
    person: User | None = None,
    organisation: Organisation | None = None,
) -> Donation:
    """A bank transfer or cash gift, receipted like the rest. Its reference is unique: the
    same transfer recorded twice is refused, not counted twice.

    The giver is a donor, or a person or company whose donor record is made in the same
    transaction (so a refused gift leaves no new donor behind).
    """
    if not is_fund_administrator(by):
        raise PermissionDenied
    purpose = fund_purpose(fund)
    if purpose is not None and not purpose[0].accepts_offline_income:
        # e.g. a wish: its chip-ins are held against its target, an offline gift is not.
        raise ValidationError(_("Offline income cannot be booked to this fund."))
    if method not in (Donation.Method.BANK_TRANSFER, Donation.Method.CASH):
        raise ValidationError(_("Choose bank transfer or cash."))
    reference = reference.strip()
    if not reference:
        raise ValidationError(_("Give the bank reference or cash slip number."))
    amount = quantize(amount)
    if not (0 < amount <= limits.MAX_OFFLINE_AMOUNT):
        raise ValidationError(
            _("The amount must be more than zero and at most ¥%(max)s.")
            % {"max": f"{limits.MAX_OFFLINE_AMOUNT:,.0f}"}
        )
    date_error = limits.received_on_error(timezone.localdate(received_at))
    if date_error:
        raise ValidationError(date_error)
    full_reference = f"{method}:{reference}"
    if Donation.objects.filter(offline_reference=full_reference).exists():
        raise ValidationError(_("This reference has already been recorded."))
    kind = Account.Kind.BANK if method == Donation.Method.BANK_TRANSFER else Account.Kind.CASH
    with transaction.atomic():
        if donor is None:
            if person is not None:
                donor = donor_for_user(user=person)
            elif organisation is not None:
                donor = donor_for_organisation(organisation=organisation)
            else:
                raise ValidationError(_("Choose who gave."))
        return _offline_book(
            donor=donor,
            fund=fund,
            amount=amount,
            method=method,
            kind=kind,
            full_reference=full_reference,
            received_at=received_at,
            show_name=show_name,
            by=by,
        )


def _offline_book(
    *,
    donor: Donor,
    fund: Fund,
    amount: Decimal,
    method: str,
    kind: str,
    full_reference: str,
    received_at: datetime,
    show_name: bool,
    by: User,
) -> Donation:
    return donation_record(
        donor=donor,
        fund=fund,
        amount=amount,
        currency="CNY",
        method=method,
        legs=[
            Leg(account_get(kind=kind), amount),
            Leg(account_get(kind=Account.Kind.FUND, fund=fund), -amount),
        ],
        entry_kind=LedgerEntry.Kind.OFFLINE_INCOME,
        show_name=show_name,
        received_at=received_at,
        offline_reference=full_reference,
        recorded_by=by,
    )


def goods_intake_record(
    *,
    pledge: Pledge,
    quantity: int,
    condition: str,
    unit_value: Decimal,
    warehouse: Warehouse,
    by: User,
    description: str = "",
    difference_confirmed: bool = False,
) -> GoodsIntake:
    """What actually arrived, at its fair value: booked as a gift in kind, receipted, and put
    in stock where wishes and lending can draw on it."""
    if not is_fund_administrator(by):
        raise PermissionDenied
    unit_value = quantize(unit_value)
    if not (1 <= quantity <= limits.MAX_QUANTITY) or not (0 < unit_value <= limits.MAX_UNIT_VALUE):
        raise ValidationError(
            _("At most %(quantity)s items, each worth more than zero and at most ¥%(value)s.")
            % {"quantity": f"{limits.MAX_QUANTITY:,}", "value": f"{limits.MAX_UNIT_VALUE:,.0f}"}
        )
    too_much = limits.goods_total_error(quantity, unit_value)
    if too_much:
        raise ValidationError(too_much)
    if condition not in GoodsIntake.Condition.values:
        raise ValidationError(_("Choose the condition of the goods."))
    with transaction.atomic():
        locked = (
            Pledge.objects.select_for_update().select_related("donor", "fund").get(pk=pledge.pk)
        )
        existing = GoodsIntake.objects.filter(pledge=locked).first()
        if existing is not None:
            return existing
        if locked.kind != Pledge.Kind.GOODS or locked.status != Pledge.Status.AWAITING_GOODS:
            raise ValidationError(_("This pledge is not waiting for goods."))
        note = ""
        if locked.goods_quantity and quantity != locked.goods_quantity:
            if not difference_confirmed:
                raise ValidationError(
                    _("The pledge was for %(pledged)s; confirm that %(quantity)s arrived.")
                    % {"pledged": locked.goods_quantity, "quantity": quantity}
                )
            note = _("Pledged %(pledged)s, received %(quantity)s.") % {
                "pledged": locked.goods_quantity,
                "quantity": quantity,
            }
        total = quantize(unit_value * quantity)
        description = description.strip() or locked.goods_description
        donation = donation_record(
            donor=locked.donor,
            fund=locked.fund,
            amount=total,
            currency="CNY",
            method=Donation.Method.GOODS,
            legs=[
                Leg(account_get(kind=Account.Kind.IN_KIND_STOCK), total),
                Leg(account_get(kind=Account.Kind.FUND_IN_KIND, fund=locked.fund), -total),
            ],
            entry_kind=LedgerEntry.Kind.GOODS,
            show_name=locked.show_name,
            pledge=locked,
            offline_reference=f"goods:pledge:{locked.pk}",
            recorded_by=by,
        )
        intake = GoodsIntake.objects.create(
            pledge=locked,
            description=description,
            quantity=quantity,
            condition=condition,
            unit_value=unit_value,
            warehouse=warehouse,
            donation=donation,
            received_by=by,
            note=note,
            stock_lot=stock_lot_receive(
                warehouse=warehouse,
                description=description,
                quantity=quantity,
                unit_value=unit_value,
                entry=donation.entry,
            ),
        )
        pledges.pledge_move(
            pledge=locked,
            to=Pledge.Status.RECEIVED,
            by=by,
            reason=note or f"{quantity} received",
        )
        return intake


def goods_pledge_decline(*, pledge: Pledge, reason: str, by: User) -> Pledge:
    """Staff cannot take what was offered (not needed, not safe, no room): the pledge closes
    with thanks and the reason, and the donor is told by e-mail."""
    from donations import tasks

    if not is_fund_administrator(by):
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError(_("Give a reason."))
    if pledge.kind != Pledge.Kind.GOODS:
        raise ValidationError(_("Only a goods pledge can be declined."))
    with transaction.atomic():
        moved = transition(
            pledge,
            to=Pledge.Status.DECLINED,
            allowed_from={Pledge.Status.AWAITING_GOODS},
            by=by,
            reason=reason.strip(),
        )
        if moved.changed:
            transaction.on_commit(
                lambda: tasks.send_pledge_notice.delay(pledge.pk, "declined", reason.strip())
            )
        return moved.obj


def donation_void(*, donation: Donation, reason: str, by: User) -> Donation:
    """Undo a bank transfer, cash or goods gift that was recorded in error: a reversing entry,
    the receipt voided with the reason, the donation marked voided. Stripe gifts are refunded
    instead (refunds.refund_request), so the money really goes back.

    Goods can be voided only while all of them are still in stock: what was handed out is
    the pool's and stays on the books.
    """
    if not is_fund_administrator(by):
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError(_("Give a reason."))
    if donation.method not in (
        Donation.Method.BANK_TRANSFER,
        Donation.Method.CASH,
        Donation.Method.GOODS,
    ):
        raise ValidationError(_("An online gift is refunded through Stripe, not voided."))
    with transaction.atomic():
        locked = Donation.objects.select_for_update().get(pk=donation.pk)
        if locked.status == Donation.Status.VOIDED:
            return locked
        if locked.method == Donation.Method.GOODS:
            intake = GoodsIntake.objects.select_related("stock_lot").filter(donation=locked).first()
            if intake is not None and intake.stock_lot is not None:
                stock_lot_void(lot=intake.stock_lot)
        entry_reverse(
            entry=locked.entry,
            memo=memo_text(gettext_noop("Recorded in error: %(reason)s"), reason=reason.strip()),
            reference=f"void:donation:{locked.pk}",
            created_by=by,
        )
        locked = transition(
            locked,
            to=Donation.Status.VOIDED,
            allowed_from={Donation.Status.RECEIVED},
            by=by,
            reason=reason.strip(),
        ).obj
        for receipt in locked.receipts.filter(status=Receipt.Status.VALID):
            receipt_void(
                receipt=receipt,
                reason=_("Recorded in error: %(reason)s") % {"reason": reason.strip()},
                by=by,
            )
        return locked
