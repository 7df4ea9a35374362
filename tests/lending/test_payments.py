"""What a loan costs, in the ledger: the fee is the lending fund's income, the deposit is held
until it is returned or partly kept (with the reason the borrower sees)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from charity.models import LedgerLeg
from lending import services
from lending.models import Loan
from tests.accounts import factories as f
from tests.lending import factories as lf

pytestmark = pytest.mark.django_db


def _balance(kind: str) -> Decimal:
    total = LedgerLeg.objects.filter(account__kind=kind).aggregate(s=Sum("amount"))["s"]
    return total or Decimal("0")


def _loan(worker, days: int = 5, **resident):  # type: ignore[no-untyped-def]
    type_ = lf.equipment_type(daily_fee=Decimal("3"), deposit=Decimal("300"))
    (item,) = lf.items(type_, worker.station)
    today = timezone.localdate()
    loan = services.loan_request(
        resident=f.resident(by=worker, **resident),
        type=type_,
        station=worker.station,
        starts_on=today,
        ends_on=today + timedelta(days=days - 1),
        by=worker,
    )
    assert isinstance(loan, Loan)
    return item, loan


def test_cash_fee_is_income_and_the_deposit_is_held_then_partly_kept(client):
    worker = f.worker()
    item, loan = _loan(worker)
    assert (loan.fee, loan.deposit) == (Decimal("15.00"), Decimal("300.00"))
    client.force_login(worker)
    url = reverse("lending:item", args=[item.tag])
    client.post(url, {"action": "pay_cash"})
    client.post(url, {"action": "pay_cash"})  # a second click posts nothing
    loan.refresh_from_db()
    assert loan.paid_at is not None and loan.paid_by == Loan.Payment.CASH
    assert _balance("cash") == Decimal("315.00")
    assert _balance("fund") == Decimal("-15.00")  # income (credit) to the lending fund
    assert _balance("deposits_held") == Decimal("-300.00")
    client.post(url, {"action": "checkout"})
    client.post(url, {"action": "checkin", "condition": "damaged", "note": "扶手断了"})
    # keeping part of it needs the reason the borrower will see
    page = client.post(url, {"action": "deposit", "kept": "80", "reason": ""})
    assert page.status_code == 200 and "error-summary" in page.content.decode()
    too_much = client.post(url, {"action": "deposit", "kept": "301", "reason": "坏了"})
    assert too_much.status_code == 200
    loan.refresh_from_db()
    assert loan.deposit_settled_at is None and _balance("deposits_held") == Decimal("-300.00")
    client.post(url, {"action": "deposit", "kept": "80", "reason": "扶手断了，需更换"})
    client.post(url, {"action": "deposit", "kept": "0", "reason": ""})  # settled once only
    loan.refresh_from_db()
    assert (loan.deposit_returned, loan.deposit_kept) == (Decimal("220.00"), Decimal("80.00"))
    assert _balance("deposits_held") == 0  # nothing held any more
    assert _balance("cash") == Decimal("95.00")  # 315 in, 220 back
    assert _balance("fund") == Decimal("-95.00")  # the fee and what was kept
    assert sum(LedgerLeg.objects.values_list("amount", flat=True)) == 0


def test_a_free_loan_has_nothing_to_pay_and_goes_out_at_once():
    worker = f.worker()
    item, loan = _loan(worker)
    Loan.objects.filter(pk=loan.pk).update(free=True, fee=0, deposit=0)
    loan.refresh_from_db()
    with pytest.raises(ValidationError):
        services.loan_pay_cash(loan=loan, by=worker)
    services.loan_checkout(loan=loan, tag=item.tag, by=worker)
    assert not LedgerLeg.objects.exists()


def test_the_deposit_is_settled_only_after_the_item_is_back():
    worker = f.worker()
    item, loan = _loan(worker)
    services.loan_pay_cash(loan=loan, by=worker)
    services.loan_checkout(loan=loan, tag=item.tag, by=worker)
    with pytest.raises(ValidationError):
        services.loan_deposit_settle(loan=loan, by=worker, kept=Decimal("0"))
    services.loan_checkin(loan=loan, by=worker, condition="good")
    with pytest.raises(ValidationError):
        services.loan_deposit_settle(loan=loan, by=worker, kept=Decimal("10"), reason=" ")
    services.loan_deposit_settle(loan=loan, by=worker, kept=Decimal("0"))
    loan.refresh_from_db()
    assert loan.deposit_returned == Decimal("300.00") and _balance("deposits_held") == 0


def test_the_database_refuses_keeping_more_than_the_deposit_or_without_a_reason():
    worker = f.worker()
    _, loan = _loan(worker)
    with pytest.raises(IntegrityError), transaction.atomic():
        Loan.objects.filter(pk=loan.pk).update(deposit_kept=Decimal("301"), deposit_kept_reason="x")
    with pytest.raises(IntegrityError), transaction.atomic():
        Loan.objects.filter(pk=loan.pk).update(deposit_kept=Decimal("10"))


def test_the_borrower_sees_what_was_kept_and_why(client):
    worker = f.worker()
    item, loan = _loan(worker)
    resident = loan.resident
    user = f.UserFactory(kind="resident")
    from accounts import services as account_services

    account_services.resident_link_user(worker=worker, resident=resident, email=user.email)
    services.loan_pay_cash(loan=loan, by=worker)
    services.loan_checkout(loan=loan, tag=item.tag, by=worker)
    services.loan_checkin(loan=loan, by=worker, condition="damaged", note="轮子坏了")
    services.loan_deposit_settle(loan=loan, by=worker, kept=Decimal("50"), reason="更换轮子")
    client.force_login(user)
    page = client.get(reverse("lending:mine")).content.decode()
    assert "更换轮子" in page and "250" in page
    # another resident sees none of it
    client.force_login(f.UserFactory(kind="resident"))
    assert "更换轮子" not in client.get(reverse("lending:mine")).content.decode()


def test_a_borrower_who_asks_online_is_offered_to_pay_online_at_once(client):
    from accounts import services as account_services

    worker = f.worker()
    type_ = lf.equipment_type(daily_fee=Decimal("2"), deposit=Decimal("100"))
    lf.items(type_, worker.station)
    user = f.UserFactory(kind="resident")
    account_services.resident_link_user(
        worker=worker, resident=f.resident(by=worker), email=user.email
    )
    client.force_login(user)
    today = timezone.localdate()
    page = client.post(
        reverse("lending:request"),
        {
            "type": type_.slug,
            "station": worker.station.pk,
            "starts_on": today.isoformat(),
            "ends_on": (today + timedelta(days=1)).isoformat(),
        },
    ).content.decode()
    loan = Loan.objects.get(resident__user=user)
    assert reverse("lending:pay", args=[loan.pk]) in page and "¥104.00" in page
