"""The wait list's offers (48 hours, then the next in line), due-date reminders that go once,
and renewals only when nobody waits."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from accounts import services as account_services
from charity.models import LedgerLeg
from lending import services
from lending.models import Item, Loan, LoanReminder, WaitlistEntry
from tests.accounts import factories as f
from tests.lending import factories as lf

pytestmark = pytest.mark.django_db


def _out(worker, type_, item, **resident):  # type: ignore[no-untyped-def]
    """A loan of the station's only item, paid in cash and handed out."""
    loan = lf.ask(worker, type_, days=10, **resident)
    assert isinstance(loan, Loan)
    services.loan_pay_cash(loan=loan, by=worker)
    return services.loan_checkout(loan=loan, tag=item.tag, by=worker)


def _wait(worker, type_, **resident):  # type: ignore[no-untyped-def]
    entry = lf.ask(worker, type_, days=7, starts_in=1, **resident)
    assert isinstance(entry, WaitlistEntry)
    return entry


def test_the_first_in_line_is_offered_it_for_48_hours_then_the_next(
    client, django_capture_on_commit_callbacks
):
    worker = f.worker()
    type_ = lf.equipment_type()
    (item,) = lf.items(type_, worker.station)
    loan = _out(worker, type_, item)
    early = _wait(worker, type_, pseudonym="李爷爷", real_name="李建国")
    urgent = _wait(worker, type_, pseudonym="赵奶奶", real_name="赵桂兰")
    user = f.UserFactory(kind="resident")
    account_services.resident_link_user(worker=worker, resident=urgent.resident, email=user.email)
    # staff put the second one first: home from hospital
    client.force_login(worker)
    client.post(reverse("lending:waiting", args=[urgent.pk]), {"action": "urgency", "urgency": 3})
    urgent.refresh_from_db()
    assert urgent.urgency == 3
    services.loan_checkin(loan=loan, by=worker, condition="good")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.item_inspect(item=item, by=worker, passed=True)
    urgent.refresh_from_db()
    item.refresh_from_db()
    assert urgent.status == WaitlistEntry.Status.OFFERED and urgent.item_id == item.pk
    assert item.state == Item.State.RESERVED
    assert urgent.offer_expires_at - urgent.offered_at == timedelta(hours=48)
    # the offer e-mail goes to the resident's own account
    assert [m.to for m in mail.outbox] == [[user.email]]
    assert item.type.name in mail.outbox[0].body or item.type.name_en in mail.outbox[0].body
    # nobody else can take the held item meanwhile
    other = lf.ask(worker, type_, days=1, pseudonym="钱伯伯", real_name="钱有才")
    assert isinstance(other, WaitlistEntry)
    # 48 hours pass: the offer lapses and the next in line (by time) is offered it
    WaitlistEntry.objects.filter(pk=urgent.pk).update(
        offer_expires_at=timezone.now() - timedelta(minutes=1)
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.waitlist_offers_expire() == 1
        assert services.waitlist_offers_expire() == 0  # safe to run twice
    urgent.refresh_from_db()
    early.refresh_from_db()
    assert urgent.status == WaitlistEntry.Status.EXPIRED
    assert early.status == WaitlistEntry.Status.OFFERED and early.item_id == item.pk
    # no account: the station's workers are told, to phone them
    assert [m.to for m in mail.outbox] == [[worker.email]]
    assert "李爷爷" in mail.outbox[0].body and "李建国" not in mail.outbox[0].body
    # the lapsed offer cannot be accepted any more
    with pytest.raises(ValidationError):
        services.waitlist_offer_accept(entry=urgent, by=user)
    # the worker accepts for him by phone: the loan is made, the item no longer held
    client.post(reverse("lending:waiting", args=[early.pk]), {"action": "accept"})
    early.refresh_from_db()
    item.refresh_from_db()
    assert early.status == WaitlistEntry.Status.SERVED and early.loan is not None
    assert early.loan.item_id == item.pk and item.state == Item.State.AVAILABLE
    assert services.waitlist_offer_accept(entry=early, by=worker) == early.loan  # a repeat


def test_declining_passes_the_offer_on_and_a_stranger_cannot_answer_it(
    client, django_capture_on_commit_callbacks
):
    worker = f.worker()
    type_ = lf.equipment_type()
    (item,) = lf.items(type_, worker.station)
    loan = _out(worker, type_, item)
    first = _wait(worker, type_, pseudonym="李爷爷", real_name="李建国")
    second = _wait(worker, type_, pseudonym="赵奶奶", real_name="赵桂兰")
    services.loan_checkin(loan=loan, by=worker, condition="good")
    with django_capture_on_commit_callbacks(execute=True):
        services.item_inspect(item=item, by=worker, passed=True)
    stranger = f.worker()  # another station's worker
    client.force_login(stranger)
    client.post(reverse("lending:waiting", args=[first.pk]), {"action": "accept"})
    first.refresh_from_db()
    assert first.status == WaitlistEntry.Status.OFFERED
    client.force_login(worker)
    client.post(reverse("lending:waiting", args=[first.pk]), {"action": "decline"})
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == WaitlistEntry.Status.WITHDRAWN
    assert second.status == WaitlistEntry.Status.OFFERED and second.item_id == item.pk


def test_an_item_that_fails_inspection_is_offered_to_nobody():
    worker = f.worker()
    type_ = lf.equipment_type()
    (item,) = lf.items(type_, worker.station)
    loan = _out(worker, type_, item)
    entry = _wait(worker, type_)
    services.loan_checkin(loan=loan, by=worker, condition="damaged", note="车轮裂开")
    services.item_inspect(item=item, by=worker, passed=False, note="无法修复")
    entry.refresh_from_db()
    assert entry.status == WaitlistEntry.Status.WAITING and entry.item_id is None


def test_reminders_go_once_each_three_days_before_on_the_day_and_overdue(
    django_capture_on_commit_callbacks,
):
    worker = f.worker()
    type_ = lf.equipment_type()
    (item,) = lf.items(type_, worker.station)
    loan = _out(worker, type_, item)
    today = timezone.localdate()
    for ends_on, kind in [
        (today + timedelta(days=3), "soon"),
        (today, "due"),
        (today - timedelta(days=2), "overdue"),
    ]:
        Loan.objects.filter(pk=loan.pk).update(
            starts_on=ends_on - timedelta(days=5), ends_on=ends_on
        )
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            assert services.loan_reminders_send_due() == 1
            assert services.loan_reminders_send_due() == 0  # run twice: nothing more
        assert LoanReminder.objects.filter(loan=loan, kind=kind).count() == 1
        assert len(mail.outbox) == 1 and mail.outbox[0].to == [worker.email]
    Loan.objects.filter(pk=loan.pk).update(ends_on=today + timedelta(days=1))
    assert services.loan_reminders_send_due() == 0  # nothing due for a date in between


def test_a_loan_is_renewed_only_when_nobody_waits(client):
    worker = f.worker()
    type_ = lf.equipment_type(daily_fee=Decimal("2"), deposit=Decimal("100"))
    (item,) = lf.items(type_, worker.station)
    loan = _out(worker, type_, item)
    cash_before = LedgerLeg.objects.filter(account__kind="cash").aggregate(s=Sum("amount"))["s"]
    client.force_login(worker)
    url = reverse("lending:item", args=[item.tag])
    form = {"action": "renew", "days": "7", "from_end": loan.ends_on.isoformat()}
    client.post(url, form)
    client.post(url, form)  # a double click: renewed and charged once
    renewed = Loan.objects.get(pk=loan.pk)
    assert renewed.ends_on == loan.ends_on + timedelta(days=7)
    assert renewed.fee == loan.fee + Decimal("14.00")  # the extra days, paid in cash
    cash = LedgerLeg.objects.filter(account__kind="cash").aggregate(s=Sum("amount"))["s"]
    assert cash == cash_before + Decimal("14.00")
    _wait(worker, type_)
    page = client.post(
        url,
        {"action": "renew", "days": "7", "from_end": renewed.ends_on.isoformat()},
        follow=True,
    )
    assert Loan.objects.get(pk=loan.pk).ends_on == renewed.ends_on
    said = _said(page)
    assert "Someone is waiting" in said or "有人在排队" in said
    bad = client.post(
        url, {"action": "renew", "days": "0", "from_end": renewed.ends_on.isoformat()}, follow=True
    )
    assert Loan.objects.get(pk=loan.pk).ends_on == renewed.ends_on and bad.status_code == 200


def test_the_figures_count_use_waiting_and_eligibility_without_names(client):
    from datetime import datetime

    worker = f.worker()
    type_ = lf.equipment_type()
    (item, idle) = lf.items(type_, worker.station, count=2)
    loan = _out(worker, type_, item, real_name="孙美华", pseudonym="孙奶奶")
    # out since 9 days ago: 10 lent days (today included) of 2 × 90 item-days
    Loan.objects.filter(pk=loan.pk).update(
        handed_out_at=timezone.make_aware(
            datetime.combine(timezone.localdate(), datetime.min.time())
        )
        - timedelta(days=9)
    )
    _out(worker, type_, idle)  # out since today: 1 more lent day
    _wait(worker, type_)
    client.force_login(worker)
    page = client.get(reverse("lending:figures")).content.decode()
    assert "6%" in page  # round(100 × 11 / 180)
    assert "孙" not in page
    (row,) = client.get(reverse("lending:figures")).context["rows"]
    assert (row["items"], row["out"], row["waiting"], row["lent_days"]) == (2, 2, 1, 11)
    assert client.get(reverse("lending:figures")).context["loans_paid"] == 2
    # a stranger without a staff role sees nothing
    client.force_login(f.UserFactory())
    assert client.get(reverse("lending:figures")).status_code == 403


def test_an_item_booked_ahead_is_not_offered_over_its_booking(django_capture_on_commit_callbacks):
    worker = f.worker()
    type_ = lf.equipment_type()
    (item,) = lf.items(type_, worker.station)
    loan = _out(worker, type_, item)
    booked = lf.ask(worker, type_, days=3, starts_in=12, pseudonym="钱伯伯", real_name="钱有才")
    assert isinstance(booked, Loan)
    entry = _wait(worker, type_)
    services.loan_checkin(loan=loan, by=worker, condition="good")
    services.item_inspect(item=item, by=worker, passed=True)
    entry.refresh_from_db()
    item.refresh_from_db()
    assert entry.status == WaitlistEntry.Status.WAITING and item.state == Item.State.AVAILABLE


def _said(response) -> str:  # type: ignore[no-untyped-def]
    """What the page's messages said (the flash messages after a redirect)."""
    return " ".join(str(m) for m in response.context["messages"])
