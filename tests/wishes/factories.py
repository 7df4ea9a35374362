"""Wishes built through the services, as the product does."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.models import User
from tests.accounts import factories as f
from wishes.models import Wish
from wishes.services import lifecycle


def wish(
    *, worker: User | None = None, kind: str = "item", approve: bool = True, **kw: object
) -> Wish:
    worker = worker or f.worker()
    resident = kw.pop("resident", None) or f.resident(by=worker)
    data = {
        "title": "一台电风扇",
        "story": "夏天太热。",
        "category": "daily_goods",
        "kind": kind,
        "needed_by": timezone.localdate() + timedelta(days=20),
        "consent": "in_person",
        "quantity": 1 if kind == "item" else None,
        "target_amount": Decimal("100") if kind == "money" else None,
    }
    data.update(kw)
    made = lifecycle.wish_submit(by=worker, resident=resident, **data)  # type: ignore[arg-type]
    if approve:
        # a colleague at the same station approves: whoever posted a wish does not
        made = lifecycle.wish_approve(wish=made, by=colleague(worker))
    return made


def member() -> tuple[User, object]:
    """A company member who may give (members-only is off in tests)."""
    org = f.organisation()
    return org.memberships.get().user, org


def colleague(worker: User) -> User:
    """Another community worker of the same station (made the first time it is needed)."""
    existing = (
        User.objects.filter(groups__name="community_worker", station_id=worker.station_id)
        .exclude(pk=worker.pk)
        .first()
    )
    return existing or f.worker(worker.station)
