"""Goods in stock fill item wishes (精准对接): the seeds' power-strip story through the services
and the staff screens, the books and the stock after it, who is told, and what is refused."""

from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum
from django.urls import reverse

from accounts.models import Warehouse
from charity.models import LedgerLeg, StockLot
from charity.selectors import fund_balances, fund_general
from donations.services import offline
from tests.accounts import factories as f
from tests.donations.helpers import goods_pledge
from tests.wishes import factories as wf
from wishes import selectors
from wishes.models import StockFill, Wish
from wishes.services import lifecycle, stock

pytestmark = pytest.mark.django_db

TITLE = "一个安全的插线板"


def power_strips(quantity: int = 200, goods: str = "插线板") -> tuple[StockLot, object]:
    """A company's goods pledge of power strips, received at the main warehouse at ¥30 each."""
    pledge = goods_pledge(quantity, description=goods)
    intake = offline.goods_intake_record(
        pledge=pledge,
        quantity=quantity,
        condition="new",
        unit_value=Decimal("30"),
        warehouse=Warehouse.objects.get(is_main=True),
        by=f.fund_administrator(),
    )
    return intake.stock_lot, pledge


def _in_kind() -> Decimal:
    (general,) = [r for r in fund_balances() if r["fund"] == fund_general()]
    return general["in_kind"]


def test_the_power_strip_story(client, django_capture_on_commit_callbacks):
    lot, pledge = power_strips()
    rep = pledge.created_by
    workers = [f.worker(f.station(f"驿站{i}")) for i in range(3)]
    wishes = [
        wf.wish(worker=workers[i % 3], title=TITLE, category="home_repair") for i in range(40)
    ]
    other = wf.wish(worker=workers[0], title="一台电风扇")  # not a power strip
    admin = f.fund_administrator()
    assert [found.pk for found in selectors.stock_for_wish(wish=wishes[0])] == [lot.pk]
    assert not selectors.stock_for_wish(wish=other)
    matched = set(selectors.wishes_for_lot(lot=lot, user=admin).values_list("pk", flat=True))
    assert matched == {w.pk for w in wishes}
    in_kind_before = _in_kind()
    mail.outbox.clear()

    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("wishes:from_stock"), {"lot": lot.pk, "wish": [w.pk for w in wishes]}
        )
    assert response.status_code == 302
    assert response["Location"] == reverse("wishes:delivery_list", args=[lot.pk])
    lot.refresh_from_db()
    assert lot.quantity_on_hand == 160
    assert StockFill.objects.count() == 40
    assert set(
        Wish.objects.filter(pk__in=[w.pk for w in wishes]).values_list("status", flat=True)
    ) == {Wish.Status.CLAIMED}
    assert in_kind_before - _in_kind() == Decimal("1200.00")  # 40 × ¥30 given out
    assert LedgerLeg.objects.aggregate(total=Sum("amount"))["total"] == 0  # balanced
    told = [m for m in mail.outbox if rep.email in m.to]
    assert len(told) == 40 and TITLE in told[0].body

    listing = client.get(response["Location"]).content.decode()
    assert all(w.station.name in listing for w in workers) and listing.count(TITLE) == 40

    # delivered and thanked: the company hears the wish came true
    first = wishes[0]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.wish_mark_delivered(wish=first, by=workers[0])
        lifecycle.wish_fulfil(wish=first, by=workers[0], thank_you_note="谢谢！")
    assert any(rep.email in m.to for m in mail.outbox)

    # the company sees which wishes its goods filled: pseudonyms, never who the resident is
    client.force_login(rep)
    giving = client.get(reverse("donations:giving")).content.decode()
    assert giving.count(TITLE) == 40 and first.pseudonym in giving
    assert first.resident.private.real_name not in giving


def test_a_repeat_a_money_wish_a_closed_wish_and_another_station_are_refused():
    lot, _ = power_strips(5)
    worker = f.worker()
    wish = wf.wish(worker=worker, title=TITLE)
    fill = stock.wish_fill_from_stock(wish=wish, lot=lot, by=worker)
    again = stock.wish_fill_from_stock(wish=wish, lot=lot, by=worker)
    lot.refresh_from_db()
    assert again.pk == fill.pk and lot.quantity_on_hand == 4  # a repeat takes nothing more
    money = wf.wish(worker=worker, kind="money", title="插线板的钱")
    with pytest.raises(ValidationError):
        stock.wish_fill_from_stock(wish=money, lot=lot, by=worker)
    elsewhere = wf.wish(worker=f.worker(f.station("别的驿站")), title=TITLE)
    with pytest.raises(PermissionDenied):
        stock.wish_fill_from_stock(wish=elsewhere, lot=lot, by=worker)
    big = wf.wish(worker=worker, title=TITLE, quantity=9)
    with pytest.raises(ValidationError, match="4"):
        stock.wish_fill_from_stock(wish=big, lot=lot, by=worker)
    lot.refresh_from_db()
    big.refresh_from_db()
    assert lot.quantity_on_hand == 4 and big.status == Wish.Status.OPEN


def test_the_wish_page_offers_the_stock_and_fills_it(client):
    lot, _ = power_strips(3)
    worker = f.worker()
    wish = wf.wish(worker=worker, title=TITLE)
    client.force_login(worker)
    page = client.get(reverse("wishes:private", args=[wish.pk])).content.decode()
    assert "插线板" in page and reverse("wishes:fill", args=[wish.pk]) in page
    client.post(reverse("wishes:fill", args=[wish.pk]), {"lot": lot.pk})
    wish.refresh_from_db()
    assert wish.status == Wish.Status.CLAIMED
    bad = client.post(reverse("wishes:fill", args=[wish.pk]), {"lot": "abc"}, follow=True)
    assert bad.status_code == 200
    lot.refresh_from_db()
    assert lot.quantity_on_hand == 2
    client.force_login(f.UserFactory())
    assert client.get(reverse("wishes:from_stock")).status_code == 403


def test_the_dashboard_shows_what_stock_could_fill_and_what_waits(client):
    lot, _ = power_strips(10)
    power_strips(5, goods="老花镜")  # a lot nobody asks for
    worker = f.worker()
    wish = wf.wish(worker=worker, title=TITLE)
    client.force_login(worker)
    page = client.get(reverse("portal:matching")).content.decode()
    assert wish.pseudonym in page and reverse("wishes:fill", args=[wish.pk]) in page
    assert "老花镜" in page
    assert page.index(TITLE) < page.index("老花镜")  # the wish list comes first
    client.force_login(f.UserFactory())
    assert client.get(reverse("portal:matching")).status_code == 403


def test_a_company_sees_who_asks_for_such_goods_before_it_pledges(client):
    from donations.models import Pledge

    workers = [f.worker(f.station(f"梅园{i}")) for i in range(2)]
    asking = [wf.wish(worker=workers[i % 2], title=TITLE) for i in range(3)]
    org = f.organisation()
    client.force_login(org.memberships.get().user)
    fields = {
        "kind": "goods",
        "fund": fund_general().pk,
        "give_as": f"org:{org.pk}",
        "goods_description": "插线板",
        "goods_quantity": "200",
    }
    shown = client.post(reverse("donations:pledge_start"), fields)
    page = shown.content.decode()
    assert shown.status_code == 200 and not Pledge.objects.exists()  # not yet
    assert workers[0].station.name in page and workers[1].station.name in page
    assert asking[0].pseudonym in page
    assert asking[0].resident.private.real_name not in page
    assert 'name="confirm" value="goods"' in page
    done = client.post(reverse("donations:pledge_start"), {**fields, "confirm": "goods"})
    assert done.status_code == 302 and Pledge.objects.get().goods_quantity == 200


def test_an_allocation_undone_before_delivery_puts_everything_back(client):
    lot, _pledge = power_strips(10)
    worker = f.worker(f.station("驿站"))
    wish = wf.wish(worker=worker, title=TITLE, category="home_repair")
    in_kind_before = _in_kind()
    fill = stock.wish_fill_from_stock(wish=wish, lot=lot, by=worker)
    assert _in_kind() == in_kind_before - Decimal("30")
    client.force_login(worker)
    url = reverse("wishes:fill_undo", args=[wish.pk])
    client.post(url, {"reason": ""})  # a reason is required: nothing changes without one
    assert StockLot.objects.get(pk=lot.pk).quantity_on_hand == 9
    response = client.post(url, {"reason": "拿错了"}, follow=True)
    assert "退回库存" in response.content.decode() or "back in stock" in response.content.decode()
    fill.refresh_from_db()
    assert fill.undone_at is not None and fill.undone_by == worker
    assert StockLot.objects.get(pk=lot.pk).quantity_on_hand == 10
    assert Wish.objects.get(pk=wish.pk).status == Wish.Status.OPEN
    assert _in_kind() == in_kind_before  # the reversing entry took the goods off the books
    assert fill.undo_entry is not None and fill.undo_entry.reverses_id == fill.entry_id
    # a repeat does nothing more; the wish can be filled again, booked under a new reference
    stock.wish_stock_fill_undo(fill=fill, by=worker, reason="again")
    assert StockLot.objects.get(pk=lot.pk).quantity_on_hand == 10
    again = stock.wish_fill_from_stock(wish=wish, lot=lot, by=worker)
    assert again.pk != fill.pk and again.entry_id != fill.entry_id
    assert StockLot.objects.get(pk=lot.pk).quantity_on_hand == 9
    assert _in_kind() == in_kind_before - Decimal("30")
    assert (
        selectors.goods_filled_for_donor(again.donor)
        and len(selectors.goods_filled_for_donor(again.donor)) == 1
    )


def test_a_delivered_allocation_cannot_be_undone_and_outsiders_cannot_undo():
    lot, _pledge = power_strips(5)
    worker = f.worker(f.station("驿站"))
    wish = wf.wish(worker=worker, title=TITLE, category="home_repair")
    fill = stock.wish_fill_from_stock(wish=wish, lot=lot, by=worker)
    with pytest.raises(PermissionDenied):
        stock.wish_stock_fill_undo(fill=fill, by=f.worker(f.station("别处")), reason="x")
    lifecycle.wish_mark_delivered(wish=Wish.objects.get(pk=wish.pk), by=worker)
    with pytest.raises(ValidationError):
        stock.wish_stock_fill_undo(fill=fill, by=worker, reason="x")
    assert StockLot.objects.get(pk=lot.pk).quantity_on_hand == 4
