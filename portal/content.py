"""The site's starting pages, in Chinese with English translations (used by seed_demo)."""

from datetime import date
from typing import TYPE_CHECKING

from django.db import transaction
from wagtail.models import Locale, Page, Site

from portal.models import HomePage, NewsArticlePage, NewsIndexPage, StandardPage

if TYPE_CHECKING:
    from accounts.models import User

ARTICLES = [
    (
        date(2026, 10, 8),
        "梅园养老驿站成为循环义仓分仓",
        "The Meiyuan station becomes a branch of the circular charity warehouse",
        "轮椅、护理床和拐杖可就近借用，低保、低收入、特困、残疾老人免费。",
        "Wheelchairs, care beds and crutches can be borrowed nearby, free for protected groups.",
    ),
    (
        date(2026, 11, 2),
        "微心愿认领活动启动",
        "Micro-wishes open for claiming",
        "社区老人的小心愿，由爱心企业和居民认领实现。",
        "Small wishes of elderly neighbours, made true by member companies and residents.",
    ),
]


def _publish(page: Page) -> None:
    page.save_revision().publish()


def _translate(page: Page, locale: Locale, title: str, **fields: str) -> Page:
    existing = page.get_translations().filter(locale=locale).first()
    if existing is not None:
        return existing
    copy = page.copy_for_translation(locale, copy_parents=True).specific
    copy.title = title
    for name, value in fields.items():
        setattr(copy, name, value)
    _publish(copy)
    return copy


@transaction.atomic
def demo_pages_ensure() -> HomePage:
    zh = Locale.objects.get_or_create(language_code="zh-hans")[0]
    en = Locale.objects.get_or_create(language_code="en")[0]
    home = HomePage.objects.filter(locale=zh).first()
    if home is not None:
        wish_board_ensure(home)
        catalogue_ensure(home)
        return home
    root = Page.get_first_root_node()
    site = Site.objects.filter(is_default_site=True).first()
    # Wagtail's installer leaves a plain welcome page; the home page takes its place.
    welcome = (
        Page.objects.filter(depth=2, slug="home").exclude(content_type__model="homepage").first()
    )
    if welcome is not None:
        if site is not None and site.root_page_id == welcome.pk:
            site.delete()
            site = None
        welcome.delete()
    home = HomePage(
        title="社区爱心资金池",
        slug="home",
        locale=zh,
        intro="<p>企业和居民把善款与物资汇入同一个资金池，帮助社区里有困难的老人实现微心愿、借用护理器具。每一笔收支都公开。</p>",
    )
    root.add_child(instance=home)
    if site is None:
        Site.objects.create(
            hostname="localhost",
            port=80,
            root_page=home,
            is_default_site=True,
            site_name="Wishpool",
        )
    else:
        site.root_page = home
        site.site_name = "Wishpool"
        site.save()
    about = StandardPage(title="关于我们", slug="about", locale=zh)
    about.body = [
        (
            "paragraph",
            "<p>本基金由街道牵头、成员单位出资、社区工作者对接，把资源送到最需要的老人身边。</p>",
        )
    ]
    home.add_child(instance=about)
    news = NewsIndexPage(
        title="新闻动态", slug="news", locale=zh, intro="<p>资金池与社区的最新消息。</p>"
    )
    home.add_child(instance=news)
    articles = []
    for day, zh_title, en_title, zh_intro, en_intro in ARTICLES:
        article = NewsArticlePage(
            title=zh_title, slug=f"news-{day:%Y%m%d}", locale=zh, date=day, intro=zh_intro
        )
        news.add_child(instance=article)
        articles.append((article, en_title, en_intro))
    _translate(
        home,
        en,
        "Community charity pool",
        intro=(
            "<p>Companies and residents give money and goods into one shared pool that helps "
            "elderly neighbours in hardship: micro-wishes come true and care equipment is lent. "
            "Every yuan in and out is public.</p>"
        ),
    )
    en_about = _translate(about, en, "About us").specific
    en_about.body = [
        (
            "paragraph",
            "<p>The sub-district leads, member companies give, community workers match "
            "resources to the elderly people who need them most.</p>",
        )
    ]
    _publish(en_about)
    _translate(news, en, "News", intro="<p>The latest from the pool and the community.</p>")
    for article, en_title, en_intro in articles:
        _translate(article, en, en_title, intro=en_intro)
    wish_board_ensure(home)
    catalogue_ensure(home)
    return home


def wish_board_ensure(home: Page) -> Page:
    from wishes.models import WishBoardPage

    board = WishBoardPage.objects.filter(locale=home.locale).first()
    if board is None:
        board = WishBoardPage(
            title="心愿墙",
            slug="wishes",
            locale=home.locale,
            intro="<p>社区里有困难的老人的小心愿。认领一个心愿，或与大家一起拼一个心愿。</p>",
        )
        home.add_child(instance=board)
    en = Locale.objects.get_or_create(language_code="en")[0]
    _translate(
        board,
        en,
        "Wish board",
        intro=(
            "<p>Small wishes of elderly neighbours in hardship. "
            "Claim one, or chip in with others.</p>"
        ),
    )
    return board


def catalogue_ensure(home: Page) -> Page:
    from lending.models import LendingCataloguePage

    catalogue = LendingCataloguePage.objects.filter(locale=home.locale).first()
    if catalogue is None:
        catalogue = LendingCataloguePage(
            title="助老器具借用",
            slug="lending",
            locale=home.locale,
            intro="<p>轮椅、护理床、拐杖和助行器，从总仓和各驿站就近借用。</p>",
        )
        home.add_child(instance=catalogue)
    en = Locale.objects.get_or_create(language_code="en")[0]
    _translate(
        catalogue,
        en,
        "Care equipment",
        intro="<p>Wheelchairs, care beds, crutches and walkers, lent from the main warehouse "
        "and from the station nearest you.</p>",
    )
    return catalogue


def annual_report_ensure(home: Page, *, year: int, editor: "User") -> Page:
    """The demo's annual report: the editor's words around figures computed from the books,
    published in Chinese and English, each with its PDF made by the worker."""
    from portal.models import AnnualReportPage
    from portal.services import annual_report_compute, annual_report_pdf_request

    report = AnnualReportPage.objects.filter(locale=home.locale, year=year).first()
    if report is not None:
        return report
    report = AnnualReportPage(
        title=f"{year} 年度报告",
        slug=f"annual-report-{year}",
        locale=home.locale,
        year=year,
        intro=(
            "<p>这一年，成员单位和居民把善款与物资汇入社区资金池，社区工作者把它们送到最需要的"
            "老人身边。以下数字全部来自资金池的账目。</p>"
        ),
        closing="<p>感谢每一家成员单位、每一位捐赠人和志愿者。</p>",
    )
    report.body = [
        ("heading", "微心愿"),
        ("paragraph", "<p>一台电风扇、一床厚棉被，小心愿背后是邻里之间的牵挂。</p>"),
        ("heading", "循环义仓"),
        ("paragraph", "<p>轮椅、护理床从总仓和驿站就近借出，低保、特困、残疾老人免费。</p>"),
    ]
    home.add_child(instance=report)
    revision, _changes = annual_report_compute(page_id=report.pk, user=editor)
    revision.publish(user=editor)
    report.refresh_from_db()
    en = Locale.objects.get_or_create(language_code="en")[0]
    english = _translate(
        report,
        en,
        f"Annual report {year}",
        intro=(
            "<p>This year member companies and residents gave money and goods into the "
            "community pool, and community workers brought them to the elderly neighbours who "
            "needed them most. Every figure below comes from the pool's books.</p>"
        ),
        closing="<p>Thank you to every member company, donor and volunteer.</p>",
    ).specific
    english.body = [
        ("heading", "Micro-wishes"),
        (
            "paragraph",
            "<p>An electric fan, a thick quilt: small wishes, and neighbours who care.</p>",
        ),
        ("heading", "The circular charity warehouse"),
        (
            "paragraph",
            "<p>Wheelchairs and care beds lent from the main warehouse and the stations, free "
            "for protected groups.</p>",
        ),
    ]
    _publish(english)
    for page in (report, english):
        annual_report_pdf_request(page_id=page.pk)
    return report


def campaign_ensure(*, name: str, description: str, wishes: list, by: "User") -> Page:  # type: ignore[type-arg]
    """A charity project with its page on the site (Chinese, published)."""
    from wishes.models import CampaignPage
    from wishes.services.campaigns import campaign_create

    home = demo_pages_ensure()
    page = CampaignPage.objects.filter(campaign__name=name).first()
    if page is not None:
        return page
    campaign = campaign_create(
        name=name, description=description, organisation=None, wishes=wishes, by=by
    )
    page = CampaignPage(
        title=name,
        slug=f"project-{campaign.pk}",
        locale=home.locale,
        campaign=campaign,
        intro=f"<p>{description}</p>",
    )
    home.add_child(instance=page)
    _publish(page)
    return page
