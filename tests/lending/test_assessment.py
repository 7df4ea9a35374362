"""A care bed goes out only after a worker's visit assessed the need."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from lending import services
from lending.models import Loan, WaitlistEntry
from tests.accounts import factories as f
from tests.lending import factories as lf

pytestmark = pytest.mark.django_db


def _bed_loan(worker):  # type: ignore[no-untyped-def]
    type_ = lf.equipment_type(
        slug="care-bed",
        name="护理床",
        daily_fee=Decimal("8"),
        deposit=Decimal("800"),
        needs_assessment=True,
    )
    (item,) = lf.items(type_, worker.station, prefix="CB")
    loan = lf.ask(worker, type_, days=31)
    assert isinstance(loan, Loan)
    return type_, item, loan


def test_no_payment_or_hand_out_before_the_visit_then_both(client):
    worker = f.worker()
    _type, item, loan = _bed_loan(worker)
    with pytest.raises(ValidationError, match=r"assess|评估"):
        services.loan_pay_cash(loan=loan, by=worker)
    with pytest.raises(ValidationError, match=r"assess|评估"):
        services.loan_checkout(loan=loan, tag=item.tag, by=worker)
    with pytest.raises(PermissionDenied):
        services.loan_assess(loan=loan, by=f.worker(), approved=True, note="看过了")
    client.force_login(worker)
    url = reverse("lending:item", args=[item.tag])
    page = client.post(url, {"action": "assess", "result": "approve", "note": ""})
    loan.refresh_from_db()
    assert loan.assessed_at is None and page.status_code == 200  # the note is required
    client.post(url, {"action": "assess", "result": "approve", "note": "卧床，需要护理床"})
    loan.refresh_from_db()
    assert loan.assessed_by == worker and loan.assessment_note == "卧床，需要护理床"
    client.post(url, {"action": "pay_cash"})
    client.post(url, {"action": "checkout"})
    loan.refresh_from_db()
    assert loan.status == Loan.Status.ON_LOAN


def test_a_refused_assessment_cancels_the_loan_and_offers_the_bed_to_the_next():
    worker = f.worker()
    type_, item, loan = _bed_loan(worker)
    waiting = lf.ask(worker, type_, days=11, pseudonym="钱伯伯", real_name="钱有才")
    assert isinstance(waiting, WaitlistEntry)
    services.loan_assess(loan=loan, by=worker, approved=False, note="家中放不下护理床")
    loan.refresh_from_db()
    waiting.refresh_from_db()
    assert loan.status == Loan.Status.CANCELLED and loan.assessment_note == "家中放不下护理床"
    assert waiting.status == WaitlistEntry.Status.OFFERED and waiting.item == item
