"""Where items come from besides the pool's own purchases: donated goods in stock, turned into
tagged items; and equipment lent into the pool by a company or a person for a term. Staff
see the owner; no loan runs past the term; staff are told two weeks before it ends; at its
end the item, once back and clean, goes back to its owner (state "with its owner", history
kept)."""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organisation, User, Warehouse
from charity.models import StockLot
from charity.services import stock_lot_take
from core.transitions import transition
from lending.models import EquipmentType, Item
from lending.services.loans import item_add
from lending.services.staff import warehouse_staff_check

NOTICE = timedelta(days=14)


def items_from_stock_lot(
    *, lot: StockLot, type: EquipmentType, tags: list[str], by: User
) -> list[Item]:
    """Donated equipment (a goods pledge received into stock) becomes tagged items at the
    lot's warehouse: one unit per tag leaves the lot under its lock, in one transaction, so
    the lot never goes below zero and no unit is counted twice. Each item remembers its lot;
    its value stays the pool's. Items are offered to whoever waits there."""
    warehouse_staff_check(by=by, warehouse=lot.warehouse)
    tags = [t.strip().upper() for t in tags if t.strip()]
    if not tags:
        raise ValidationError(_("Give a tag for each item."))
    if len(set(tags)) != len(tags):
        raise ValidationError(_("Each tag once."))
    with transaction.atomic():
        taken = Item.objects.filter(tag__in=tags).values_list("tag", flat=True)
        if taken:
            raise ValidationError(
                _("These tags are already used: %(tags)s") % {"tags": ", ".join(sorted(taken))}
            )
        locked = stock_lot_take(
            lot=lot,
            quantity=len(tags),
            by=by,
            reason=f"{len(tags)} × {type.slug} tagged for lending",
        )
        return [
            item_add(
                type=type,
                tag=tag,
                warehouse=locked.warehouse,
                by=by,
                reason=f"stock lot {lot.pk}",
                stock_lot=locked,
            )
            for tag in tags
        ]


def item_lend_in(
    *,
    type: EquipmentType,
    tag: str,
    warehouse: Warehouse,
    lent_until: date,
    by: User,
    owner_organisation: Organisation | None = None,
    owner_user: User | None = None,
) -> Item:
    """Staff take in an owner's item for a term, tagged like the pool's own."""
    warehouse_staff_check(by=by, warehouse=warehouse)
    if (owner_organisation is None) == (owner_user is None):
        raise ValidationError(_("Name one owner: a company or a person."))
    if lent_until <= timezone.localdate():
        raise ValidationError(_("The term must end after today."))
    return item_add(
        type=type,
        tag=tag,
        warehouse=warehouse,
        by=by,
        reason="lent in",
        owner_organisation=owner_organisation,
        owner_user=owner_user,
        lent_until=lent_until,
    )


def lender_terms_due() -> int:
    """Beat (daily, safe twice): tell staff of terms ending within two weeks (once per item),
    and send items whose term has ended, and that are back and clean, back to their owners.
    Returns how many items went back."""
    today = timezone.localdate()
    soon = list(
        Item.objects.filter(
            lent_until__isnull=False,
            lent_until__lte=today + NOTICE,
            owner_told_at__isnull=True,
        )
        .exclude(state__in=(Item.State.WITH_OWNER, Item.State.RETIRED))
        .values_list("pk", flat=True)
    )
    told = []
    for pk in soon:
        with transaction.atomic():
            item = Item.objects.select_for_update().get(pk=pk)
            if item.owner_told_at is None:
                item.owner_told_at = timezone.now()
                item.save(update_fields=["owner_told_at"])
                told.append(item)
    if told:
        from lending.services import notify

        notify.lender_terms_notify(items=told)
    back = 0
    ended = Item.objects.filter(lent_until__lt=today, state=Item.State.AVAILABLE).values_list(
        "pk", flat=True
    )
    for pk in list(ended):
        with transaction.atomic():
            moved = transition(
                Item.objects.get(pk=pk),
                field="state",
                to=Item.State.WITH_OWNER,
                allowed_from={Item.State.AVAILABLE},
                reason="lending term ended",
            )
            back += int(moved.changed)
    return back
