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
    }


def latest_news(*, locale: "Locale", limit: int) -> "QuerySet[NewsArticlePage]":
    from charity.models import NewsArticlePage

    return NewsArticlePage.objects.live().public().filter(locale=locale).order_by("-date")[:limit]


def news_articles(*, index_page: "NewsIndexPage") -> "QuerySet[NewsArticlePage]":
    from charity.models import NewsArticlePage

    return NewsArticlePage.objects.live().public().child_of(index_page).order_by("-date")


# --- the ledger -------------------------------------------------------------------------

FUND_KINDS_CASH = ("fund", "stripe_fees", "expenses", "refunds")


def fund_balances(*, currency: str | None = None) -> list[dict[str, Any]]:
    """Each fund's money (credits less fees, disbursements and refunds) and goods received.

    Computed from ledger legs: a fund's balance is minus the sum of the legs on its accounts.
    """
    from django.conf import settings
    from django.db.models import Q, Sum

    from charity.models import Fund

    currency = currency or settings.WISHPOOL_CURRENCY
    funds = Fund.objects.annotate(
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
