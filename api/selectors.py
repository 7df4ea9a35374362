"""What the open-data API reads: public figures only, never a resident, a hardship category or
the name of a donor who asked not to be named. Each function returns plain data the views
serialise (and cache)."""

from datetime import date
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, QuerySet
from django.db.models.functions import TruncMonth

from charity.models import Fund
from charity.selectors import published_figures, published_flows
from donations.models import Donation
from donations.selectors import public_name
from lending.models import EquipmentType, Loan
from reports.figures import bounds
from wishes.models import Wish


def funds() -> dict[str, Any]:
    """The pool and each published fund: balance, goods held at value, target and raised."""
    figures = published_figures()
    balances, raised, pool = figures["balances"], figures["raised"], figures["pool"]
    return {
        "currency": settings.WISHPOOL_CURRENCY,
        "pool_balance": pool["balance"],
        "goods_in_stock": pool["in_kind"],
        "funds": [
            {
                "code": r["fund"].code,
                "name": r["fund"].name,
                "name_en": r["fund"].name_en,
                "kind": r["fund"].kind,
                "balance": r["balance"],
                "goods": r["in_kind"],
                "target": r["fund"].target_amount,
                "raised": raised.get(r["fund"].pk, Decimal(0)),
            }
            for r in balances  # published funds only, in their own order
        ],
    }


def published_fund(code: str) -> Fund | None:
    return Fund.objects.filter(code=code, is_published=True).first()


def flows(*, months: int, fund: Fund | None) -> dict[str, Any]:
    rows = published_flows(months=months, fund_id=fund.pk if fund else None)
    return {
        "currency": settings.WISHPOOL_CURRENCY,
        "fund": fund.code if fund else None,
        "months": [
            {"month": r["month"].strftime("%Y-%m"), "money_in": r["in"], "money_out": r["out"]}
            for r in rows
        ],
    }


# The days a period may name (a wider one would overflow the local-midnight arithmetic).
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2100, 12, 31)

WISH_GROUPS = {
    "status": "status",
    "category": "category",
    "station": "station__name",
    "month": "month",
}
LOAN_GROUPS = {
    "status": "status",
    "type": "item__type__slug",
    "station": "item__warehouse__name",
    "month": "month",
}


def _counted(rows: QuerySet[Any], field: str, labels: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for row in rows:
        key = row[field]
        if field == "month":
            key = key.strftime("%Y-%m") if key else None
        out.append({"key": key, "label": str(labels.get(key, key) or ""), "count": row["count"]})
    return out


def _months(qs: QuerySet[Any], field: str) -> QuerySet[Any]:
    return qs.annotate(month=TruncMonth(field, tzinfo=ZoneInfo(settings.TIME_ZONE)))


def _within(qs: QuerySet[Any], field: str, since: date | None, until: date | None) -> QuerySet[Any]:
    """Rows whose ``field`` falls on the local days ``since``..``until`` (either may be open)."""
    if since or until:
        start, end = bounds(since or FIRST_DAY, until or LAST_DAY)
        qs = qs.filter(**{f"{field}__gte": start, f"{field}__lt": end})
    return qs


def _count_by(
    qs: QuerySet[Any],
    *,
    by: str,
    groups: dict[str, str],
    dated: str,
    since: date | None,
    until: date | None,
    labels: dict[str, Any],
) -> list[dict[str, Any]]:
    qs = _within(qs, dated, since, until)
    if by == "month":
        qs = _months(qs, dated)
    field = groups[by]
    return _counted(qs.values(field).annotate(count=Count("pk")).order_by(field), field, labels)


def wish_counts(*, by: str, since: date | None, until: date | None) -> list[dict[str, Any]]:
    """Public wishes (never one under review, refused or withdrawn) counted by status,
    category, station or month published."""
    return _count_by(
        Wish.objects.filter(status__in=Wish.PUBLIC_STATUSES, published_at__isnull=False),
        by=by,
        groups=WISH_GROUPS,
        dated="published_at",
        since=since,
        until=until,
        labels={**dict(Wish.Status.choices), **dict(Wish.Category.choices)},
    )


def loan_counts(*, by: str, since: date | None, until: date | None) -> list[dict[str, Any]]:
    """Loans (never who borrowed) counted by status, type, warehouse or month requested."""
    labels: dict[str, Any] = (
        dict(EquipmentType.objects.values_list("slug", "name"))
        if by == "type"
        else dict(Loan.Status.choices)
    )
    return _count_by(
        Loan.objects.exclude(status=Loan.Status.CANCELLED),
        by=by,
        groups=LOAN_GROUPS,
        dated="created_at",
        since=since,
        until=until,
        labels=labels,
    )


def public_donations(
    *, fund: Fund | None, since: date | None, until: date | None
) -> QuerySet[Donation]:
    """Gifts as the transparency page lists them: not voided or wholly refunded."""
    qs = (
        Donation.objects.filter(is_gift=True)
        .exclude(status__in=(Donation.Status.VOIDED, Donation.Status.REFUNDED))
        .select_related("donor__organisation", "donor__user", "fund")
        .order_by("-received_at", "-pk")
    )
    if fund is not None:
        qs = qs.filter(fund=fund)
    return _within(qs, "received_at", since, until)


def donation_row(donation: Donation) -> dict[str, Any]:
    return {
        "name": public_name(donation),
        "named": donation.show_name,
        "amount": donation.amount - donation.refunded_amount,
        "currency": donation.currency,
        "fund": donation.fund.code if donation.fund.is_published else None,
        "received_on": donation.received_at.astimezone(ZoneInfo(settings.TIME_ZONE)).date(),
        "goods": donation.method == Donation.Method.GOODS,
    }
