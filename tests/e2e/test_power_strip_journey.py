"""The seeds' 微公益 story in a real browser: a company pledges 200 power strips (and sees who
is asking for them first), the fund office receives them into the main warehouse, allocates 40
to the wishes for a safe power strip at three stations in one screen, and each station's
worker delivers them and records the thanks. The ledger stays balanced and 160 stay in stock."""

from decimal import Decimal

import pytest
from django.db.models import Sum
from playwright.sync_api import expect

from accounts.models import Warehouse
from charity.models import LedgerLeg, StockLot
from donations.models import Pledge
from portal import content
from tests.accounts import factories as f
from tests.e2e.test_wish_journey import _sign_in, _submit
from tests.wishes import factories as wf
from wishes.models import Wish

pytestmark = [pytest.mark.chromium, pytest.mark.cjk_pdf]  # receipts are rendered on the way

TITLE = "一个安全的插线板"


@pytest.mark.django_db(transaction=True)
def test_power_strips_from_pledge_to_forty_thanked_wishes(live_server, new_page):  # type: ignore[no-untyped-def]
    content.demo_pages_ensure()
    base = live_server.url
    workers = [f.worker(f.station(f"驿站{i}")) for i in range(3)]
    wishes = [
        wf.wish(worker=workers[i % 3], title=TITLE, category="home_repair") for i in range(40)
    ]
    company = f.organisation()
    rep = company.memberships.get().user
    admin = f.fund_administrator()

    # 1. The company pledges the goods; before it commits it sees who is asking for them.
    page = _sign_in(new_page, base, rep)
    page.goto(f"{base}/pledge/?kind=goods")
    form = page.locator("#main form").last
    form.locator(f"input[name=give_as][value='org:{company.pk}']").check()
    form.locator("input[name=goods_description]").fill("插线板")
    form.locator("input[name=goods_quantity]").fill("200")
    form.locator("input[name=goods_unit_value]").fill("30")
    _submit(page, form)
    for worker in workers:
        expect(page.locator("#main")).to_contain_text(worker.station.name)
    _submit(page, page.locator("#main form:has(input[name=confirm][value=goods])"))
    pledge = Pledge.objects.get(kind=Pledge.Kind.GOODS)
    assert pledge.goods_quantity == 200

    # 2. The fund office receives them into the main warehouse.
    office = _sign_in(new_page, base, admin)
    office.goto(f"{base}/cms/fund/goods/")
    intake = office.locator(f"form[action='/cms/fund/goods/{pledge.pk}/']")
    intake.locator(f"input[name=pledge-{pledge.pk}-quantity]").fill("200")
    intake.locator(f"select[name=pledge-{pledge.pk}-condition]").select_option("new")
    intake.locator(f"input[name=pledge-{pledge.pk}-unit_value]").fill("30")
    main = Warehouse.objects.get(is_main=True)
    intake.locator(f"select[name=pledge-{pledge.pk}-warehouse]").select_option(str(main.pk))
    with office.expect_navigation():
        intake.locator("button[type=submit]").click()
    lot = StockLot.objects.get(description="插线板")
    assert lot.quantity_on_hand == 200

    # 3. It allocates 40 to the wishes in one screen and gets a delivery list per station.
    office.goto(f"{base}/my/matching/")
    expect(office.locator("#main")).to_contain_text(TITLE)
    office.goto(f"{base}/my/wishes/from-stock/?lot={lot.pk}")
    assert office.locator("input[name=wish]:checked").count() == 40
    _submit(office, office.locator("#main form[method=post]"))
    for worker in workers:
        expect(office.locator("#main h2", has_text=worker.station.name)).to_be_visible()
    lot.refresh_from_db()
    assert lot.quantity_on_hand == 160

    # 4. Each station delivers its wishes and records the thanks.
    for i, worker in enumerate(workers):
        station_page = _sign_in(new_page, base, worker)
        for wish in wishes[i::3]:
            station_page.goto(f"{base}/my/wishes/{wish.pk}/")
            _submit(
                station_page, station_page.locator(f"form[action='/my/wishes/{wish.pk}/deliver/']")
            )
            fulfil = station_page.locator(f"form[action='/my/wishes/{wish.pk}/fulfil/']")
            fulfil.locator("textarea[name=thank_you_note]").fill("谢谢，插线板很好用！")
            _submit(station_page, fulfil)

    assert Wish.objects.filter(title=TITLE, status=Wish.Status.FULFILLED).count() == 40
    lot.refresh_from_db()
    assert lot.quantity_on_hand == 160
    assert LedgerLeg.objects.aggregate(total=Sum("amount"))["total"] == 0
    given = LedgerLeg.objects.filter(
        entry__reference__startswith="wish-stock:", amount__gt=0
    ).aggregate(total=Sum("amount"))["total"]
    assert given == Decimal("1200.00")  # 40 × ¥30, at their recorded value

    # 5. The company sees which wishes its goods filled.
    page.goto(f"{base}/my/giving/")
    expect(page.locator("#main")).to_contain_text("您捐赠的物资实现的心愿")
    assert page.locator("#main").inner_text().count(TITLE) == 40
