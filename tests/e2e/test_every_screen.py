"""What every screen owes its readers (many aged 75 and over), checked in Debian's Chromium:
readable link-style buttons, an error summary that takes the focus, targets of 44×44px and
text of 18px, a compact header and card tables on a phone, figures inside their cards,
Chinese marked as Chinese on English pages, and a print stylesheet."""

from collections.abc import Callable, Iterator
from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client

from charity.models import Fund
from charity.selectors import fund_general
from donations.services import pledges
from donations.services.donors import donor_for_organisation
from portal import content
from tests.accounts import factories as f
from tests.donations.helpers import offline_gift
from tests.wishes import factories as wf

pytestmark = [
    pytest.mark.chromium,
    pytest.mark.django_db(transaction=True),
    pytest.mark.cjk_pdf,  # receipts are rendered on the way
]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

SMALL_TARGETS = """() => [...document.querySelectorAll(
    'main a[href], main button, main input:not([type=hidden]), main select, main textarea, main summary')]
  .filter(e => { const r = e.getBoundingClientRect(); return r.width > 0 && (r.height < 44 || r.width < 44); })
  .map(e => { const r = e.getBoundingClientRect();
    return `${e.tagName.toLowerCase()} ${Math.round(r.width)}x${Math.round(r.height)} "${(e.innerText || e.value || e.name || '').trim().slice(0, 30)}"`; })"""

SMALL_TEXT = """() => {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, el = node.parentElement;
    if (!node.textContent.trim() || !el || !el.getClientRects().length) continue;
    const size = parseFloat(getComputedStyle(el).fontSize);
    if (size < 18) out.push(`${el.tagName.toLowerCase()}.${el.className} ${size}px "${node.textContent.trim().slice(0, 30)}"`);
  }
  return out;
}"""

# The contrast of each button's and link's text with what is really behind it (the nearest
# ancestor with a background colour), as WCAG computes it.
LOW_CONTRAST = """(selector) => {
  const rgb = s => s.match(/[\\d.]+/g).map(Number);
  const lum = ([r, g, b]) => { const f = c => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
  const background = el => { for (; el; el = el.parentElement) { const c = rgb(getComputedStyle(el).backgroundColor);
    if (c.length < 4 || c[3] > 0) return c.slice(0, 3); } return [255, 255, 255]; };
  return [...document.querySelectorAll(selector)].filter(e => e.getClientRects().length).map(e => {
    const a = lum(rgb(getComputedStyle(e).color).slice(0, 3)), b = lum(background(e));
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    return [e.innerText.trim(), Math.round(ratio * 100) / 100];
  }).filter(([, ratio]) => ratio < 4.5);
}"""

UNMARKED_CHINESE = """() => {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, el = node.parentElement;
    if (!/[\\u3400-\\u9fff]/.test(node.textContent) || !el.getClientRects().length) continue;
    const lang = (el.closest('[lang]') || document.documentElement).getAttribute('lang').toLowerCase();
    if (!lang.startsWith('zh')) out.push(node.textContent.trim().slice(0, 40));
  }
  return out;
}"""


@pytest.fixture
def browse(browser, live_server) -> Iterator[Callable[..., object]]:  # type: ignore[no-untyped-def]
    """Pages in fresh contexts: browse(user=None, viewport=DESKTOP, javascript=True)."""
    contexts = []

    def make(user=None, viewport=DESKTOP, javascript=True):  # type: ignore[no-untyped-def]
        context = browser.new_context(viewport=viewport, java_script_enabled=javascript)
        context.set_default_timeout(15_000)
        contexts.append(context)
        if user is not None:
            client = Client()
            client.force_login(user)
            cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
            context.add_cookies(
                [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
            )
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def world(settings):  # type: ignore[no-untyped-def]
    """A company with gifts, a goods pledge it may cancel, a wish, and a fund with a target."""
    settings.WISHPOOL_BOARD_CACHE_SECONDS = 0
    settings.STRIPE_SECRET_KEY = "sk_test_configured"  # the money step is shown (never called)
    content.demo_pages_ensure()
    org = f.organisation(name="梅园科技有限公司")
    rep = org.memberships.get().user
    donor = donor_for_organisation(organisation=org)
    receipt = offline_gift(donor=donor, amount="1200").receipts.get()
    offline_gift(donor=donor, amount="300")
    pledge = pledges.pledge_create(
        user=rep,
        organisation=org,
        kind="goods",
        fund=fund_general(),
        show_name=True,
        amount=None,
        interval="once",
        goods_description="插线板",
        goods_quantity=10,
        goods_unit_value=Decimal("30"),
    )
    Fund.objects.filter(pk=fund_general().pk).update(target_amount=Decimal("5000"))
    wish = wf.wish(kind="money", target_amount=Decimal("200"), title="助听器电池")
    return {"rep": rep, "org": org, "receipt": receipt, "wish": wish, "pledge": pledge}


def test_link_style_buttons_are_readable_wherever_they_are(browse, live_server, world):
    page = browse(user=world["rep"])
    page.goto(f"{live_server.url}/my/giving/")
    # the same markup as "我们已送达" and "撤回认领" on My wishes: a form with a link-style button
    page.evaluate(
        """() => document.querySelector('#main .card-list li').insertAdjacentHTML('beforeend',
        '<form class="inline-form"><button type="submit" class="link-button">撤回认领</button></form>'
        + '<button type="submit" class="secondary">更改</button><button type="button" class="link-button">x</button>')"""
    )
    assert page.evaluate(LOW_CONTRAST, "main button, main a, header a, header button") == []
    phone = browse(user=world["rep"], viewport=PHONE)
    phone.goto(f"{live_server.url}/my/giving/")
    phone.locator("details.nav-menu > summary").click()
    assert phone.evaluate(LOW_CONTRAST, "header a, header button, header summary") == []


@pytest.mark.parametrize("javascript", [False, True])
def test_a_failed_submit_lands_on_an_error_summary(browse, live_server, world, javascript):
    page = browse(user=world["rep"], javascript=javascript)
    page.goto(f"{live_server.url}/pledge/?kind=goods")
    page.locator("#main form[method=post] button[type=submit]").click()
    page.wait_for_load_state("load")
    # the focus moves once the page's script has run: on a busy host, just after "load"
    page.wait_for_function(
        "document.activeElement && document.activeElement.className === 'error-summary'",
        timeout=5000,
    )
    assert page.evaluate("document.activeElement.className") == "error-summary"
    summary = page.locator(".error-summary")
    box = summary.bounding_box()
    assert box is not None and 0 <= box["y"] < PHONE["height"] / 2
    assert page.evaluate("document.title").startswith("错误")
    targets = summary.locator("a").evaluate_all("links => links.map(a => a.hash)")
    assert targets[:2] == ["#id_goods_description", "#id_goods_quantity"]
    for target in targets:
        assert page.locator(target).count() == 1
    # every aria-describedby names something on the page, errors included
    missing = page.evaluate(
        """() => [...document.querySelectorAll('[aria-describedby]')].flatMap(e =>
            e.getAttribute('aria-describedby').split(' ').filter(id => !document.getElementById(id)))"""
    )
    assert missing == []
    assert page.locator("#id_goods_quantity").get_attribute("aria-describedby") == (
        "id_goods_quantity_error"
    )
    assert page.locator("ul[role]").count() == 0
    if javascript:  # axe-core runs in the page
        from axe_playwright_python.sync_playwright import Axe

        wcag = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21aa", "wcag22aa"]}}
        assert Axe().run(page, options=wcag).response["violations"] == []
    # the first Tab goes to the first error, which leads to its field
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.hash") == "#id_goods_description"
    page.keyboard.press("Enter")
    assert page.url.endswith("#id_goods_description")
    assert "必需字段" not in page.locator("#main").inner_text()


def test_sign_up_and_sign_in_errors_are_summarised_too(browse, live_server):
    page = browse(javascript=False)
    page.goto(f"{live_server.url}/accounts/signup/?kind=company")
    page.locator("#main form[method=post] button[type=submit]").click()
    page.wait_for_load_state("load")
    assert page.evaluate("document.activeElement.className") == "error-summary"
    links = page.locator(".error-summary a").evaluate_all("links => links.map(a => a.hash)")
    assert {"#id_full_name", "#id_legal_name", "#id_email", "#id_password1"} <= set(links)
    assert "必需字段" not in page.locator("#main").inner_text()
    page.goto(f"{live_server.url}/accounts/login/")
    page.locator("input[name=login]").fill("nobody@example.org")
    page.locator("input[name=password]").fill("wrong-password-1")
    page.locator("#main form[method=post] button[type=submit]").click()
    page.wait_for_load_state("load")
    assert page.evaluate("document.activeElement.className") == "error-summary"


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "390"])
def test_every_target_is_44px_and_every_text_18px(browse, live_server, world, viewport):
    wish, receipt = world["wish"], world["receipt"]
    anonymous = [
        "/",
        "/en/",
        "/wishes/",
        f"/wishes/{wish.pk}/",
        "/transparency/",
        "/pledge/",
        "/accounts/login/",
        "/accounts/signup/",
        "/accounts/signup/?kind=company",
        f"/receipts/verify/{receipt.verification_code}/",
    ]
    signed_in = [
        "/my/giving/",
        "/pledge/",
        "/pledge/?kind=money",
        "/pledge/?kind=goods",
        f"/wishes/{wish.pk}/",
    ]
    problems = []
    for user, urls in ((None, anonymous), (world["rep"], signed_in)):
        page = browse(user=user, viewport=viewport)
        for url in urls:
            page.goto(live_server.url + url)
            problems += [f"{url}: {p}" for p in page.evaluate(SMALL_TARGETS)]
            problems += [f"{url}: {p}" for p in page.evaluate(SMALL_TEXT)]
    assert problems == []


@pytest.mark.parametrize("path", ["/", "/en/"])
def test_on_a_phone_the_header_is_compact_and_its_menu_opens_without_javascript(
    browse, live_server, world, path
):
    page = browse(user=world["rep"], viewport={"width": 390, "height": 844}, javascript=False)
    page.goto(live_server.url + path)
    header = page.locator("header.site-header").bounding_box()
    assert header is not None and header["height"] <= 120, header
    assert page.locator("nav.main-nav").is_hidden()
    menu = page.locator("details.nav-menu")
    pledge = menu.locator("a[href$='/pledge/']")
    assert pledge.is_hidden()
    menu.locator("summary").click()
    assert pledge.is_visible()
    items = menu.locator("nav a, nav button").evaluate_all(
        "els => els.map(e => e.getBoundingClientRect().height)"
    )
    assert len(items) >= 7 and min(items) >= 44
    pledge.click()
    page.wait_for_load_state("load")
    assert page.url.endswith("/pledge/")
    wide = browse(user=world["rep"], viewport=DESKTOP)
    wide.goto(live_server.url + path)
    assert (
        wide.locator("nav.main-nav").is_visible() and wide.locator("details.nav-menu").is_hidden()
    )


@pytest.mark.parametrize("path", ["/my/giving/", "/transparency/"])
def test_on_a_phone_tables_become_cards_with_their_column_names(browse, live_server, world, path):
    page = browse(user=world["rep"], viewport=PHONE)
    page.goto(live_server.url + path)
    cells = page.evaluate(
        """() => [...document.querySelectorAll('main table')].flatMap(table => {
            const heads = [...table.querySelectorAll('thead th')].map(th => th.innerText.trim());
            return [...table.querySelectorAll('tbody td:not([colspan])')].map(td => ({
              share: td.getBoundingClientRect().width / table.getBoundingClientRect().width,
              label: getComputedStyle(td, '::before').content.replace(/^"|"$/g, ''),
              head: heads[td.cellIndex]}));
          })"""
    )
    assert cells
    assert [c for c in cells if c["share"] < 0.8 or c["label"] != c["head"]] == []


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "390"])
def test_big_figures_stay_inside_their_cards(browse, live_server, viewport, settings):
    content.demo_pages_ensure()
    offline_gift(amount="9999999.99")
    page = browse(viewport=viewport)
    spilled = []
    for path in ("/", "/transparency/"):
        page.goto(live_server.url + path)
        spilled += page.evaluate(
            """() => [...document.querySelectorAll('.figure-value')].filter(e => {
                const card = e.closest('li').getBoundingClientRect(), r = e.getBoundingClientRect();
                return e.scrollWidth > e.clientWidth + 1 || r.right > card.right || r.left < card.left;
              }).map(e => e.textContent)"""
        )
    assert spilled == []


def test_chinese_on_english_pages_is_marked_as_chinese(browse, live_server, world):
    receipt = world["receipt"]
    page = browse(user=world["rep"])
    unmarked = []
    for path in (
        "/en/",
        "/en/transparency/",
        "/en/my/giving/",
        "/en/pledge/?kind=money",
        f"/en/pledge/{world['pledge'].pk}/",
        f"/en/pledge/{world['pledge'].pk}/cancel/",
        f"/en/receipts/verify/{receipt.verification_code}/",
    ):
        page.goto(live_server.url + path)
        assert page.locator("html").get_attribute("lang") == "en"
        unmarked += [f"{path}: {text}" for text in page.evaluate(UNMARKED_CHINESE)]
    assert unmarked == []
    page.goto(f"{live_server.url}/en/transparency/")
    name = world["org"].display_name
    assert page.locator("main [lang='zh-Hans']", has_text=name).count() >= 1


def test_printed_pages_are_black_on_white_without_navigation(browse, live_server, world):
    page = browse(user=world["rep"])
    for path in (
        f"/wishes/{world['wish'].pk}/",
        f"/receipts/verify/{world['receipt'].verification_code}/",
        "/transparency/",
    ):
        page.goto(live_server.url + path)
        page.emulate_media(media="print")
        shown = page.evaluate(
            """() => [...document.querySelectorAll(
                'header nav, .nav-menu, .site-footer, .lang, main button, main form, .skip-link')]
              .filter(e => getComputedStyle(e).display !== 'none').map(e => e.outerHTML.slice(0, 60))"""
        )
        assert shown == [], path
        colours = page.evaluate(
            """() => [...document.querySelectorAll('body, .site-header, .brand, main h1, main p, main a')]
              .map(e => getComputedStyle(e).color).filter(c => c !== 'rgb(0, 0, 0)')"""
        )
        assert colours == [], path
        page.emulate_media(media="screen")
    page.emulate_media(media="print")
    bar = page.locator(".thermometer .bar span").first
    assert bar.evaluate("e => getComputedStyle(e).printColorAdjust") == "exact"
    assert bar.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(0, 0, 0)"
    assert "%" in page.locator(".thermometer p").first.inner_text()  # the figure in words too
