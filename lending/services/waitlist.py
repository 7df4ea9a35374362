"""The wait list's offers: when an item of a type passes inspection at a station where people
wait for that type, the first in line (urgency, then time) is offered it for 48 hours; the
item is held for them meanwhile. Accepting makes the loan; declining or letting the offer
lapse passes the item to the next in line. Each step locks the entry and the item, checks
their states and writes history, so a beat job run twice, or an accept racing the expiry,
ends one way only.
"""

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import selectors as account_selectors
from accounts.models import User
from core.transitions import transition, transition_record
from lending import selectors
from lending.models import Item, Loan, WaitlistEntry
from lending.services.loans import loan_make, may_request

OFFER_HOURS = 48


def waitlist_offer_next(*, item: Item, by: User | None = None) -> WaitlistEntry | None:
    """Offer an available item to the first in line for its type at its station, inside the
    caller's transaction. None when nobody waits (the item stays available)."""
    locked = (
        Item.objects.select_for_update(of=("self",)).select_related("warehouse").get(pk=item.pk)
    )
    station_id = locked.warehouse.station_id
    if locked.state != Item.State.AVAILABLE or station_id is None:
        return None
    today = timezone.localdate()
    if locked.lent_until is not None and locked.lent_until <= today:
        return None  # its owner's term is over: it goes back, not out
    if locked.loans.filter(status__in=Loan.HOLDING, ends_on__gte=today).exists():
        return None  # already booked: it serves that booking, not an offer held over it
    entry = (
        WaitlistEntry.objects.select_for_update()
        .filter(type_id=locked.type_id, station_id=station_id, status=WaitlistEntry.Status.WAITING)
        .order_by("-urgency", "created_at", "pk")
        .first()
    )
    if entry is None:
        return None
    now = timezone.now()
    transition(
        locked,
        field="state",
        to=Item.State.RESERVED,
        allowed_from={Item.State.AVAILABLE},
        by=by,
        reason=f"offered to wait list entry {entry.pk}",
    )
    moved = transition(
        entry,
        to=WaitlistEntry.Status.OFFERED,
        allowed_from={WaitlistEntry.Status.WAITING},
        by=by,
        reason="offered",
        item=locked,
        offered_at=now,
        offer_expires_at=now + timedelta(hours=OFFER_HOURS),
    ).obj
    from lending.services import notify

    notify.offer_notify(entry=moved)
    return moved


def _locked_offer(entry: WaitlistEntry) -> WaitlistEntry:
    return (
        WaitlistEntry.objects.select_for_update(of=("self",))
        .select_related("resident", "type", "station", "item")
        .get(pk=entry.pk)
    )


def waitlist_offer_accept(*, entry: WaitlistEntry, by: User) -> Loan:
    """The resident (or a worker for them) takes the item offered: a loan for the days they
    asked for, moved to start today if that day has passed, priced from the private record
    as any loan. A repeat returns the loan made the first time."""
    with transaction.atomic():
        locked = _locked_offer(entry)
        if not may_request(by=by, resident=locked.resident):
            raise PermissionDenied
        if locked.status == WaitlistEntry.Status.SERVED and locked.loan is not None:
            return locked.loan
        if locked.status != WaitlistEntry.Status.OFFERED or locked.item is None:
            raise ValidationError(_("This offer is no longer open."))
        if locked.offer_expires_at is None or locked.offer_expires_at <= timezone.now():
            raise ValidationError(_("This offer has lapsed; the item went to the next in line."))
        item = Item.objects.select_for_update().get(pk=locked.item.pk)
        today = timezone.localdate()
        starts_on = max(locked.starts_on, today)
        ends_on = starts_on + (locked.ends_on - locked.starts_on)
        if item.lent_until is not None and ends_on > item.lent_until:
            ends_on = item.lent_until  # never past its owner's term
        if ends_on < starts_on:
            raise ValidationError(_("This item goes back to its owner; ask the station."))
        if selectors.overlapping(item_ids=[item.pk], starts_on=starts_on, ends_on=ends_on):
            raise ValidationError(_("This item is booked on some of those days; ask the station."))
        terms = selectors.loan_terms(
            resident=locked.resident, type=locked.type, starts_on=starts_on, ends_on=ends_on
        )
        transition(
            item,
            field="state",
            to=Item.State.AVAILABLE,
            allowed_from={Item.State.RESERVED},
            by=by,
            reason=f"offer {locked.pk} accepted",
        )
        loan = loan_make(
            item=item,
            resident=locked.resident,
            by=by,
            starts_on=starts_on,
            ends_on=ends_on,
            terms=terms,
            reason="offered",
        )
        transition(
            locked,
            to=WaitlistEntry.Status.SERVED,
            allowed_from={WaitlistEntry.Status.OFFERED},
            by=by,
            reason="offer accepted",
            loan=loan,
        )
        return loan


def waitlist_offer_decline(*, entry: WaitlistEntry, by: User) -> WaitlistEntry:
    """The resident does not want it now: they leave the line and the next is offered it."""
    with transaction.atomic():
        locked = _locked_offer(entry)
        if not may_request(by=by, resident=locked.resident):
            raise PermissionDenied
        if locked.status != WaitlistEntry.Status.OFFERED:
            return locked
        return _offer_end(locked, to=WaitlistEntry.Status.WITHDRAWN, by=by, reason="declined")


def _offer_end(entry: WaitlistEntry, *, to: str, by: User | None, reason: str) -> WaitlistEntry:
    """End an open offer (declined or lapsed); the item goes to the next in line."""
    item = entry.item
    assert item is not None
    ended = transition(
        entry, to=to, allowed_from={WaitlistEntry.Status.OFFERED}, by=by, reason=reason
    ).obj
    held = Item.objects.select_for_update().get(pk=item.pk)
    if held.state == Item.State.RESERVED:
        transition(
            held,
            field="state",
            to=Item.State.AVAILABLE,
            allowed_from={Item.State.RESERVED},
            by=by,
            reason=f"offer {entry.pk} {reason}",
        )
        waitlist_offer_next(item=held, by=by)
    return ended


def waitlist_offers_expire() -> int:
    """Beat: offers past their 48 hours lapse, and each item is offered to the next in line.
    Each offer in its own transaction under its lock; run twice, the second finds none."""
    ended = 0
    due = WaitlistEntry.objects.filter(
        status=WaitlistEntry.Status.OFFERED, offer_expires_at__lte=timezone.now()
    ).values_list("pk", flat=True)
    for pk in list(due):
        with transaction.atomic():
            locked = _locked_offer(WaitlistEntry(pk=pk))
            if locked.status != WaitlistEntry.Status.OFFERED:
                continue
            if locked.offer_expires_at and locked.offer_expires_at > timezone.now():
                continue
            _offer_end(locked, to=WaitlistEntry.Status.EXPIRED, by=None, reason="offer expired")
            ended += 1
    return ended


def waitlist_urgency_set(*, entry: WaitlistEntry, urgency: int, by: User) -> WaitlistEntry:
    """Staff of the station put someone's need first (0 ordinary … 3 most urgent)."""
    if not (0 <= urgency <= 3):
        raise ValidationError(_("Urgency is between 0 and 3."))
    with transaction.atomic():
        locked = _locked_offer(entry)
        staff = account_selectors.is_fund_administrator(by) or (
            account_selectors.is_community_worker(by) and by.station_id == locked.station_id
        )
        if not staff:
            raise PermissionDenied
        if locked.urgency == urgency or locked.status not in WaitlistEntry.IN_LINE:
            return locked
        before = locked.urgency
        locked.urgency = urgency
        locked.save(update_fields=["urgency"])
        transition_record(
            obj=locked,
            from_state=locked.status,
            to_state=locked.status,
            by=by,
            reason=f"urgency {before} → {urgency}",
        )
        return locked


def waiting_anyone(*, item: Item) -> bool:
    """Whether someone at the item's station is in line for its type (renewals wait then)."""
    return WaitlistEntry.objects.filter(
        Q(type_id=item.type_id, station_id=item.warehouse.station_id),
        status__in=WaitlistEntry.IN_LINE,
    ).exists()
