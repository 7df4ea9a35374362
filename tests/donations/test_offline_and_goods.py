from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.models import Warehouse
from charity import selectors as charity_selectors
from charity.models import StockLot
from charity.selectors import fund_general
from donations.models import Pledge, Receipt
from donations.services import offline, pledges
from tests.accounts import factories as f
from tests.donations.helpers import company_donor, offline_gift

pytestmark = pytest.mark.django_db


def _balance(code="general"):
    return {r["fund"].code: r for r in charity_selectors.fund_balances()}[code]


def test_offline_income_is_booked_and_receipted(django_capture_on_commit_callbacks):
    before = _balance()["balance"]
    with django_capture_on_commit_callbacks(execute=False):
        donation = offline_gift(amount="1234.56")
    assert _balance()["balance"] - before == Decimal("1234.56")
    receipt = donation.receipts.get()
    assert receipt.amount == Decimal("1234.56") and receipt.number.startswith(
        f"WP-{timezone.localdate().year}-"
    )
    assert donation.entry.legs.count() == 2


def test_same_bank_reference_is_refused_and_changes_nothing():
    admin = f.fund_administrator()
    donor = company_donor()
    offline_gift(donor=donor, reference="BANK-77", admin=admin)
    before = _balance()["balance"]
    with pytest.raises(ValidationError):
        offline_gift(donor=donor, reference="BANK-77", admin=admin)
    assert _balance()["balance"] == before
    assert Receipt.objects.filter(donor=donor).count() == 1


def test_only_fund_administrators_record_income():
    with pytest.raises(PermissionDenied):
        offline_gift(admin=f.worker())


def test_goods_pledge_waits_then_is_booked_at_fair_value_and_stocked():
    org = f.organisation()
    rep = org.memberships.get().user
    pledge = pledges.pledge_create(
        user=rep,
        organisation=org,
        kind="goods",
        fund=fund_general(),
        show_name=True,
        goods_description="插线板",
        goods_quantity=200,
        goods_unit_value=Decimal("30"),
    )
    assert pledge.status == Pledge.Status.AWAITING_GOODS
    in_kind_before = _balance()["in_kind"]
    admin = f.fund_administrator()
    warehouse = Warehouse.objects.get(is_main=True)
    intake = offline.goods_intake_record(
        pledge=pledge,
        quantity=180,
        condition="new",
        unit_value=Decimal("25.50"),
        warehouse=warehouse,
        by=admin,
        difference_confirmed=True,  # 200 pledged, 180 arrived
    )
    assert intake.note  # the difference is recorded
    again = offline.goods_intake_record(
        pledge=pledge,
        quantity=180,
        condition="new",
        unit_value=Decimal("25.50"),
        warehouse=warehouse,
        by=admin,
        difference_confirmed=True,
    )
    assert again.pk == intake.pk
    assert _balance()["in_kind"] - in_kind_before == Decimal("4590.00")
    lot = StockLot.objects.get(intake=intake)
    assert lot.quantity_on_hand == 180 and lot.warehouse == warehouse
    assert intake.donation.receipts.get().amount == Decimal("4590.00")
    pledge.refresh_from_db()
    assert pledge.status == Pledge.Status.RECEIVED


def test_goods_for_a_money_pledge_are_refused():
    org = f.organisation()
    pledge = pledges.pledge_create(
        user=org.memberships.get().user,
        organisation=org,
        kind="money",
        fund=fund_general(),
        show_name=True,
        amount=Decimal("100"),
    )
    with pytest.raises(ValidationError):
        offline.goods_intake_record(
            pledge=pledge,
            quantity=1,
            condition="new",
            unit_value=Decimal("1"),
            warehouse=Warehouse.objects.get(is_main=True),
            by=f.fund_administrator(),
        )


def test_members_only_refuses_unapproved_companies(settings):
    settings.WISHPOOL_MEMBERS_ONLY = True
    org = f.organisation()
    rep = org.memberships.get().user
    with pytest.raises(PermissionDenied):
        pledges.pledge_create(
            user=rep,
            organisation=org,
            kind="money",
            fund=fund_general(),
            show_name=True,
            amount=Decimal("100"),
        )
    org.approved_at = timezone.now()
    org.save()
    assert (
        pledges.pledge_create(
            user=rep,
            organisation=org,
            kind="money",
            fund=fund_general(),
            show_name=True,
            amount=Decimal("100"),
        ).status
        == Pledge.Status.PENDING
    )


def test_a_goods_pledge_worth_too_much_altogether_is_refused():
    from donations import limits

    org = f.organisation()
    with pytest.raises(ValidationError, match="10,000,000"):
        pledges.pledge_create(
            user=org.memberships.get().user,
            organisation=org,
            kind="goods",
            fund=fund_general(),
            show_name=False,
            goods_description="护理床",
            goods_quantity=100_000,
            goods_unit_value=Decimal("1000"),  # each allowed; ¥100,000,000 altogether is not
        )
    assert limits.goods_total_error(10_000, Decimal("1000")) is None
    assert not Pledge.objects.filter(goods_description="护理床").exists()
