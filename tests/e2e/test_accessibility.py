"""axe-core (WCAG 2.x A/AA) on the pages people use, signed out and signed in as each role:
no violations, no measured contrast under 4.5:1, no control in <main> under 44×44 px (the
same checks as ../shared/tools/a11y.py, which cannot pass TOTP for staff)."""

from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from accounts import roles, services
from donations.services.donors import donor_for_organisation
from portal import content
from tests.accounts import factories as f
from tests.donations.helpers import offline_gift
from tests.wishes import factories as wf

pytestmark = [
    pytest.mark.chromium,
    pytest.mark.django_db(transaction=True),
    pytest.mark.cjk_pdf,
]  # receipts are rendered on the way

WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21aa", "wcag22aa"]}}


SMALL_TARGETS = """() => [...document.querySelectorAll(
  'main a[href], main button, main input:not([type=hidden]), main select, main summary')]
  .filter(e => { const r = e.getBoundingClientRect();
                 return r.width > 0 && (r.height < 44 || r.width < 44); })
  .map(e => e.tagName + ' ' + (e.innerText || e.value || e.name || '').trim().slice(0, 30))"""


def _audit(page, url: str) -> list[str]:  # type: ignore[no-untyped-def]
    from axe_playwright_python.sync_playwright import Axe

    page.goto(url, wait_until="load")
    response = Axe().run(page, options=WCAG).response
    problems = [
        f"{url}: {v['impact']} {v['id']} ({len(v['nodes'])})" for v in response["violations"]
    ]
    for rule in response.get("incomplete", []):
        if rule["id"] != "color-contrast":
            continue
        for node in rule["nodes"]:
            for check in node.get("any", []):
                ratio = (check.get("data") or {}).get("contrastRatio")
                if ratio and ratio < 4.5:
                    problems.append(f"{url}: contrast {ratio}:1 at {node['target']}")
    problems += [f"{url}: small target {t}" for t in page.evaluate(SMALL_TARGETS)]
    return problems


def _signed_in(new_page, user, live_server):  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    page = new_page()
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    return page


def test_public_pages_have_no_violations(live_server, new_page, settings):
    settings.WISHPOOL_BOARD_CACHE_SECONDS = 0
    home = content.demo_pages_ensure()
    money = wf.wish(kind="money", target_amount=Decimal("200"), title="助听器电池")
    from tests.lending import factories as lf

    lf.items(lf.equipment_type(), f.station(), count=2)
    offline_gift(amount="100")
    receipt = offline_gift(amount="50").receipts.get()
    report = content.annual_report_ensure(
        home,
        year=timezone.localdate().year,
        editor=services.staff_role_grant(user=f.UserFactory(), role=roles.EDITOR),
    )
    english = report.get_translations().get()
    project = content.campaign_ensure(
        name="冬季送温暖",
        description="给独居老人送厚棉被。",
        wishes=[wf.wish(title="一床厚棉被")],
        by=f.fund_administrator(),
    )
    base = live_server.url
    urls = [
        "/",
        "/en/",
        "/news/",
        "/wishes/",
        f"/wishes/{money.pk}/",
        "/en/wishes/",
        "/transparency/",
        "/en/transparency/",
        "/pledge/",
        "/lending/",
        "/lending/wheelchair/",
        "/accounts/login/",
        "/accounts/signup/",
        f"/receipts/verify/{receipt.verification_code}/",
        "/no-such-page/",
        report.url,
        english.url,
        project.url,
    ]
    page = new_page()
    problems = [p for url in urls for p in _audit(page, base + url)]
    assert problems == []


def test_signed_in_pages_have_no_violations(live_server, new_page):
    content.demo_pages_ensure()
    org = f.organisation()
    rep = org.memberships.get().user
    offline_gift(donor=donor_for_organisation(organisation=org))
    worker = f.worker()
    wish = wf.wish(worker=worker, approve=False)
    open_wish = wf.wish(worker=worker, kind="money", target_amount=Decimal("80"))
    admin = f.fund_administrator()
    lending = _lending_at(worker=worker, admin=admin)
    from tests.wishes.test_from_stock import TITLE, power_strips

    lot, _ = power_strips(20)
    wf.wish(worker=worker, title=TITLE)
    pages = [
        (
            rep,
            [
                "/my/",
                "/my/giving/",
                "/pledge/",
                f"/my/organisations/{org.pk}/",
                "/my/wishes/",
                "/my/lending/lent/",
            ],
        ),
        (
            worker,
            [
                "/my/wishes/new/",
                "/my/wishes/review/",
                f"/my/wishes/{wish.pk}/",
                "/my/residents/",
                f"/my/residents/{wish.resident_id}/",
                f"/wishes/{open_wish.pk}/",
                "/my/lending/request/",
                "/my/lending/station/",
                f"/my/lending/items/{lending['out']}/",
                f"/my/lending/items/{lending['cleaning']}/",
                "/my/lending/transfers/",
                f"/my/lending/transfers/{lending['transfer']}/",
                "/my/lending/figures/",
                "/my/lending/from-stock/",
                "/my/matching/",
            ],
        ),
        (
            admin,
            [
                "/my/",
                "/my/wishes/review/",
                f"/my/wishes/{wish.pk}/",
                f"/my/wishes/{open_wish.pk}/",
                "/my/disbursements/",
                "/my/lending/figures/",
                "/my/reports/",
                "/my/reports/exports/",
                "/my/reports/closing/",
                "/my/reports/statements/",
                "/my/matching/",
                "/my/campaigns/",
                f"/my/wishes/from-stock/?lot={lot.pk}",
                f"/my/wishes/from-stock/{lot.pk}/delivery/",
            ],
        ),
    ]
    problems = []
    for user, urls in pages:
        page = _signed_in(new_page, user, live_server)
        problems += [p for url in urls for p in _audit(page, live_server.url + url)]
    assert problems == []


def _lending_at(*, worker, admin) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """A station's lending day: one item out, one in cleaning, someone waiting (with the
    urgency form), a transfer on its way to the station."""

    from accounts.models import Warehouse
    from lending import services
    from tests.lending import factories as lf

    type_ = lf.equipment_type()
    out, cleaning = lf.items(type_, worker.station, count=2)
    for _ in range(2):
        loan = lf.ask(worker, type_, days=6)
        services.loan_pay_cash(loan=loan, by=worker)
        services.loan_checkout(loan=loan, tag=loan.item.tag, by=worker)
    services.loan_checkin(loan=cleaning.loans.get(), by=worker, condition="good")
    lf.ask(worker, type_, days=6)
    services.item_add(
        type=type_, tag="MAIN-A11Y", warehouse=Warehouse.objects.get(is_main=True), by=admin
    )
    transfer = services.transfer_request(
        source=Warehouse.objects.get(is_main=True),
        destination=worker.station.warehouse,
        type=type_,
        count=1,
        by=admin,
    )
    services.transfer_dispatch(transfer=transfer, by=admin)
    return {"out": out.tag, "cleaning": cleaning.tag, "transfer": transfer.pk}
