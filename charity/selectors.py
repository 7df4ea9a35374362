from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet

from accounts.models import Organisation, Resident, Station

if TYPE_CHECKING:
    from wagtail.models import Locale

    from charity.models import NewsArticlePage, NewsIndexPage


def home_figures() -> dict[str, Any]:
    """The home page's figures, counted from records (never typed by an editor)."""
    return {
        "stations": Station.objects.filter(is_active=True).count(),
        "member_companies": Organisation.objects.count(),
        "residents": Resident.objects.count(),
        "pool_balance": pool_balance(),
    }


def latest_news(*, locale: "Locale", limit: int) -> "QuerySet[NewsArticlePage]":
    from charity.models import NewsArticlePage

    return NewsArticlePage.objects.live().public().filter(locale=locale).order_by("-date")[:limit]


def news_articles(*, index_page: "NewsIndexPage") -> "QuerySet[NewsArticlePage]":
    from charity.models import NewsArticlePage

    return NewsArticlePage.objects.live().public().child_of(index_page).order_by("-date")


# --- the ledger -------------------------------------------------------------------------

FUND_KINDS_CASH = ("fund", "stripe_fees", "expenses", "refunds")


def fund_balances(
    *, currency: str | None = None, fund_ids: list[int] | None = None
) -> list[dict[str, Any]]:
    """Each fund's money (credits less fees, disbursements and refunds) and goods received.

    Computed from ledger legs: a fund's balance is minus the sum of the legs on its accounts.
    """
    from django.conf import settings
    from django.db.models import Q, Sum

    from charity.models import Fund

    currency = currency or settings.WISHPOOL_CURRENCY
    funds = Fund.objects.all() if fund_ids is None else Fund.objects.filter(pk__in=fund_ids)
    funds = funds.annotate(
        cash=Sum(
            "accounts__legs__amount",
            filter=Q(accounts__kind__in=FUND_KINDS_CASH, accounts__legs__currency=currency),
        ),
        in_kind=Sum(
            "accounts__legs__amount",
            filter=Q(accounts__kind="fund_in_kind", accounts__legs__currency=currency),
        ),
    )
    return [
        {
            "fund": fund,
            "balance": -(fund.cash or Decimal(0)),
            "in_kind": -(fund.in_kind or Decimal(0)),
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


def monthly_flows(*, months: int = 12, currency: str | None = None) -> list[dict[str, Any]]:
    """Money into and out of the funds, per local calendar month, from the ledger."""
    from zoneinfo import ZoneInfo

    from django.conf import settings
    from django.db.models import Q, Sum
    from django.db.models.functions import TruncMonth

    from charity.models import LedgerLeg

    currency = currency or settings.WISHPOOL_CURRENCY
    rows = (
        LedgerLeg.objects.filter(currency=currency, account__kind__in=FUND_KINDS_CASH)
        .exclude(entry__kind="transfer")  # money moving between our own funds is not in or out
        .annotate(month=TruncMonth("entry__posted_at", tzinfo=ZoneInfo(settings.TIME_ZONE)))
        .values("month")
        .annotate(
            money_in=Sum("amount", filter=Q(account__kind="fund", amount__lt=0)),
            money_out=Sum("amount", filter=Q(amount__gt=0)),
        )
        .order_by("-month")[:months]
    )
    return [
        {
            "month": row["month"],
            "in": -(row["money_in"] or 0),
            "out": row["money_out"] or Decimal(0),
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
    legs = LedgerLeg.objects.filter(currency=currency, account__kind="fund", amount__lt=0)
    if fund_ids is not None:
        legs = legs.filter(account__fund_id__in=fund_ids)
    rows = (
        legs.exclude(
            entry__kind="transfer", account__fund__kind__in=["general", "lending", "purpose"]
        )
        .values("account__fund_id")
        .annotate(total=Sum("amount"))
    )
    return {row["account__fund_id"]: -row["total"] for row in rows}


def transparency() -> dict[str, Any]:
    from donations.models import Donation
    from donations.selectors import public_name

    balances = fund_balances()
    raised = fund_raised()
    thermometers = []
    for row in balances:
        fund = row["fund"]
        if fund.is_published and fund.target_amount:
            got = raised.get(fund.pk, Decimal(0))
            percent = min(100, int(got * 100 / fund.target_amount))
            thermometers.append(
                {"fund": fund, "raised": got, "target": fund.target_amount, "percent": percent}
            )
    recent = Donation.objects.select_related("donor__organisation", "donor__user", "fund").order_by(
        "-received_at"
    )[:20]
    return {
        "pool_balance": sum((r["balance"] for r in balances), start=Decimal(0)),
        "in_kind_total": sum((r["in_kind"] for r in balances), start=Decimal(0)),
        "balances": [r for r in balances if r["fund"].is_published],
        "flows": monthly_flows(),
        "recent": [
            {
                "name": public_name(d),
                "amount": d.amount,
                "fund": d.fund,
                "date": d.received_at,
                "goods": d.method == "goods",
            }
            for d in recent
        ],
        "donor_wall": Organisation.objects.filter(show_on_donor_wall=True).order_by("display_name"),
        "thermometers": thermometers,
    }
