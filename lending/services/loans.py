"""Every write about lending. A request reserves an item (or joins the wait list) under the
station's item locks, so the last wheelchair goes to exactly one of the people asking."""

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import selectors as account_selectors
from accounts.models import Resident, Station, User, Warehouse
from core.transitions import transition_record
from lending import selectors
from lending.models import EquipmentType, Item, Loan, Transfer, WaitlistEntry
from lending.services.staff import warehouse_staff_check

BOOKING_HORIZON = timedelta(days=180)


def may_request(*, by: User, resident: Resident) -> bool:
    """The resident herself, a worker of her station, or a fund administrator."""
    if resident.user_id is not None and resident.user_id == by.pk:
        return True
    if account_selectors.is_fund_administrator(by):
        return True
    return account_selectors.is_community_worker(by) and by.station_id == resident.station_id


def _check_dates(*, type: EquipmentType, starts_on: date, ends_on: date) -> None:
    today = timezone.localdate()
    if starts_on < today:
        raise ValidationError(_("The first day cannot be in the past."))
    if ends_on < starts_on:
        raise ValidationError(_("The last day cannot be before the first."))
    if starts_on > today + BOOKING_HORIZON:
        raise ValidationError(_("Loans can be booked up to six months ahead."))
    if (ends_on - starts_on).days + 1 > type.max_days:
        raise ValidationError(
            _("A %(type)s can be borrowed for at most %(days)s days.")
            % {"type": type.display_name, "days": type.max_days}
        )


def loan_request(
    *,
    resident: Resident,
    type: EquipmentType,
    station: Station,
    starts_on: date,
    ends_on: date,
    by: User,
) -> Loan | WaitlistEntry:
    """Reserve an item of the type at the station for those days, priced from the resident's
    private record; if none is free, put the resident on the station's wait list.

    Every lendable item of that type at the station is locked (in id order) for the rest of
    the transaction, so concurrent requests are served one after another; on PostgreSQL the
    loan_no_overlap exclusion constraint is the last guard.
    """
    if not may_request(by=by, resident=resident):
        raise PermissionDenied
    _check_dates(type=type, starts_on=starts_on, ends_on=ends_on)
    warehouse = getattr(station, "warehouse", None)
    if warehouse is None or not station.is_active:
        raise ValidationError(_("This station does not lend equipment."))
    terms = selectors.loan_terms(resident=resident, type=type, starts_on=starts_on, ends_on=ends_on)
    try:
        with transaction.atomic():
            candidates = list(
                Item.objects.select_for_update()
                .filter(type=type, warehouse=warehouse, state__in=selectors.LENDABLE)
                # a lent item never goes out past its owner's term
                .filter(Q(lent_until__isnull=True) | Q(lent_until__gte=ends_on))
                # nor is an item about to move to another warehouse booked here
                .exclude(transfer_lines__transfer__status__in=Transfer.OPEN)
                .order_by("pk")
            )
            busy = selectors.overlapping(
                item_ids=[i.pk for i in candidates], starts_on=starts_on, ends_on=ends_on
            )
            free = [i for i in candidates if i.pk not in busy]
            if free:
                return loan_make(
                    item=free[0],
                    resident=resident,
                    by=by,
                    starts_on=starts_on,
                    ends_on=ends_on,
                    terms=terms,
                )
            entry = WaitlistEntry.objects.filter(
                type=type, station=station, resident=resident, status__in=WaitlistEntry.IN_LINE
            ).first()
            if entry is None:
                entry = WaitlistEntry.objects.create(
                    type=type,
                    station=station,
                    resident=resident,
                    starts_on=starts_on,
                    ends_on=ends_on,
                )
                transition_record(obj=entry, from_state="", to_state=entry.status, by=by)
            return entry
    except IntegrityError as exc:  # the database's own guard (PostgreSQL)
        raise ValidationError(_("That item was just taken; please try again.")) from exc


def loan_make(
    *,
    item: Item,
    resident: Resident,
    by: User,
    starts_on: date,
    ends_on: date,
    terms: selectors.Terms,
    reason: str = "",
) -> Loan:
    """The loan row and its first history line, inside the caller's transaction, once the
    caller holds the item's lock and has found it free for those days."""
    loan = Loan.objects.create(
        item=item,
        resident=resident,
        requested_by=by,
        starts_on=starts_on,
        ends_on=ends_on,
        free=terms.free,
        fee=terms.fee,
        deposit=terms.deposit,
    )
    transition_record(obj=loan, from_state="", to_state=loan.status, by=by, reason=reason)
    return loan


def equipment_type_create(
    *,
    name: str,
    name_en: str,
    slug: str,
    daily_fee: Decimal,
    deposit: Decimal,
    description: str = "",
    max_days: int = 90,
    needs_assessment: bool = False,
    sort_order: int = 0,
) -> EquipmentType:
    """A kind of equipment the pool lends; the same slug again returns the existing one."""
    with transaction.atomic():
        existing = EquipmentType.objects.filter(slug=slug).first()
        if existing is not None:
            return existing
        type_ = EquipmentType(
            name=name.strip(),
            name_en=name_en.strip(),
            slug=slug,
            daily_fee=daily_fee,
            deposit=deposit,
            description=description.strip(),
            max_days=max_days,
            needs_assessment=needs_assessment,
            sort_order=sort_order,
        )
        type_.full_clean()
        type_.save()
        return type_


TYPE_FIELDS = (
    "name",
    "name_en",
    "description",
    "daily_fee",
    "deposit",
    "max_days",
    "needs_assessment",
    "sort_order",
    "photo",
)


def equipment_type_update(*, type: EquipmentType, by: User, **fields: Any) -> EquipmentType:
    """Fund administrators change what a type is called, costs and looks like. Loans already
    made keep the price they were given."""
    if not account_selectors.is_fund_administrator(by):
        raise PermissionDenied
    unknown = set(fields) - set(TYPE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    with transaction.atomic():
        locked = EquipmentType.objects.select_for_update().get(pk=type.pk)
        for name, value in fields.items():
            setattr(locked, name, value.strip() if isinstance(value, str) else value)
        locked.full_clean()
        locked.save()
        transition_record(obj=locked, from_state="", to_state="", by=by, reason="edited")
        return locked


def item_create(**fields: Any) -> Item:
    """The row itself; a tag already used, or two staff registering the same tag at once:
    a clear refusal (the unique tag is the database's guard)."""
    try:
        with transaction.atomic():
            return Item.objects.create(**fields)
    except IntegrityError as exc:
        raise ValidationError(
            _("An item with the tag %(tag)s already exists.") % {"tag": fields.get("tag")}
        ) from exc


def item_add(
    *,
    type: EquipmentType,
    tag: str,
    warehouse: Warehouse,
    by: User | None,
    reason: str = "",
    **origin: Any,
) -> Item:
    """A tagged item enters the pool at a warehouse, available; its tag is unique. Staff of
    the fund office add anywhere, a worker at their station's warehouse (``by`` None: the
    demo seeding). Whoever waits there for the type is offered it. ``origin`` says where it
    came from when not bought: an owner and a term (lent in), or a stock lot (donated)."""
    from lending.services.waitlist import waitlist_offer_next

    if by is not None:
        warehouse_staff_check(by=by, warehouse=warehouse)
    tag = tag.strip().upper()
    if not tag:
        raise ValidationError(_("Give the item's tag."))
    with transaction.atomic():
        item = item_create(type=type, tag=tag, warehouse=warehouse, **origin)
        transition_record(obj=item, from_state="", to_state=item.state, by=by, reason=reason)
        waitlist_offer_next(item=item, by=by)
        item.refresh_from_db()
        return item
