"""Equipment lent into the pool by a company or a person for a term. Staff see the owner;
no loan runs past the term; staff are told two weeks before it ends; at its end the item,
once back and clean, goes back to its owner (state "with its owner", history kept)."""

from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import selectors as account_selectors
from accounts.models import Organisation, User, Warehouse
from core.transitions import transition, transition_record
from lending.models import EquipmentType, Item

NOTICE = timedelta(days=14)


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
    if not account_selectors.is_fund_administrator(by) and not (
        account_selectors.is_community_worker(by) and warehouse.station_id == by.station_id
    ):
        raise PermissionDenied
    if (owner_organisation is None) == (owner_user is None):
        raise ValidationError(_("Name one owner: a company or a person."))
    if lent_until <= timezone.localdate():
        raise ValidationError(_("The term must end after today."))
    tag = tag.strip().upper()
    if not tag:
        raise ValidationError(_("Give the item's tag."))
    with transaction.atomic():
        if Item.objects.filter(tag=tag).exists():
            raise ValidationError(_("An item with this tag already exists."))
        item = Item.objects.create(
            type=type,
            tag=tag,
            warehouse=warehouse,
            owner_organisation=owner_organisation,
            owner_user=owner_user,
            lent_until=lent_until,
        )
        transition_record(obj=item, from_state="", to_state=item.state, by=by, reason="lent in")
        return item


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
