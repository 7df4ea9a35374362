"""Every write about lending. A request reserves an item (or joins the wait list) under the
station's item locks, so the last wheelchair goes to exactly one of the people asking."""

from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import selectors as account_selectors
from accounts.models import Resident, Station, User, Warehouse
from core.transitions import transition, transition_record
from lending import selectors
from lending.models import Condition, EquipmentType, Item, Loan, WaitlistEntry

BOOKING_HORIZON = timedelta(days=180)


def _may_request(*, by: User, resident: Resident) -> bool:
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
    if not _may_request(by=by, resident=resident):
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
                .order_by("pk")
            )
            busy = selectors.overlapping(
                item_ids=[i.pk for i in candidates], starts_on=starts_on, ends_on=ends_on
            )
            free = [i for i in candidates if i.pk not in busy]
            if free:
                loan = Loan.objects.create(
                    item=free[0],
                    resident=resident,
                    requested_by=by,
                    starts_on=starts_on,
                    ends_on=ends_on,
                    free=terms.free,
                    fee=terms.fee,
                    deposit=terms.deposit,
                )
                transition_record(obj=loan, from_state="", to_state=loan.status, by=by)
                return loan
            entry, created = WaitlistEntry.objects.get_or_create(
                type=type,
                station=station,
                resident=resident,
                status=WaitlistEntry.Status.WAITING,
                defaults={"starts_on": starts_on, "ends_on": ends_on},
            )
            if created:
                transition_record(obj=entry, from_state="", to_state=entry.status, by=by)
            return entry
    except IntegrityError as exc:  # the database's own guard (PostgreSQL)
        raise ValidationError(_("That item was just taken; please try again.")) from exc


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


def item_add(*, type: EquipmentType, tag: str, warehouse: Warehouse, by: User | None) -> Item:
    """A tagged item enters the pool at a warehouse, available; its tag is unique."""
    tag = tag.strip().upper()
    if not tag:
        raise ValidationError(_("Give the item's tag."))
    with transaction.atomic():
        if Item.objects.filter(tag=tag).exists():
            raise ValidationError(_("An item with this tag already exists."))
        item = Item.objects.create(type=type, tag=tag, warehouse=warehouse)
        transition_record(obj=item, from_state="", to_state=item.state, by=by)
        return item


def _station_staff(*, by: User, item: Item) -> None:
    """Hand-outs, returns and inspections are done by the item's station (or the fund office)."""
    if account_selectors.is_fund_administrator(by):
        return
    if not (
        account_selectors.is_community_worker(by)
        and item.warehouse.station_id is not None
        and by.station_id == item.warehouse.station_id
    ):
        raise PermissionDenied(_("This item is kept at another station."))


def item_by_tag(*, tag: str, by: User) -> Item:
    """The item a worker scanned or typed, if it is at their station."""
    item = Item.objects.select_related("type", "warehouse").filter(tag=tag.strip().upper()).first()
    if item is None:
        raise ValidationError(_("No item has the tag %(tag)s.") % {"tag": tag.strip()})
    _station_staff(by=by, item=item)
    return item


def loan_checkout(*, loan: Loan, tag: str, by: User) -> Loan:
    """Hand the reserved item out: the tag scanned must be the loan's item, the item must be
    available (not in inspection), and the loan's first day must have come."""
    with transaction.atomic():
        locked = Loan.objects.select_for_update().select_related("item__warehouse").get(pk=loan.pk)
        item = Item.objects.select_for_update().get(pk=locked.item_id)
        _station_staff(by=by, item=item)
        if locked.status == Loan.Status.ON_LOAN:
            return locked
        if item.tag != tag.strip().upper():
            raise ValidationError(
                _("This is not the item kept for this loan: hand out %(tag)s.") % {"tag": item.tag}
            )
        if locked.starts_on > timezone.localdate():
            raise ValidationError(_("This loan starts on %(day)s.") % {"day": locked.starts_on})
        transition(
            item,
            field="state",
            to=Item.State.ON_LOAN,
            allowed_from={Item.State.AVAILABLE},
            by=by,
            reason=f"loan {locked.pk}",
            message=_("This item cannot go out: it is %(state)s.")
            % {"state": item.get_state_display()},
        )
        return transition(
            locked,
            to=Loan.Status.ON_LOAN,
            allowed_from={Loan.Status.RESERVED},
            by=by,
            handed_out_at=timezone.now(),
        ).obj


def loan_checkin(*, loan: Loan, by: User, condition: str, note: str = "") -> Loan:
    """The item comes back: graded, then to inspection and cleaning; it cannot go out again
    until it passes (item_inspect)."""
    if condition not in Condition.values:
        raise ValidationError(_("Choose the condition."))
    if condition == Condition.DAMAGED and not note.strip():
        raise ValidationError(_("Say what is damaged."))
    with transaction.atomic():
        locked = Loan.objects.select_for_update().get(pk=loan.pk)
        item = Item.objects.select_for_update().select_related("warehouse").get(pk=locked.item_id)
        _station_staff(by=by, item=item)
        if locked.status == Loan.Status.RETURNED:
            return locked
        moved = transition(
            locked,
            to=Loan.Status.RETURNED,
            allowed_from={Loan.Status.ON_LOAN},
            by=by,
            reason=note.strip()[:255],
            returned_at=timezone.now(),
            return_condition=condition,
            return_note=note.strip()[:255],
        )
        transition(
            item,
            field="state",
            to=Item.State.MAINTENANCE,
            allowed_from={Item.State.ON_LOAN},
            by=by,
            reason=f"returned ({condition})",
        )
        return moved.obj


def item_inspect(*, item: Item, by: User, passed: bool, note: str = "") -> Item:
    """Inspection and cleaning done: the item is lendable again, or retired with a reason."""
    if not passed and not note.strip():
        raise ValidationError(_("Say why the item is retired."))
    with transaction.atomic():
        locked = Item.objects.select_for_update().select_related("warehouse").get(pk=item.pk)
        _station_staff(by=by, item=locked)
        return transition(
            locked,
            field="state",
            to=Item.State.AVAILABLE if passed else Item.State.RETIRED,
            allowed_from={Item.State.MAINTENANCE},
            by=by,
            reason=note.strip()[:255] or "inspected",
        ).obj
