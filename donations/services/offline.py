"""Money and goods that do not come through Stripe: bank transfers, cash, goods intake."""

from datetime import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.selectors import is_fund_administrator
from charity.models import Account, Fund, LedgerEntry
from charity.services import Leg, account_get
from core.money import quantize
from donations.models import Donation, Donor, GoodsIntake, Pledge
from donations.services import pledges
from donations.services.gifts import donation_record
from lending.models import StockLot, Warehouse


def offline_income_record(
    *,
    donor: Donor,
    fund: Fund,
    amount: Decimal,
    method: str,
    reference: str,
    received_at: datetime,
    show_name: bool,
    by: User,
) -> Donation:
    """A bank transfer or cash gift, receipted like the rest. Its reference is unique: the
    same transfer recorded twice is refused, not counted twice."""
    if not is_fund_administrator(by):
        raise PermissionDenied
    if method not in (Donation.Method.BANK_TRANSFER, Donation.Method.CASH):
        raise ValidationError(_("Choose bank transfer or cash."))
    reference = reference.strip()
    if not reference:
        raise ValidationError(_("Give the bank reference or cash slip number."))
    amount = quantize(amount)
    if amount <= 0:
        raise ValidationError(_("The amount must be more than zero."))
    full_reference = f"{method}:{reference}"
    if Donation.objects.filter(offline_reference=full_reference).exists():
        raise ValidationError(_("This reference has already been recorded."))
    kind = Account.Kind.BANK if method == Donation.Method.BANK_TRANSFER else Account.Kind.CASH
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
) -> GoodsIntake:
    """What actually arrived, at its fair value: booked as a gift in kind, receipted, and put
    in stock where wishes and lending can draw on it."""
    if not is_fund_administrator(by):
        raise PermissionDenied
    unit_value = quantize(unit_value)
    if quantity < 1 or unit_value <= 0:
        raise ValidationError(_("Quantity and value must be more than zero."))
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
        )
        StockLot.objects.create(
            warehouse=warehouse,
            description=description,
            quantity_received=quantity,
            quantity_on_hand=quantity,
            unit_value=unit_value,
            intake=intake,
        )
        pledges.pledge_move(
            pledge=locked, to=Pledge.Status.RECEIVED, by=by, reason=f"{quantity} received"
        )
        return intake
