"""Transfers between warehouses (with the count check on arrival and the suggestions) and
equipment lent into the pool by its owners for a term."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import Warehouse
from core.models import Transition
from lending import selectors, services
from lending.models import Item, Loan, Transfer, WaitlistEntry
from tests.accounts import factories as f
from tests.lending import factories as lf

pytestmark = pytest.mark.django_db


def _main() -> Warehouse:
    return Warehouse.objects.get(is_main=True)


def test_a_suggested_transfer_with_a_missing_item_is_flagged(
    client, django_capture_on_commit_callbacks
):
    admin = f.fund_administrator()
    worker = f.worker()
    type_ = lf.equipment_type()
    main_items = [
        services.item_add(type=type_, tag=f"MAIN{n}", warehouse=_main(), by=admin) for n in range(3)
    ]
    # two people wait at the station, which has none
    waiting = [
        lf.ask(worker, type_, starts_in=1, pseudonym=f"老人{n}", real_name=f"张{n}")
        for n in range(2)
    ]
    assert all(isinstance(w, WaitlistEntry) for w in waiting)
    (suggestion,) = selectors.transfer_suggestions()
    assert suggestion["source"] == _main() and suggestion["count"] == 2
    assert suggestion["destination"] == worker.station.warehouse
    client.force_login(admin)
    page = client.get(reverse("lending:transfers")).content.decode()
    assert "count=2" in page
    made = client.post(
        reverse("lending:transfers"),
        {
            "source": _main().pk,
            "destination": worker.station.warehouse.pk,
            "type": type_.pk,
            "count": 2,
        },
    )
    order = Transfer.objects.get()
    assert made["Location"].endswith(f"/transfers/{order.pk}/")
    tags = sorted(order.lines.values_list("item__tag", flat=True))
    assert selectors.transfer_suggestions() == []  # not suggested twice
    url = reverse("lending:transfer", args=[order.pk])
    client.post(url, {"action": "dispatch"})
    client.post(url, {"action": "dispatch"})  # a repeat changes nothing
    assert Item.objects.filter(tag__in=tags, state=Item.State.IN_TRANSIT).count() == 2
    client.post(url, {"action": "on_the_way"})
    # the station counts one of two on arrival
    client.force_login(worker)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"action": "receive", "arrived": [tags[0]]})
    order.refresh_from_db()
    assert order.status == Transfer.Status.RECEIVED and order.missing == 1
    here, lost = Item.objects.get(tag=tags[0]), Item.objects.get(tag=tags[1])
    assert here.warehouse == worker.station.warehouse
    assert lost.state == Item.State.IN_TRANSIT and lost.warehouse == _main()
    assert order.lines.get(item=lost).arrived is False
    # the fund administrators are told; the item that came is offered to the first in line
    assert any(admin.email in m.to for m in mail.outbox)
    assert here.state == Item.State.RESERVED
    waiting[0].refresh_from_db()
    assert waiting[0].status == WaitlistEntry.Status.OFFERED and waiting[0].item == here
    assert Item.objects.get(tag=main_items[2].tag).state == Item.State.AVAILABLE
    page = client.get(url).content.decode()
    assert "Missing on arrival" in page or "到货时缺失" in page


def test_bad_transfers_are_refused_and_change_nothing():
    admin = f.fund_administrator()
    worker = f.worker()
    type_ = lf.equipment_type()
    item = services.item_add(type=type_, tag="MAIN1", warehouse=_main(), by=admin)
    dest = worker.station.warehouse
    with pytest.raises(ValidationError):
        services.transfer_request(
            source=_main(), destination=_main(), type=type_, count=1, by=admin
        )
    with pytest.raises(ValidationError):
        services.transfer_request(source=_main(), destination=dest, type=type_, count=2, by=admin)
    order = services.transfer_request(
        source=_main(), destination=dest, type=type_, count=1, by=admin
    )
    with pytest.raises(ValidationError):  # the same item is not taken twice
        services.transfer_request(source=_main(), destination=dest, type=type_, count=1, by=admin)
    services.transfer_dispatch(transfer=order, by=admin)
    with pytest.raises(ValidationError):  # a tag not on the transfer
        services.transfer_receive(transfer=order, by=worker, arrived_tags={"NOPE"})
    item.refresh_from_db()
    assert item.state == Item.State.IN_TRANSIT and Transfer.objects.count() == 1


def test_a_lenders_item_goes_back_at_term_end_and_the_lender_sees_no_borrower(
    client, django_capture_on_commit_callbacks
):
    worker = f.worker()
    owner = f.organisation(name="康复器材有限公司")
    rep = owner.memberships.get().user
    type_ = lf.equipment_type()
    today = timezone.localdate()
    item = services.item_lend_in(
        type=type_,
        tag="LEND1",
        warehouse=worker.station.warehouse,
        lent_until=today + timedelta(days=20),
        owner_organisation=owner,
        by=worker,
    )
    # no loan runs past the owner's term
    long = lf.ask(worker, type_, days=26, pseudonym="孙奶奶", real_name="孙美华")
    assert isinstance(long, WaitlistEntry)
    WaitlistEntry.objects.filter(pk=long.pk).update(status=WaitlistEntry.Status.WITHDRAWN)
    loan = lf.ask(worker, type_, pseudonym="周爷爷", real_name="周德明")
    assert isinstance(loan, Loan) and loan.item == item
    # the lender sees when it was lent, never to whom
    client.force_login(rep)
    page = client.get(reverse("lending:lent")).content.decode()
    assert "LEND1" in page and str(loan.starts_on) in page
    assert "周爷爷" not in page and "周德明" not in page
    # a stranger's page lists nothing of it
    client.force_login(f.UserFactory())
    assert "LEND1" not in client.get(reverse("lending:lent")).content.decode()
    # six days before the end: staff are told, once
    Item.objects.filter(pk=item.pk).update(lent_until=today + timedelta(days=6))
    Loan.objects.filter(pk=loan.pk).update(status=Loan.Status.CANCELLED)
    admin = f.fund_administrator()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.lender_terms_due() == 0
        services.lender_terms_due()
    assert [admin.email] in [m.to for m in mail.outbox] and len(mail.outbox) == 1
    # the term ends: the item goes back to its owner, with its history
    Item.objects.filter(pk=item.pk).update(lent_until=today - timedelta(days=1))
    assert services.lender_terms_due() == 1
    assert services.lender_terms_due() == 0
    item.refresh_from_db()
    assert item.state == Item.State.WITH_OWNER
    assert Transition.objects.filter(
        object_id=str(item.pk), to_state="with_owner", reason="lending term ended"
    ).exists()


def test_donated_wheelchairs_in_stock_become_tagged_items(client):
    from decimal import Decimal

    from charity.services import stock_lot_receive

    worker = f.worker()
    type_ = lf.equipment_type()
    lot = stock_lot_receive(
        warehouse=worker.station.warehouse,
        description="轮椅（捐赠）",
        quantity=3,
        unit_value=Decimal("600"),
        entry=None,
    )
    waiting = lf.ask(worker, type_, days=4)
    assert isinstance(waiting, WaitlistEntry)
    client.force_login(worker)
    url = reverse("lending:from_stock")
    client.post(url, {"lot": lot.pk, "type": type_.pk, "tags": "DON-1, DON-2"})
    lot.refresh_from_db()
    assert lot.quantity_on_hand == 1
    made = Item.objects.filter(stock_lot=lot).order_by("tag")
    assert [i.tag for i in made] == ["DON-1", "DON-2"]
    waiting.refresh_from_db()
    assert waiting.status == WaitlistEntry.Status.OFFERED and waiting.item == made[0]
    # more than is on hand, or a tag already used: refused, nothing changes
    page = client.post(url, {"lot": lot.pk, "type": type_.pk, "tags": "DON-3 DON-4"})
    errors = " ".join(page.context["form"].non_field_errors())
    assert page.status_code == 200 and ("Only 1 of these" in errors or "只剩 1 件" in errors)
    page = client.post(url, {"lot": lot.pk, "type": type_.pk, "tags": "DON-1"})
    assert page.status_code == 200
    lot.refresh_from_db()
    assert lot.quantity_on_hand == 1 and Item.objects.filter(stock_lot=lot).count() == 2
    # another station's worker cannot take from this lot
    with pytest.raises(PermissionDenied):
        services.items_from_stock_lot(lot=lot, type=type_, tags=["DON-9"], by=f.worker())


def test_an_item_on_its_way_out_is_not_booked_here():
    worker = f.worker()
    type_ = lf.equipment_type()
    (item,) = lf.items(type_, worker.station)
    services.transfer_request(
        source=worker.station.warehouse, destination=_main(), type=type_, count=1, by=worker
    )
    asked = lf.ask(worker, type_, days=3)
    assert isinstance(asked, WaitlistEntry) and not item.loans.exists()


def _said(response) -> str:  # type: ignore[no-untyped-def]
    """What the page's messages said (the flash messages after a redirect)."""
    return " ".join(str(m) for m in response.context["messages"])
