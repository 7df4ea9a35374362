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
