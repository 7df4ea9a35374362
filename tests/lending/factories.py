"""Lending data built through the services, as the product does."""

from decimal import Decimal

from accounts.models import Station
from lending import services
from lending.models import EquipmentType, Item


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
