"""At the station: handing an item out, taking it back, inspecting it. Each move locks the
loan and the item, checks the state and writes history (core.transitions)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.transitions import transition, transition_record
from lending.models import Condition, Item, Loan
from lending.services.staff import warehouse_staff_check
from lending.services.waitlist import waitlist_offer_next


def station_staff_check(*, by: User, item: Item) -> None:
    """Hand-outs, returns and inspections are done by the item's station (or the fund office)."""
    warehouse_staff_check(
        by=by, warehouse=item.warehouse, refusal=_("This item is kept at another station.")
    )


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
        locked = (
            Loan.objects.select_for_update(of=("self",))
            .select_related("item__warehouse")
            .get(pk=loan.pk)
        )
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
        assessment_check(locked)
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


def loan_checkin(
    *, loan: Loan, by: User, condition: str, note: str = "", photos: list[str] | None = None
) -> Loan:
    """The item comes back: graded (with photos of any damage, already stored privately by
    core.images), then to inspection and cleaning; it cannot go out again until it passes
    (item_inspect)."""
    if condition not in Condition.values:
        raise ValidationError(_("Choose the condition."))
    if condition == Condition.DAMAGED and not note.strip():
        raise ValidationError(_("Say what is damaged."))
    with transaction.atomic():
        locked = Loan.objects.select_for_update().get(pk=loan.pk)
        item = (
            Item.objects.select_for_update(of=("self",))
            .select_related("warehouse")
            .get(pk=locked.item_id)
        )
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
            return_photos=list(photos or [])[:3],
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
        locked = (
            Item.objects.select_for_update(of=("self",)).select_related("warehouse").get(pk=item.pk)
        )
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


def loan_assess(*, loan: Loan, by: User, approved: bool, note: str) -> Loan:
    """A worker visited and assessed the need for equipment that requires it (a care bed):
    approved, the loan may be paid and handed out; refused, it is cancelled with the reason
    and the item is offered to whoever waits. A repeat changes nothing."""
    note = note.strip()
    if not note:
        raise ValidationError(_("Write what the visit found."))
    with transaction.atomic():
        locked = (
            Loan.objects.select_for_update(of=("self",))
            .select_related("item__warehouse", "item__type")
            .get(pk=loan.pk)
        )
        station_staff_check(by=by, item=locked.item)
        if locked.assessed_at is not None or locked.status == Loan.Status.CANCELLED:
            return locked
        if locked.status != Loan.Status.RESERVED:
            raise ValidationError(_("Only a reserved loan is assessed."))
        if locked.paid_at is not None:
            raise ValidationError(_("This loan was paid before it was assessed; ask the office."))
        if approved:
            locked.assessed_at, locked.assessed_by = timezone.now(), by
            locked.assessment_note = note[:255]
            locked.save(update_fields=["assessed_at", "assessed_by", "assessment_note"])
            transition_record(
                obj=locked, from_state=locked.status, to_state=locked.status, by=by, reason=note
            )
            return locked
        cancelled = transition(
            locked,
            to=Loan.Status.CANCELLED,
            allowed_from={Loan.Status.RESERVED},
            by=by,
            reason=note,
            assessment_note=note[:255],
        ).obj
        waitlist_offer_next(item=locked.item, by=by)
        return cancelled


def assessment_check(loan: Loan) -> None:
    """Refuse paying or handing out before a needed assessment."""
    if loan.item.type.needs_assessment and loan.assessed_at is None:
        raise ValidationError(
            _("A community worker must first visit and assess the need for a %(type)s.")
            % {"type": loan.item.type.display_name}
        )
