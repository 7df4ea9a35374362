"""Wagtail pages are found through remembered routes (core.page_routes): fewer queries, and
never a page that was moved, renamed, unpublished, deleted or put behind a login."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import Page, PageViewRestriction, Site

from portal import content
from portal.models import NewsArticlePage, NewsIndexPage, StandardPage

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _locmem(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    from django.core.cache import cache

    cache.clear()


def _tables(client, path: str) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        status = client.get(path).status_code
    return status, [q["sql"] for q in queries.captured_queries]


def _routing(sql: list[str]) -> list[str]:
    return [s for s in sql if '"wagtailcore_site"' in s or '"wagtailcore_locale"' in s]


def _news_and_article() -> tuple[NewsIndexPage, NewsArticlePage]:
    content.demo_pages_ensure()
    news = NewsIndexPage.objects.get(slug="news", locale__language_code="zh-hans")
    article = NewsArticlePage.objects.child_of(news).live().first()
    assert article is not None
    return news, article


def test_a_page_found_once_is_loaded_in_one_query_afterwards(client):
    content.demo_pages_ensure()
    status, first = _tables(client, "/about/")
    assert status == 200 and _routing(first)  # the tree was walked: site and locale read
    status, second = _tables(client, "/about/")
    assert status == 200 and not _routing(second)
    pages = [s for s in second if '"portal_standardpage"' in s]
    assert len(pages) == 1, pages  # the specific page, by its id, in one query
    assert len(second) < len(first)
    # English is its own route, to its own page
    assert "About us" in client.get("/en/about/").content.decode()
    assert "关于我们" in client.get("/about/").content.decode()


def test_a_routable_pages_routes_use_the_remembered_page(client):
    from tests.wishes import factories as wf

    content.demo_pages_ensure()
    wish = wf.wish(title="一台收音机")
    assert client.get("/wishes/").status_code == 200
    status, sql = _tables(client, f"/wishes/{wish.pk}/")
    assert status == 200 and not _routing(sql)
    assert "一台收音机" in client.get(f"/wishes/{wish.pk}/").content.decode()
    assert client.get("/wishes/999999/").status_code == 404


def test_a_renamed_page_moves_with_its_slug(client):
    content.demo_pages_ensure()
    assert client.get("/about/").status_code == 200
    about = StandardPage.objects.get(slug="about", locale__language_code="zh-hans")
    about.slug = "who-we-are"
    about.save_revision().publish()
    assert client.get("/about/").status_code == 404
    assert client.get("/who-we-are/").status_code == 200


def test_an_unpublished_or_deleted_page_is_gone_at_once(client):
    news, article = _news_and_article()
    path = f"/news/{article.slug}/"
    assert client.get(path).status_code == 200
    article.unpublish()
    assert client.get(path).status_code == 404
    article.save_revision().publish()
    assert client.get(path).status_code == 200
    Page.objects.get(pk=article.pk).delete()
    assert client.get(path).status_code == 404


def test_a_page_moved_under_another_parent_answers_at_its_new_path(client):
    news, article = _news_and_article()
    old = f"/news/{article.slug}/"
    assert client.get(old).status_code == 200
    assert client.get("/about/").status_code == 200
    about = StandardPage.objects.get(slug="about", locale__language_code="zh-hans")
    about.move(news, pos="last-child")  # the about page now lives under the news index
    moved = client.get("/about/")  # not found there: Wagtail's automatic redirect answers
    assert moved.status_code == 301 and moved["Location"] == "/news/about/"
    assert client.get("/news/about/").status_code == 200
    assert client.get(old).status_code == 200


def test_a_new_child_of_a_remembered_page_is_found(client):
    import datetime

    content.demo_pages_ensure()
    news = NewsIndexPage.objects.get(slug="news", locale__language_code="zh-hans")
    assert client.get("/news/").status_code == 200
    assert client.get("/news/later/").status_code == 404
    news.add_child(
        instance=NewsArticlePage(
            title="新的消息", slug="later", locale=news.locale, date=datetime.date(2026, 12, 1)
        )
    )
    assert "新的消息" in client.get("/news/later/").content.decode()


def test_a_login_restriction_added_later_is_still_enforced(client):
    content.demo_pages_ensure()
    assert client.get("/about/").status_code == 200
    about = StandardPage.objects.get(slug="about", locale__language_code="zh-hans")
    PageViewRestriction.objects.create(page=about, restriction_type=PageViewRestriction.LOGIN)
    response = client.get("/about/")
    assert response.status_code == 302 and "login" in response["Location"]


def test_a_sites_new_home_page_changes_every_route(client):
    news, article = _news_and_article()
    assert "关于我们" in client.get("/about/").content.decode()
    site = Site.objects.get(is_default_site=True)
    site.root_page = news  # the news index is now the site's home
    site.save()
    assert client.get("/about/").status_code == 404
    assert client.get(f"/{article.slug}/").status_code == 200


def test_a_long_path_reads_a_bounded_number_of_short_keys(client, monkeypatch):
    """A path of thousands of segments (a 404) must not make thousands of keys, nor keys that
    grow with it: a client could otherwise fill the workers' memory."""
    from django.core.cache import caches

    content.demo_pages_ensure()
    backend = caches["default"]
    asked: list[list[str]] = []
    get_many = backend.get_many
    monkeypatch.setattr(
        backend, "get_many", lambda keys: asked.append(list(keys)) or get_many(keys)
    )
    assert client.get("/" + "a/" * 2000).status_code == 404
    keys = [k for batch in asked for k in batch if k.startswith("page-route:")]
    assert 0 < len(keys) <= 9 and max(len(k) for k in keys) < 60, (len(keys), keys[:2])


def test_another_port_in_the_host_header_does_not_make_new_entries(client):
    from django.core.cache import cache

    content.demo_pages_ensure()
    assert client.get("/about/", HTTP_HOST="localhost").status_code == 200
    before = set(cache._cache)  # type: ignore[attr-defined]  # locmem's own store
    for port in (1, 2, 3):
        assert client.get("/about/", HTTP_HOST=f"localhost:{port}").status_code == 200
    made = {k for k in set(cache._cache) - before if "page-route" in k}  # type: ignore[attr-defined]
    assert made == set(), made
