"""Exports: every column and row of a small known data set, in CSV (with the BOM Excel needs)
and in xlsx; filtered by period and fund; for the fund office only; never a private field."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from charity.selectors import fund_general
from lending import services as lending
from lending.models import Loan
from tests.accounts import factories as f
from tests.donations.helpers import company_donor, offline_gift
from tests.lending import factories as lf
from tests.wishes import factories as wf

pytestmark = [pytest.mark.django_db, pytest.mark.cjk_pdf]  # receipts are rendered on the way


def _csv(response) -> list[list[str]]:  # type: ignore[no-untyped-def]
    body = b"".join(response.streaming_content)
    assert body.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_every_column_and_row_of_a_known_month(client):
    admin = f.fund_administrator()
    worker = f.worker()
    donor = company_donor("康复器材有限公司")
    gift = offline_gift(donor=donor, amount="500", admin=admin)
    wish = wf.wish(worker=worker, resident=f.resident(by=worker, real_name="赵桂兰"))
    type_ = lf.equipment_type()
    lf.items(type_, worker.station)
    today = timezone.localdate()
    loan = lending.loan_request(
        resident=f.resident(by=worker, pseudonym="周爷爷", real_name="周德明"),
        type=type_,
        station=worker.station,
        starts_on=today,
        ends_on=today + timedelta(days=4),
        by=worker,
    )
    assert isinstance(loan, Loan)
    client.force_login(admin)
    url = reverse("reports:exports")
    period = {"start": today.isoformat(), "end": today.isoformat(), "file_format": "csv"}

    ledger = _csv(client.get(url, {**period, "dataset": "ledger"}))
    entry = gift.entry
    posted = timezone.localtime(entry.posted_at).strftime("%Y-%m-%d %H:%M")
    assert ledger[0] == [
        "posted",
        "entry",
        "kind",
        "memo",
        "account",
        "account kind",
        "fund",
        "amount",
        "currency",
    ]
    assert sorted(ledger[1:]) == sorted(
        [
            posted,
            str(entry.pk),
            "offline_income",
            entry.memo,
            leg.account.code,
            leg.account.kind,
            leg.account.fund.code if leg.account.fund else "",
            f"{leg.amount:.2f}",
            "CNY",
        ]
        for leg in entry.legs.select_related("account__fund")
    )
    donations = _csv(client.get(url, {**period, "dataset": "donations"}))
    assert donations[1:] == [
        [
            str(gift.pk),
            timezone.localtime(gift.received_at).strftime("%Y-%m-%d %H:%M"),
            "康复器材有限公司",
            "general",
            "bank_transfer",
            "500.00",
            "0.00",
            "CNY",
            "received",
        ]
    ]
    receipts = _csv(client.get(url, {**period, "dataset": "receipts"}))
    (receipt,) = gift.receipts.all()
    assert receipts[1:] == [
        [
            receipt.number,
            timezone.localtime(receipt.issued_at).strftime("%Y-%m-%d %H:%M"),
            "康复器材有限公司",
            "500.00",
            "CNY",
            receipt.status,
        ]
    ]
    wishes = _csv(client.get(url, {**period, "dataset": "wishes"}))
    assert [row[0] for row in wishes[1:]] == [str(wish.pk)]
    assert wishes[1][2:4] == [wish.pseudonym, wish.station.name]
    loans = _csv(client.get(url, {**period, "dataset": "loans"}))
    assert loans[1:] == [
        [
            str(loan.pk),
            timezone.localtime(loan.created_at).strftime("%Y-%m-%d %H:%M"),
            "wheelchair",
            loan.item.tag,
            loan.item.warehouse.name,
            "周爷爷",
            today.isoformat(),
            (today + timedelta(days=4)).isoformat(),
            "reserved",
            "paid",
            "15.00",
            "300.00",
        ]
    ]
    everything = b"".join(
        b"".join(client.get(url, {**period, "dataset": d}).streaming_content)
        for d in ("ledger", "donations", "receipts", "wishes", "loans")
    ).decode("utf-8-sig")
    for private in ("赵桂兰", "周德明", "13800000001", "梅园路"):
        assert private not in everything

    # the same rows in Excel
    book = client.get(url, {**period, "dataset": "donations", "file_format": "xlsx"})
    sheet = load_workbook(io.BytesIO(b"".join(book.streaming_content))).active
    values = list(sheet.values)
    assert values[0][:3] == ("id", "received", "donor") and values[1][2] == "康复器材有限公司"
    assert values[1][5] == 500.0

    # another fund, another period: nothing
    from lending.services.payments import lending_fund

    other = {**period, "dataset": "donations", "fund": lending_fund().pk}
    assert _csv(client.get(url, other))[1:] == []  # the gift went to the general fund
    same = {**period, "dataset": "donations", "fund": fund_general().pk}
    assert len(_csv(client.get(url, same))[1:]) == 1
    unknown = {**period, "dataset": "donations", "fund": fund_general().pk + 999}
    assert "form" in client.get(url, unknown).context  # the form again, with its error
    later = {
        **period,
        "dataset": "donations",
        "start": (today + timedelta(days=1)).isoformat(),
        "end": (today + timedelta(days=2)).isoformat(),
    }
    assert _csv(client.get(url, later))[1:] == []
    backwards = {**period, "dataset": "ledger", "end": (today - timedelta(days=1)).isoformat()}
    assert b"csv" not in client.get(url, backwards).get("Content-Type", "").encode()


def test_exports_are_for_the_fund_office_only(client):
    today = timezone.localdate().isoformat()
    for user in (f.worker(), f.UserFactory()):
        client.force_login(user)
        response = client.get(
            reverse("reports:exports"),
            {"dataset": "ledger", "start": today, "end": today, "file_format": "csv"},
        )
        assert response.status_code == 403
