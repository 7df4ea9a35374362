"""Lending data built through the services, as the product does."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.models import Station, User
from lending import services
from lending.models import EquipmentType, Item, Loan, WaitlistEntry
from tests.accounts import factories as f


def equipment_type(slug: str = "wheelchair", **kw: object) -> EquipmentType:
    data: dict[str, object] = {
        "name": "轮椅",
        "name_en": "Wheelchair",
        "slug": slug,
        "daily_fee": Decimal("3"),
        "deposit": Decimal("300"),
    }
    data.update(kw)
    return services.equipment_type_create(**data)  # type: ignore[arg-type]


def items(type_: EquipmentType, station: Station, count: int = 1, prefix: str = "WC") -> list[Item]:
    start = Item.objects.count()
    return [
        services.item_add(
            type=type_,
            tag=f"{prefix}-{station.pk}-{start + i}",
            warehouse=station.warehouse,
            by=None,
        )
        for i in range(count)
    ]


def ask(
    worker: User, type_: EquipmentType, *, days: int = 5, starts_in: int = 0, **resident: object
) -> Loan | WaitlistEntry:
    """The worker asks, at their station, for a new resident (``resident``: their details) to
    borrow the type from ``starts_in`` days from today for ``days`` days: a loan when one is
    free, else a place on the wait list."""
    first = timezone.localdate() + timedelta(days=starts_in)
    return services.loan_request(
        resident=f.resident(by=worker, **resident),
        type=type_,
        station=worker.station,  # type: ignore[arg-type]
        starts_on=first,
        ends_on=first + timedelta(days=days - 1),
        by=worker,
    )
