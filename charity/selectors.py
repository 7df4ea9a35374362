"""Reads of the pool's books: balances, flows and what each fund raised, all from ledger legs."""

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet

from charity.totals import figures_kept

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

    A fund's balance is minus the sum of the legs on its accounts, read from the monthly totals
    the posting service keeps (no scan of the legs), or from the legs themselves when
    ``before`` falls inside a month.
    """
    from django.conf import settings
    from django.db.models import F, Sum

    from charity.models import Fund
    from charity.totals import month_of, month_start

    currency = currency or settings.WISHPOOL_CURRENCY
    funds = Fund.objects.all() if fund_ids is None else Fund.objects.filter(pk__in=fund_ids)
    if before is not None and not month_start(before):
        return _fund_balances_from_legs(funds=funds, currency=currency, before=before)
    rows = Q(accounts__months__currency=currency)
    if before is not None:
        rows &= Q(accounts__months__month__lt=month_of(before))
    net = F("accounts__months__debits") + F("accounts__months__credits")
    funds = funds.annotate(
        cash=Sum(net, filter=rows & Q(accounts__kind__in=FUND_KINDS_CASH)),
        in_kind=Sum(net, filter=rows & Q(accounts__kind="fund_in_kind")),
        deposits=Sum(net, filter=rows & Q(accounts__kind="deposits_held")),
    )
    return _balance_rows(funds)


def _fund_balances_from_legs(
    *, funds: "QuerySet[Fund]", currency: str, before: "datetime"
) -> list[dict[str, Any]]:
    from django.db.models import Sum

    legs = Q(accounts__legs__currency=currency, accounts__legs__entry__posted_at__lt=before)
    funds = funds.annotate(
        cash=Sum("accounts__legs__amount", filter=legs & Q(accounts__kind__in=FUND_KINDS_CASH)),
        in_kind=Sum("accounts__legs__amount", filter=legs & Q(accounts__kind="fund_in_kind")),
        deposits=Sum("accounts__legs__amount", filter=legs & Q(accounts__kind="deposits_held")),
    )
    return _balance_rows(funds)


def _balance_rows(funds: "QuerySet[Any]") -> list[dict[str, Any]]:
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
    from django.db.models import F, Sum

    from charity.models import Account

    return (
        Account.objects.select_related("fund")
        .annotate(balance=Sum(F("months__debits") + F("months__credits")))
        .order_by("code")
    )


def pool_totals(*, currency: str | None = None) -> dict[str, Decimal]:
    """The whole pool (every fund together): money, goods held at value and deposits, in one
    aggregate over the monthly totals however many funds there are (each money wish has one)."""
    from django.conf import settings
    from django.db.models import F, Sum

    from charity.models import LedgerMonth

    net = F("debits") + F("credits")
    totals = LedgerMonth.objects.filter(
        currency=currency or settings.WISHPOOL_CURRENCY, account__fund__isnull=False
    ).aggregate(
        cash=Sum(net, filter=Q(account__kind__in=FUND_KINDS_CASH)),
        in_kind=Sum(net, filter=Q(account__kind="fund_in_kind")),
        deposits=Sum(net, filter=Q(account__kind="deposits_held")),
    )
    return {
        "balance": -(totals["cash"] or Decimal(0)),
        "in_kind": -(totals["in_kind"] or Decimal(0)),
        "deposits": -(totals["deposits"] or Decimal(0)),
    }


def published_fund_ids() -> list[int]:
    from charity.models import Fund

    return list(Fund.objects.filter(is_published=True).values_list("pk", flat=True))


# What the public pages and the open-data API show of the books, kept per generation of the
# books (charity.totals.figures_kept). Never the basis of a decision about money: a service
# that checks a balance (disbursement_approve) reads fund_balances itself, under its lock.


@figures_kept
def published_figures(*, currency: str | None = None) -> dict[str, Any]:
    """The pool's totals, and each published fund's balance (in the funds' order) and what
    it raised."""
    published = published_fund_ids()
    return {
        "pool": pool_totals(currency=currency),
        "balances": fund_balances(currency=currency, fund_ids=published),
        "raised": fund_raised(currency=currency, fund_ids=published),
    }


@figures_kept
def published_flows(*, months: int = 12, fund_id: int | None = None) -> list[dict[str, Any]]:
    """Money in and out per month, of the pool or of one published fund (``monthly_flows``)."""
    return monthly_flows(months=months, fund_ids=None if fund_id is None else [fund_id])


def monthly_flows(
    *, months: int = 12, currency: str | None = None, fund_ids: list[int] | None = None
) -> list[dict[str, Any]]:
    """Money into and out of the pool (or of the funds ``fund_ids``), per local calendar
    month, from the ledger's monthly totals.

    A reversal (a gift voided as recorded in error, a disbursement undone) is not new money
    out or in: it takes back from the side it corrects, so a voided gift lowers "in".
    """
    from django.conf import settings
    from django.db.models import F, Sum

    from charity.models import LedgerMonth

    currency = currency or settings.WISHPOOL_CURRENCY
    totals = LedgerMonth.objects.filter(currency=currency, account__kind__in=FUND_KINDS_CASH)
    if fund_ids is None:
        # money moving between our own funds is not in or out of the pool
        totals = totals.exclude(entry_kind="transfer")
    else:
        # but it is in or out of one fund
        totals = totals.filter(account__fund_id__in=fund_ids)
    reversal = Q(entry_kind="reversal")
    rows = (
        totals.values("month")
        .annotate(
            money_in=Sum("credits", filter=Q(account__kind="fund") & ~reversal),
            money_out=Sum("debits", filter=~reversal),
            # a reversal's leg on a fund undoes money in; its credit to a fee, disbursement
            # or refund account undoes money out
            undone_in=Sum(F("debits") + F("credits"), filter=reversal & Q(account__kind="fund")),
            undone_out=Sum("credits", filter=reversal & ~Q(account__kind="fund")),
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
    from django.db.models import F, Sum

    from charity.models import LedgerMonth

    currency = currency or settings.WISHPOOL_CURRENCY
    totals = LedgerMonth.objects.filter(currency=currency, account__kind="fund")
    if fund_ids is not None:
        totals = totals.filter(account__fund_id__in=fund_ids)
    reversal = Q(entry_kind="reversal")
    rows = (
        # Money moved in from the pool counts as raised only for an earmarked fund (a wish
        # funded from the pool); for the pool's own funds it is neither in nor out.
        totals.exclude(
            entry_kind="transfer", account__fund__kind__in=["general", "lending", "purpose"]
        )
        .values("account__fund_id")
        # a reversal (a gift voided as recorded in error) takes back what it had raised
        .annotate(
            credited=Sum("credits", filter=~reversal),
            reversed=Sum(F("debits") + F("credits"), filter=reversal),
        )
    )
    return {
        row["account__fund_id"]: -(
            (row["credited"] or Decimal(0)) + (row["reversed"] or Decimal(0))
        )
        for row in rows
    }


def fund_net_received(*, fund_ids: list[int], currency: str | None = None) -> dict[int, Decimal]:
    """What each fund holds from what came in (gifts and transfers in) less what went back
    (refunds): one query however many funds."""
    from django.conf import settings
    from django.db.models import F, Sum

    from charity.models import LedgerMonth

    if not fund_ids:
        return {}
    rows = (
        LedgerMonth.objects.filter(
            currency=currency or settings.WISHPOOL_CURRENCY,
            account__fund_id__in=fund_ids,
            account__kind__in=("fund", "refunds"),
        )
        .values("account__fund_id")
        .annotate(total=Sum(F("debits") + F("credits")))
    )
    return {row["account__fund_id"]: -row["total"] for row in rows}


def goods_given_out(*, since: "datetime", until: "datetime", currency: str) -> Decimal:
    """The value of goods given out of stock in a period (from the monthly totals when the
    period is whole months, as a year is)."""
    from django.db.models import Sum

    from charity.models import LedgerLeg, LedgerMonth
    from charity.totals import month_of, month_start

    if month_start(since) and month_start(until):
        total = LedgerMonth.objects.filter(
            currency=currency,
            account__kind="fund_in_kind",
            month__gte=month_of(since),
            month__lt=month_of(until),
        ).aggregate(total=Sum("debits"))["total"]
    else:
        total = LedgerLeg.objects.filter(
            currency=currency,
            entry__posted_at__gte=since,
            entry__posted_at__lt=until,
            account__kind="fund_in_kind",
            amount__gt=0,
        ).aggregate(total=Sum("amount"))["total"]
    return total or Decimal(0)


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
