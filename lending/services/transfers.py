"""Moving items between the main warehouse and the branches. A transfer is requested with
the items it takes (available, not booked), dispatched (the items leave: in transit), on the
way, and received with a count check: what arrived is at its new warehouse and offered to
whoever waits there; what did not arrive stays in transit, flagged, and staff are told.
Every step locks the transfer and its items and writes history; a repeat changes nothing.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User, Warehouse
from core.transitions import transition, transition_record
from lending.models import EquipmentType, Item, Loan, Transfer, TransferLine
from lending.services.staff import warehouse_staff_check
from lending.services.waitlist import waitlist_offer_next


def transfer_request(
    *,
    source: Warehouse,
    destination: Warehouse,
    type: EquipmentType,
    count: int,
    by: User,
    note: str = "",
) -> Transfer:
    """Ask for ``count`` items of a type to move; the items are chosen now (available at the
    source, no loan booked ahead), so two transfers never take the same item."""
    if source.pk == destination.pk:
        raise ValidationError(_("Choose two different warehouses."))
    if not 1 <= count <= 200:
        raise ValidationError(_("Move between 1 and 200 items at a time."))
    try:
        warehouse_staff_check(by=by, warehouse=source)
    except PermissionDenied:
        warehouse_staff_check(by=by, warehouse=destination)  # a branch asks the main warehouse
    today = timezone.localdate()
    with transaction.atomic():
        candidates = list(
            Item.objects.select_for_update()
            .filter(type=type, warehouse=source, state=Item.State.AVAILABLE)
            .exclude(loans__status__in=Loan.HOLDING, loans__ends_on__gte=today)
            .exclude(transfer_lines__transfer__status__in=Transfer.OPEN)
            .order_by("pk")[:count]
        )
        if len(candidates) < count:
            raise ValidationError(
                _("Only %(n)s %(type)s can be moved from %(place)s now.")
                % {"n": len(candidates), "type": type.display_name, "place": source.name}
            )
        order = Transfer.objects.create(
            source=source, destination=destination, requested_by=by, note=note.strip()[:255]
        )
        TransferLine.objects.bulk_create(TransferLine(transfer=order, item=i) for i in candidates)
        transition_record(obj=order, from_state="", to_state=order.status, by=by)
        return order


def _locked(order: Transfer) -> Transfer:
    return (
        Transfer.objects.select_for_update(of=("self",))
        .select_related("source", "destination")
        .get(pk=order.pk)
    )


def transfer_dispatch(*, transfer: Transfer, by: User) -> Transfer:
    """The items leave the source: each goes in transit (an item booked or lent meanwhile
    stops the dispatch: nothing moves)."""
    with transaction.atomic():
        order = _locked(transfer)
        warehouse_staff_check(by=by, warehouse=order.source)
        if order.status != Transfer.Status.REQUESTED:
            if order.status in (Transfer.Status.DISPATCHED, Transfer.Status.IN_TRANSIT):
                return order
            raise ValidationError(_("This transfer cannot be dispatched now."))
        today = timezone.localdate()
        for line in order.lines.select_related("item"):
            booked = Loan.objects.filter(
                item_id=line.item_id, status__in=Loan.HOLDING, ends_on__gte=today
            ).exists()
            if booked:
                raise ValidationError(
                    _(
                        "%(tag)s was booked for a loan meanwhile: cancel this transfer "
                        "and ask again."
                    )
                    % {"tag": line.item.tag}
                )
            transition(
                line.item,
                field="state",
                to=Item.State.IN_TRANSIT,
                allowed_from={Item.State.AVAILABLE},
                by=by,
                reason=f"transfer {order.pk}",
                message=_("%(tag)s is not available to move any more.") % {"tag": line.item.tag},
            )
        return transition(
            order,
            to=Transfer.Status.DISPATCHED,
            allowed_from={Transfer.Status.REQUESTED},
            by=by,
            dispatched_at=timezone.now(),
        ).obj


def transfer_on_the_way(*, transfer: Transfer, by: User) -> Transfer:
    """The carrier has picked them up."""
    with transaction.atomic():
        order = _locked(transfer)
        warehouse_staff_check(by=by, warehouse=order.source)
        return transition(
            order,
            to=Transfer.Status.IN_TRANSIT,
            allowed_from={Transfer.Status.DISPATCHED},
            by=by,
        ).obj


def transfer_receive(*, transfer: Transfer, by: User, arrived_tags: set[str]) -> Transfer:
    """The count check on arrival: the tags ticked (or scanned) are what came. They are at
    the destination now, available and offered to its wait list; the rest are flagged as
    missing and stay in transit until found. A tag not on the transfer is refused."""
    arrived_tags = {t.strip().upper() for t in arrived_tags if t.strip()}
    with transaction.atomic():
        order = _locked(transfer)
        warehouse_staff_check(by=by, warehouse=order.destination)
        if order.status == Transfer.Status.RECEIVED:
            return order
        lines = list(order.lines.select_related("item"))
        unknown = arrived_tags - {line.item.tag for line in lines}
        if unknown:
            raise ValidationError(
                _("Not on this transfer: %(tags)s") % {"tags": ", ".join(sorted(unknown))}
            )
        missing = 0
        for line in lines:
            line.arrived = line.item.tag in arrived_tags
            line.save(update_fields=["arrived"])
            if not line.arrived:
                missing += 1
                transition_record(
                    obj=line.item,
                    from_state=line.item.state,
                    to_state=line.item.state,
                    by=by,
                    reason=f"missing on arrival of transfer {order.pk}",
                )
                continue
            moved = transition(
                line.item,
                field="state",
                to=Item.State.AVAILABLE,
                allowed_from={Item.State.IN_TRANSIT},
                by=by,
                reason=f"transfer {order.pk} received",
                warehouse=order.destination,
            ).obj
            waitlist_offer_next(item=moved, by=by)
        received = transition(
            order,
            to=Transfer.Status.RECEIVED,
            allowed_from={Transfer.Status.DISPATCHED, Transfer.Status.IN_TRANSIT},
            by=by,
            reason=f"{missing} missing" if missing else "all arrived",
            received_at=timezone.now(),
            missing=missing,
        ).obj
        if missing:
            from lending.services import notify

            notify.transfer_missing_notify(transfer=received)
        return received


def transfer_cancel(*, transfer: Transfer, by: User) -> Transfer:
    """Before it is dispatched, a transfer can be called off; its items never moved."""
    with transaction.atomic():
        order = _locked(transfer)
        warehouse_staff_check(by=by, warehouse=order.source)
        return transition(
            order,
            to=Transfer.Status.CANCELLED,
            allowed_from={Transfer.Status.REQUESTED},
            by=by,
        ).obj
