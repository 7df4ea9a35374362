"""At the station: handing an item out, taking it back, inspecting it. Each move locks the
loan and the item, checks the state and writes history (core.transitions)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import selectors as account_selectors
from accounts.models import User
from core.transitions import transition
from lending.models import Condition, Item, Loan
from lending.services.waitlist import waitlist_offer_next


def station_staff_check(*, by: User, item: Item) -> None:
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
    station_staff_check(by=by, item=item)
    return item


def loan_checkout(*, loan: Loan, tag: str, by: User) -> Loan:
    """Hand the reserved item out: the tag scanned must be the loan's item, the item must be
    available (not in inspection), and the loan's first day must have come."""
    with transaction.atomic():
        locked = Loan.objects.select_for_update().select_related("item__warehouse").get(pk=loan.pk)
        item = Item.objects.select_for_update().get(pk=locked.item_id)
        station_staff_check(by=by, item=item)
        if locked.status == Loan.Status.ON_LOAN:
            return locked
        if item.tag != tag.strip().upper():
            raise ValidationError(
                _("This is not the item kept for this loan: hand out %(tag)s.") % {"tag": item.tag}
            )
        if locked.starts_on > timezone.localdate():
            raise ValidationError(_("This loan starts on %(day)s.") % {"day": locked.starts_on})
        if not locked.free and locked.paid_at is None and (locked.fee or locked.deposit):
            raise ValidationError(
                _("The fee and deposit are not paid yet: take them in cash, or pay online first.")
            )
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
        station_staff_check(by=by, item=item)
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
    """Inspection and cleaning done: the item is lendable again (and offered to the first
    in line for its type), or retired with a reason."""
    if not passed and not note.strip():
        raise ValidationError(_("Say why the item is retired."))
    with transaction.atomic():
        locked = Item.objects.select_for_update().select_related("warehouse").get(pk=item.pk)
        station_staff_check(by=by, item=locked)
        inspected = transition(
            locked,
            field="state",
            to=Item.State.AVAILABLE if passed else Item.State.RETIRED,
            allowed_from={Item.State.MAINTENANCE},
            by=by,
            reason=note.strip()[:255] or "inspected",
        )
        if inspected.changed and passed:
            # clean and ready: the first in line for its type is offered it
            waitlist_offer_next(item=inspected.obj, by=by)
            inspected.obj.refresh_from_db()
        return inspected.obj
