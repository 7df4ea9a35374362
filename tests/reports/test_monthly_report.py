"""The disbursement report of a month with known postings holds exactly those figures, in its
CSV and in its PDF's text; made twice it is one report, e-mailed once."""

import csv
import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from charity import services as charity_services
from charity.selectors import fund_general
from core.files import private_path
from lending.services.payments import lending_fund
from reports import services, tasks
from reports.models import Report
from tests.accounts import factories as f
from tests.donations.helpers import offline_gift
from tests.pdfs import pdf_text

pytestmark = [pytest.mark.django_db, pytest.mark.cjk_pdf, pytest.mark.poppler]


def _at(monkeypatch, when: datetime) -> None:
    """Post as if it were ``when`` (the ledger stamps entries with the time they are made)."""
    monkeypatch.setattr(timezone, "now", lambda: when)


def test_a_month_with_known_postings_and_its_report_made_once(client, monkeypatch):
    zone = timezone.get_default_timezone()
    real_now = timezone.now
    first, second = f.fund_administrator(), f.fund_administrator()
    _at(monkeypatch, datetime(2026, 10, 31, 23, 30, tzinfo=zone))  # late on the last day
    offline_gift(amount="500", admin=first)
    offline_gift(amount="300", admin=first)
    asked = charity_services.disbursement_request(
        from_fund=fund_general(),
        to_fund=lending_fund(),
        amount=Decimal("200"),
        reason="轮椅维修",
        by=first,
    )
    charity_services.disbursement_approve(disbursement_id=asked.pk, by=second)
    _at(monkeypatch, datetime(2026, 11, 1, 0, 5, tzinfo=zone))  # just after: not October's
    offline_gift(amount="40", admin=first)
    monkeypatch.setattr(timezone, "now", real_now)

    mail.outbox.clear()
    report = services.report_make(start=date(2026, 10, 1), end=date(2026, 10, 31))
    again = services.report_make(start=date(2026, 10, 1), end=date(2026, 10, 31))
    assert again.pk == report.pk and Report.objects.count() == 1
    figures = report.figures
    assert figures["money_in"] == [
        {"kind": "offline_income", "label": "线下收入 Offline income", "amount": "800.00"}
    ]
    assert figures["money_in_total"] == "800.00" and figures["disbursed_total"] == "200.00"
    funds = {row["code"]: row for row in figures["funds"]}
    assert (funds["general"]["opening"], funds["general"]["closing"]) == ("0.00", "600.00")
    assert funds["lending"]["closing"] == "200.00"
    (line,) = figures["disbursements"]
    assert line["amount"] == "200.00" and line["approved_by"] == second.get_full_name()
    assert line["approved_at"] == "2026-10-31 23:30"

    raw = private_path(report.csv).read_bytes()
    assert raw.startswith("\ufeff".encode())  # Excel reads the Chinese
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert ["收入合计 money in, total", "", "", "800.00", "", ""] in rows
    assert ["拨付合计 disbursed, total", "", "", "200.00", "", ""] in rows
    assert any(
        r[0] == "拨付 disbursement" and "轮椅维修" in r[1] and r[4] == second.get_full_name()
        for r in rows
    )

    text = pdf_text(private_path(report.pdf))
    assert "¥800.00" in text and "¥200.00" in text and "¥600.00" in text
    assert "轮椅维修" in text and second.get_full_name() in text
    assert "¥840.00" not in text and "¥40.00" not in text  # November's gift is not October's

    # e-mailed once to each fund administrator, however often it is asked
    tasks.email_report(report.pk)
    tasks.email_report(report.pk)
    sent = [m for m in mail.outbox if "2026-10-01" in m.subject or "2026-10-01" in m.body]
    assert sorted(m.to[0] for m in sent) == sorted([first.email, second.email])
    assert all(len(m.attachments) == 2 for m in sent)

    # the staff list serves the files; nobody else gets them
    client.force_login(first)
    assert client.get(reverse("reports:file", args=[report.pk, "csv"])).status_code == 200
    client.force_login(f.worker())
    assert client.get(reverse("reports:file", args=[report.pk, "pdf"])).status_code == 403


def test_bad_periods_are_refused_and_make_nothing():
    today = timezone.localdate()
    for start, end in [
        (date(2026, 10, 31), date(2026, 10, 1)),  # end before start
        (date(2024, 1, 1), date(2025, 6, 1)),  # more than a year
        (today, today),  # not over yet
    ]:
        with pytest.raises(ValidationError):
            services.report_make(start=start, end=end)
    assert not Report.objects.exists()


def test_beat_makes_last_months_report_once(monkeypatch):
    assert services.previous_month(date(2026, 3, 1)) == (date(2026, 2, 1), date(2026, 2, 28))
    assert services.previous_month(date(2027, 1, 15)) == (date(2026, 12, 1), date(2026, 12, 31))
    first = tasks.make_monthly_report()
    assert tasks.make_monthly_report() == first and Report.objects.count() == 1
