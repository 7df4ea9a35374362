import re

import pytest

from portal import content
from tests.accounts import factories as f

pytestmark = pytest.mark.django_db


def _figure(body: str, label: str) -> int:
    match = re.search(r'<span class="figure-value">(\d+)</span>\s*' + re.escape(label), body)
    assert match, f"figure {label!r} not on the page"
    return int(match.group(1))


def test_home_figures_are_counted_from_records(client):
    content.demo_pages_ensure()
    body = client.get("/en/").content.decode()
    stations, companies = _figure(body, "station"), _figure(body, "member compan")
    f.station("新驿站")
    f.organisation()
    body = client.get("/en/").content.decode()
    assert _figure(body, "station") == stations + 1
    assert _figure(body, "member compan") == companies + 1


def test_every_page_links_to_itself_in_the_other_language(client):
    content.demo_pages_ensure()
    zh = client.get("/news/")
    assert zh.status_code == 200 and 'lang="zh-hans"' in zh.content.decode()
    assert 'href="/en/news/"' in zh.content.decode()
    en = client.get("/en/news/")
    assert en.status_code == 200 and '<html lang="en">' in en.content.decode()
    assert 'href="/news/"' in en.content.decode()
    login = client.get("/en/accounts/login/").content.decode()
    assert 'href="/accounts/login/"' in login


def test_news_index_lists_articles_in_its_own_language(client):
    content.demo_pages_ensure()
    zh = client.get("/news/").content.decode()
    en = client.get("/en/news/").content.decode()
    assert "微心愿认领活动启动" in zh and "Micro-wishes open for claiming" not in zh
    assert "Micro-wishes open for claiming" in en


def test_demo_pages_are_made_once():
    from portal.models import HomePage

    content.demo_pages_ensure()
    content.demo_pages_ensure()
    assert HomePage.objects.count() == 2  # zh-hans and its English translation


def test_unknown_address_is_a_404_in_the_users_language(client):
    assert client.get("/no-such-page/").status_code == 404
    assert client.get("/en/no-such-page/").status_code == 404


def test_base_template_is_readable(client):
    from pathlib import Path

    from django.conf import settings

    css = (Path(settings.BASE_DIR) / "site/static/css/site.css").read_text()
    assert "font-size: 112.5%" in css  # 18px base
    content.demo_pages_ensure()
    body = client.get("/").content.decode()
    assert 'class="skip-link"' in body and "<script" not in body


def test_language_switch_keeps_the_wish_page(client):
    from tests.wishes import factories as wf

    content.demo_pages_ensure()
    wish = wf.wish()
    zh = client.get(f"/wishes/{wish.pk}/").content.decode()
    assert f'href="/en/wishes/{wish.pk}/"' in zh
    en = client.get(f"/en/wishes/{wish.pk}/").content.decode()
    assert f'href="/wishes/{wish.pk}/"' in en
