"""Reads across every domain for the public site: home figures, news, the transparency page."""

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import F, QuerySet

from accounts.models import Organisation, Resident, Station
from charity.selectors import published_figures, published_flows
from donations.models import Donation
from donations.selectors import public_name

if TYPE_CHECKING:
    from wagtail.models import Locale

    from portal.models import AnnualReportPage, AnnualReportPdf, NewsArticlePage, NewsIndexPage


def home_figures() -> dict[str, Any]:
    """The home page's figures, counted from records (never typed by an editor)."""
    return {
        "stations": Station.objects.filter(is_active=True).count(),
        "member_companies": Organisation.objects.count(),
        "residents": Resident.objects.count(),
        "pool_balance": published_figures()["pool"]["balance"],
    }


def latest_news(*, locale: "Locale", limit: int) -> "QuerySet[NewsArticlePage]":
    from portal.models import NewsArticlePage

    return NewsArticlePage.objects.live().public().filter(locale=locale).order_by("-date")[:limit]


def news_articles(*, index_page: "NewsIndexPage") -> "QuerySet[NewsArticlePage]":
    from portal.models import NewsArticlePage

    return NewsArticlePage.objects.live().public().child_of(index_page).order_by("-date")


def transparency() -> dict[str, Any]:
    figures = published_figures()
    balances, raised, pool = figures["balances"], figures["raised"], figures["pool"]
    thermometers = []
    for row in balances:
        fund = row["fund"]
        if fund.target_amount:
            got = raised.get(fund.pk, Decimal(0))
            percent = min(100, int(got * 100 / fund.target_amount))
            thermometers.append(
                {"fund": fund, "raised": got, "target": fund.target_amount, "percent": percent}
            )
    # A gift voided as recorded in error never happened; a refunded one shows what stayed.
    recent = (
        Donation.objects.filter(is_gift=True)
        .exclude(status=Donation.Status.VOIDED)
        .exclude(status=Donation.Status.REFUNDED)
        .select_related("donor__organisation", "donor__user", "fund")
        .order_by("-received_at")[:20]
    )
    return {
        "pool_balance": pool["balance"],
        "in_kind_total": pool["in_kind"],
        "balances": balances,  # in the funds' own order (sort_order, pk)
        "flows": published_flows(),
        "recent": [
            {
                "name": public_name(d),
                "amount": d.amount - d.refunded_amount,
                "fund": d.fund,
                "date": d.received_at,
                "goods": d.method == "goods",
            }
            for d in recent
        ],
        # Only approved companies that chose to be listed (accounts.Organisation), members-only
        # or not: signing up does not put a company on a public page.
        "donor_wall": Organisation.objects.filter(
            show_on_donor_wall=True, approved_at__isnull=False
        ).order_by("display_name"),
        "thermometers": thermometers,
    }


def annual_report_pdf(*, page_id: int) -> "AnnualReportPdf | None":
    """The PDF of a published report's live revision; None when unpublished or not made yet."""
    from portal.models import AnnualReportPdf

    return (
        AnnualReportPdf.objects.filter(
            page_id=page_id, page__live=True, revision_id=F("page__live_revision_id")
        )
        .select_related("page")
        .first()
    )


def annual_reports() -> "QuerySet[AnnualReportPage]":
    """The published annual reports in the visitor's language, newest year first."""
    from wagtail.models import Locale

    from portal.models import AnnualReportPage

    return AnnualReportPage.objects.live().filter(locale=Locale.get_active()).order_by("-year")
