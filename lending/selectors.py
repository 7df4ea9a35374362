"""Reads for lending: what a loan costs a resident, and what is free where and when.

Eligibility reads the resident's private record, so its answer (why a loan is free) is shown
only to the resident and the station's staff, never on a public page.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, Max, Min, OuterRef, Q, Subquery
from django.utils import timezone

from accounts.models import HardshipStatus, Resident, Station
from lending.models import EquipmentType, Item, Loan, WaitlistEntry

# 低保, 低收入, 特困, 残疾 borrow free; other categories (优抚) pay like everyone else.
FREE_CATEGORIES = (
    HardshipStatus.Category.DIBAO,
    HardshipStatus.Category.LOW_INCOME,
    HardshipStatus.Category.TEKUN,
    HardshipStatus.Category.DISABILITY,
)
# Items that can be reserved for some dates (not in maintenance, transit, retired…).
LENDABLE = (Item.State.AVAILABLE, Item.State.ON_LOAN)


@dataclass(frozen=True)
class Terms:
    free: bool
    days: int
    fee: Decimal
    deposit: Decimal


def resident_eligible(*, resident: Resident, on: date | None = None) -> bool:
    """A verified protected category whose proof has not expired on that day."""
    on = on or timezone.localdate()
    return (
        HardshipStatus.objects.filter(
            private__resident=resident,
            category__in=FREE_CATEGORIES,
            proof_status=HardshipStatus.Proof.VERIFIED,
        )
        .filter(Q(expires_on__isnull=True) | Q(expires_on__gte=on))
        .exists()
    )


def loan_terms(*, resident: Resident, type: EquipmentType, starts_on: date, ends_on: date) -> Terms:
    days = (ends_on - starts_on).days + 1
    if resident_eligible(resident=resident):
        return Terms(free=True, days=days, fee=Decimal("0.00"), deposit=Decimal("0.00"))
    return Terms(free=False, days=days, fee=type.daily_fee * days, deposit=type.deposit)


def overlapping(*, item_ids: list[int], starts_on: date, ends_on: date) -> set[int]:
    """The items among these that a holding loan keeps on any of those days."""
    return set(
        Loan.objects.filter(
            item_id__in=item_ids,
            status__in=Loan.HOLDING,
            starts_on__lte=ends_on,
            ends_on__gte=starts_on,
        ).values_list("item_id", flat=True)
    )


def availability(*, types: list[EquipmentType] | None = None) -> dict[int, list[dict[str, Any]]]:
    """Per type, per station with such items: how many are free today and, when none is,
    the earliest day one is. Counted in the database, grouped by type and station (each
    item's last booked day is a subquery), so the rows read do not grow with the items."""
    today = timezone.localdate()
    busy_until = (
        Loan.objects.filter(item=OuterRef("pk"), status__in=Loan.HOLDING, ends_on__gte=today)
        .order_by()
        .values("item")
        .annotate(last=Max("ends_on"))
        .values("last")
    )
    items = Item.objects.filter(state__in=LENDABLE, warehouse__station__isnull=False)
    if types is not None:
        items = items.filter(type__in=types)
    grouped = (
        items.annotate(until=Subquery(busy_until))
        .order_by()
        .values("type_id", "warehouse__station_id")
        .annotate(free_now=Count("pk", filter=Q(until__isnull=True)), earliest=Min("until"))
    )
    counts = {
        (row["type_id"], row["warehouse__station_id"]): {
            "free_now": row["free_now"],
            "earliest": row["earliest"] + timedelta(days=1) if row["earliest"] else None,
        }
        for row in grouped
    }
    stations = {s.pk: s for s in Station.objects.filter(pk__in={k[1] for k in counts})}
    out: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for (type_id, station_id), entry in sorted(counts.items()):
        out[type_id].append({"station": stations[station_id], **entry})
    return dict(out)


def waitlist_position(*, entry: WaitlistEntry) -> int:
    """1 for the first in line: by urgency (higher first), then by when they joined."""
    ahead = Q(urgency__gt=entry.urgency) | Q(urgency=entry.urgency, created_at__lt=entry.created_at)
    return (
        WaitlistEntry.objects.filter(
            type_id=entry.type_id, station_id=entry.station_id, status=WaitlistEntry.Status.WAITING
        )
        .filter(ahead)
        .count()
        + 1
    )


def station_board(*, station: Station) -> dict[str, Any]:
    """A station's day for its workers: pickups due, returns due, overdue loans (with the
    phone from the private record, for staff only) and items in inspection."""
    today = timezone.localdate()
    here = Loan.objects.filter(item__warehouse__station=station).select_related(
        "item__type", "resident__private"
    )
    return {
        "pickups": here.filter(status=Loan.Status.RESERVED, starts_on__lte=today).order_by(
            "starts_on"
        ),
        "returns": here.filter(status=Loan.Status.ON_LOAN, ends_on=today),
        "overdue": here.filter(status=Loan.Status.ON_LOAN, ends_on__lt=today).order_by("ends_on"),
        "maintenance": Item.objects.filter(
            warehouse__station=station, state=Item.State.MAINTENANCE
        ).select_related("type"),
        "waiting": WaitlistEntry.objects.filter(
            station=station, status__in=WaitlistEntry.IN_LINE
        ).select_related("type", "resident", "item"),
    }


def loans_for_resident(*, resident: Resident) -> dict[str, Any]:
    """A borrower's own loans and places in line (what was kept of a deposit, and why)."""
    loans = (
        Loan.objects.filter(resident=resident)
        .select_related("item__type", "item__warehouse__station")
        .order_by("-starts_on", "-pk")[:50]
    )
    waiting = list(
        WaitlistEntry.objects.filter(
            resident=resident, status__in=WaitlistEntry.IN_LINE
        ).select_related("type", "station", "item")
    )
    for entry in waiting:
        entry.position = waitlist_position(entry=entry)  # type: ignore[attr-defined]
    return {"loans": loans, "waiting": waiting}


def transfer_suggestions() -> list[dict[str, Any]]:
    """Where people wait for a type that their station has none of free, and another
    warehouse has idle items of it (available, nothing booked ahead, not already moving):
    move as many as wait, or as are idle, from the warehouse with the most."""
    from lending.models import Transfer

    today = timezone.localdate()
    waiting: dict[tuple[int, int], int] = defaultdict(int)
    for type_id, station_id in WaitlistEntry.objects.filter(
        status=WaitlistEntry.Status.WAITING
    ).values_list("type_id", "station_id"):
        waiting[(type_id, station_id)] += 1
    if not waiting:
        return []
    moving = Transfer.objects.filter(
        status__in=(
            Transfer.Status.REQUESTED,
            Transfer.Status.DISPATCHED,
            Transfer.Status.IN_TRANSIT,
        )
    )
    idle = (
        Item.objects.filter(state=Item.State.AVAILABLE, type_id__in={t for t, _ in waiting})
        .exclude(loans__status__in=Loan.HOLDING, loans__ends_on__gte=today)
        .exclude(transfer_lines__transfer__in=moving)
        .select_related("warehouse", "type")
    )
    incoming: dict[tuple[int, int], int] = defaultdict(int)
    for type_id, warehouse_id in Item.objects.filter(
        transfer_lines__transfer__in=moving
    ).values_list("type_id", "transfer_lines__transfer__destination_id"):
        incoming[(type_id, warehouse_id)] += 1
    idle_by: dict[int, dict[int, list[Item]]] = defaultdict(lambda: defaultdict(list))
    for item in idle:
        idle_by[item.type_id][item.warehouse_id].append(item)
    stations = {
        s.pk: s
        for s in Station.objects.select_related("warehouse").filter(pk__in={s for _, s in waiting})
    }
    suggestions = []
    for (type_id, station_id), count in sorted(waiting.items()):
        station = stations[station_id]
        here = getattr(station, "warehouse", None)
        places = idle_by.get(type_id, {})
        if here is None or places.get(here.pk):
            continue  # nothing to fetch, or an item is free here already (it will be offered)
        count -= incoming[(type_id, here.pk)]  # already on its way
        if count <= 0:
            continue
        others = sorted(
            ((wid, items) for wid, items in places.items() if wid != here.pk),
            key=lambda pair: -len(pair[1]),
        )
        if not others:
            continue
        items = others[0][1]
        suggestions.append(
            {
                "type": items[0].type,
                "source": items[0].warehouse,
                "destination": here,
                "waiting": count,
                "idle": len(items),
                "count": min(count, len(items)),
            }
        )
    return suggestions


def items_lent_by(*, user: Any) -> list[Item]:
    """A lender's items (their own, or their companies') with each loan's dates and state:
    never who borrowed them or why a loan was free."""
    from accounts.selectors import organisations_for_user

    items = list(
        Item.objects.filter(
            Q(owner_user=user) | Q(owner_organisation__in=organisations_for_user(user=user))
        )
        .select_related("type", "warehouse")
        .order_by("tag")
    )
    history = defaultdict(list)
    for row in (
        Loan.objects.filter(item__in=items)
        .exclude(status=Loan.Status.CANCELLED)
        .values("item_id", "starts_on", "ends_on", "status")
        .order_by("-starts_on")
    ):
        history[row["item_id"]].append(row)
    for item in items:
        item.history = history[item.pk]  # type: ignore[attr-defined]
    return items


@dataclass(frozen=True)
class Origin:
    """Where the visitor is: a community they picked, or the location their browser gave."""

    latitude: float
    longitude: float
    label: str


def origin_from(params: Any) -> tuple[Origin | None, str]:
    """The origin named by ?community=<id> or ?lat=&lng=, or (None, a message) when what was
    given makes no sense; nothing given is (None, "")."""
    from django.utils.translation import gettext as _

    from accounts.models import Community
    from core.params import row_id

    community = params.get("community", "")
    if community:
        found = Community.objects.filter(pk=row_id(community)).first()
        if found is None:
            return None, _("Choose a community from the list.")
        return Origin(float(found.latitude), float(found.longitude), found.name), ""
    lat, lng = params.get("lat", ""), params.get("lng", "")
    if lat or lng:
        try:
            latitude, longitude = float(lat), float(lng)
        except ValueError:
            return None, _("Your location could not be read; choose your community instead.")
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            return None, _("Your location could not be read; choose your community instead.")
        return Origin(latitude, longitude, _("your location")), ""
    return None, ""


def nearest_first(rows: list[dict[str, Any]], origin: Origin | None) -> list[dict[str, Any]]:
    """Station rows with the walk from the origin, nearest first (stations without a place
    on the map last); unchanged without an origin."""
    from core.geo import distance_m, walking_minutes

    if origin is None:
        return rows
    placed = []
    for row in rows:
        station = row["station"]
        if station.latitude is None or station.longitude is None:
            placed.append({**row, "metres": None, "minutes": None})
            continue
        metres = distance_m(
            origin.latitude, origin.longitude, float(station.latitude), float(station.longitude)
        )
        placed.append({**row, "metres": round(metres), "minutes": walking_minutes(metres)})
    return sorted(placed, key=lambda r: (r["metres"] is None, r["metres"] or 0))


def lending_figures(*, station: Station | None = None, days: int = 90) -> dict[str, Any]:
    """Utilisation per type and station over the last ``days`` (days lent out of days held),
    what is out, in cleaning and waiting now, the average wait from joining the line to the
    loan, and loans by eligibility: counts only, never who."""
    today = timezone.localdate()
    start = today - timedelta(days=days - 1)
    items = Item.objects.exclude(state__in=(Item.State.RETIRED, Item.State.WITH_OWNER)).filter(
        warehouse__station__isnull=False
    )
    loans = Loan.objects.filter(handed_out_at__isnull=False, starts_on__lte=today).filter(
        Q(status=Loan.Status.ON_LOAN) | Q(returned_at__date__gte=start)
    )
    waiting = WaitlistEntry.objects.filter(status__in=WaitlistEntry.IN_LINE)
    served = WaitlistEntry.objects.filter(
        status=WaitlistEntry.Status.SERVED, loan__created_at__date__gte=start
    )
    started = Loan.objects.filter(created_at__date__gte=start).exclude(status=Loan.Status.CANCELLED)
    if station is not None:
        items = items.filter(warehouse__station=station)
        loans = loans.filter(item__warehouse__station=station)
        waiting = waiting.filter(station=station)
        served = served.filter(station=station)
        started = started.filter(item__warehouse__station=station)
    rows: dict[tuple[int, int], dict[str, Any]] = {}
    names = {t.pk: t for t in EquipmentType.objects.all()}
    stations = {s.pk: s for s in Station.objects.all()}

    def row(type_id: int, station_id: int) -> dict[str, Any]:
        return rows.setdefault(
            (type_id, station_id),
            {
                "type": names[type_id],
                "station": stations[station_id],
                "items": 0,
                "out": 0,
                "cleaning": 0,
                "lent_days": 0,
                "waiting": 0,
            },
        )

    for type_id, station_id, state in items.values_list(
        "type_id", "warehouse__station_id", "state"
    ):
        r = row(type_id, station_id)
        r["items"] += 1
        r["out"] += state == Item.State.ON_LOAN
        r["cleaning"] += state == Item.State.MAINTENANCE
    for type_id, station_id, out_at, back in loans.values_list(
        "item__type_id", "item__warehouse__station_id", "handed_out_at", "returned_at"
    ):
        first = timezone.localtime(out_at).date()
        end = timezone.localtime(back).date() if back else today
        overlap = (min(end, today) - max(first, start)).days + 1
        if overlap > 0:
            row(type_id, station_id)["lent_days"] += overlap
    for type_id, station_id in waiting.values_list("type_id", "station_id"):
        row(type_id, station_id)["waiting"] += 1
    for r in rows.values():
        held = r["items"] * days
        r["utilisation"] = round(100 * r["lent_days"] / held) if held else 0
    waits = [
        (loan_at - joined).total_seconds() / 86400
        for joined, loan_at in served.values_list("created_at", "loan__created_at")
    ]
    return {
        "days": days,
        "rows": sorted(rows.values(), key=lambda r: (r["type"].sort_order, r["station"].name)),
        "average_wait_days": round(sum(waits) / len(waits), 1) if waits else None,
        "served": len(waits),
        "loans_free": started.filter(free=True).count(),
        "loans_paid": started.filter(free=False).count(),
    }
