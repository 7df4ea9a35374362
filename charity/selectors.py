"""Reads of the pool's books: balances, flows and what each fund raised, all from ledger legs."""

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet

if TYPE_CHECKING:
    from datetime import datetime

    from charity.models import Fund

FUND_KINDS_CASH = ("fund", "stripe_fees", "expenses", "refunds")


def fund_general() -> "Fund":
    """The general pool (created by charity/migrations/0004_funds.py, never removed)."""
    from charity.models import Fund

    return Fund.objects.get(code="general")


def fund_balances(
    *,
    currency: str | None = None,
    fund_ids: list[int] | None = None,
    before: "datetime | None" = None,
) -> list[dict[str, Any]]:
    """Each fund's money (credits less fees, disbursements and refunds), goods received and
    deposits held; now, or as they stood ``before`` a moment (a report's period ends).

    Computed from ledger legs: a fund's balance is minus the sum of the legs on its accounts.
    """
    from django.conf import settings
    from django.db.models import Q, Sum

    from charity.models import Fund

    currency = currency or settings.WISHPOOL_CURRENCY
    funds = Fund.objects.all() if fund_ids is None else Fund.objects.filter(pk__in=fund_ids)
    legs = Q(accounts__legs__currency=currency)
    if before is not None:
        legs &= Q(accounts__legs__entry__posted_at__lt=before)
    funds = funds.annotate(
        cash=Sum("accounts__legs__amount", filter=legs & Q(accounts__kind__in=FUND_KINDS_CASH)),
        in_kind=Sum("accounts__legs__amount", filter=legs & Q(accounts__kind="fund_in_kind")),
        deposits=Sum("accounts__legs__amount", filter=legs & Q(accounts__kind="deposits_held")),
    )
    return [
        {
            "fund": fund,
            "balance": -(fund.cash or Decimal(0)),
            "in_kind": -(fund.in_kind or Decimal(0)),
            "deposits": -(fund.deposits or Decimal(0)),
        }
        for fund in funds
    ]


def account_balances() -> "QuerySet[Any]":
    from django.db.models import Sum

    from charity.models import Account

    return (
        Account.objects.select_related("fund")
        .annotate(balance=Sum("legs__amount"))
        .order_by("code")
    )


def pool_balance(*, currency: str | None = None) -> Decimal:
    return sum((row["balance"] for row in fund_balances(currency=currency)), start=Decimal(0))


def monthly_flows(
    *, months: int = 12, currency: str | None = None, fund_ids: list[int] | None = None
) -> list[dict[str, Any]]:
    """Money into and out of the pool (or of the funds ``fund_ids``), per local calendar
    month, from the ledger.

    A reversal (a gift voided as recorded in error, a disbursement undone) is not new money
    out or in: it takes back from the side it corrects, so a voided gift lowers "in".
    """
    from zoneinfo import ZoneInfo

    from django.conf import settings
    from django.db.models import Q, Sum
    from django.db.models.functions import TruncMonth

    from charity.models import LedgerLeg

    currency = currency or settings.WISHPOOL_CURRENCY
    legs = LedgerLeg.objects.filter(currency=currency, account__kind__in=FUND_KINDS_CASH)
    if fund_ids is None:
        # money moving between our own funds is not in or out of the pool
        legs = legs.exclude(entry__kind="transfer")
    else:
        # but it is in or out of one fund
        legs = legs.filter(account__fund_id__in=fund_ids)
    rows = (
        legs.annotate(month=TruncMonth("entry__posted_at", tzinfo=ZoneInfo(settings.TIME_ZONE)))
        .values("month")
        .annotate(
            money_in=Sum(
                "amount",
                filter=Q(account__kind="fund", amount__lt=0) & ~Q(entry__kind="reversal"),
            ),
            money_out=Sum("amount", filter=Q(amount__gt=0) & ~Q(entry__kind="reversal")),
            # a reversal's leg on a fund undoes money in; its credit to a fee, disbursement
            # or refund account undoes money out
            undone_in=Sum("amount", filter=Q(entry__kind="reversal", account__kind="fund")),
            undone_out=Sum(
                "amount",
                filter=Q(entry__kind="reversal", amount__lt=0) & ~Q(account__kind="fund"),
            ),
        )
        .order_by("-month")[:months]
    )
    return [
        {
            "month": row["month"],
            "in": -(row["money_in"] or 0) - (row["undone_in"] or 0),
            "out": (row["money_out"] or Decimal(0)) + (row["undone_out"] or 0),
        }
        for row in rows
    ]


def fund_raised(
    *, currency: str | None = None, fund_ids: list[int] | None = None
) -> dict[int, Decimal]:
    """What each fund has received (credits to its pool), for the thermometers."""
    from django.conf import settings
    from django.db.models import Sum

    from charity.models import LedgerLeg

    currency = currency or settings.WISHPOOL_CURRENCY
    # A reversal (a gift voided as recorded in error) takes back what it had raised.
    legs = LedgerLeg.objects.filter(currency=currency, account__kind="fund").filter(
        Q(amount__lt=0) | Q(entry__kind="reversal")
    )
    if fund_ids is not None:
        legs = legs.filter(account__fund_id__in=fund_ids)
    rows = (
        # Money moved in from the pool counts as raised only for an earmarked fund (a wish
        # funded from the pool); for the pool's own funds it is neither in nor out.
        legs.exclude(
            entry__kind="transfer", account__fund__kind__in=["general", "lending", "purpose"]
        )
        .values("account__fund_id")
        .annotate(total=Sum("amount"))
    )
    return {row["account__fund_id"]: -row["total"] for row in rows}


def fund_net_received(*, fund_ids: list[int], currency: str | None = None) -> dict[int, Decimal]:
    """What each fund holds from what came in (gifts and transfers in) less what went back
    (refunds): one query however many funds."""
    from django.conf import settings
    from django.db.models import Sum

    from charity.models import LedgerLeg

    if not fund_ids:
        return {}
    rows = (
        LedgerLeg.objects.filter(
            currency=currency or settings.WISHPOOL_CURRENCY,
            account__fund_id__in=fund_ids,
            account__kind__in=("fund", "refunds"),
        )
        .values("account__fund_id")
        .annotate(total=Sum("amount"))
    )
    return {row["account__fund_id"]: -row["total"] for row in rows}


def stock_by_warehouse() -> list[dict[str, Any]]:
    """Each warehouse with its lots that still hold goods (oldest first) and their value."""
    from accounts.models import Warehouse
    from charity.models import StockLot

    lots = (
        StockLot.objects.filter(quantity_on_hand__gt=0)
        .select_related("warehouse")
        .order_by("warehouse_id", "created_at", "pk")
    )
    by_warehouse: dict[int, list[StockLot]] = {}
    for lot in lots:
        by_warehouse.setdefault(lot.warehouse_id, []).append(lot)
    return [
        {
            "warehouse": warehouse,
            "lots": by_warehouse.get(warehouse.pk, []),
            "value": sum(
                (
                    lot.quantity_on_hand * lot.unit_value
                    for lot in by_warehouse.get(warehouse.pk, [])
                ),
                start=Decimal(0),
            ),
        }
        for warehouse in Warehouse.objects.select_related("station").order_by("-is_main", "name")
    ]
