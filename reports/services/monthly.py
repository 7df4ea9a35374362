"""Making a disbursement report: figures from the ledger, a PDF (WeasyPrint, Chinese and
English) and a CSV (UTF-8 with BOM, so Excel reads the Chinese), archived privately, then
e-mailed to the fund administrators after commit. A period is made once: asked again (beat
run twice, a second click), the first report is returned as it is."""

import csv
import io
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.selectors import fund_administrators, is_fund_administrator
from core.files import private_read, private_save
from core.pdf import pdf_from_template
from donations.pdf import fund_name
from reports.figures import period_figures
from reports.models import Report

LONGEST = timedelta(days=366)


def previous_month(today: date) -> tuple[date, date]:
    end = today.replace(day=1) - timedelta(days=1)
    return end.replace(day=1), end


def report_make(*, start: date, end: date, by: User | None = None) -> Report:
    """The report of ``start``..``end`` (inclusive), made now or found made."""
    if by is not None and not is_fund_administrator(by):
        raise PermissionDenied
    if end < start:
        raise ValidationError(_("The last day cannot be before the first."))
    if end - start > LONGEST:
        raise ValidationError(_("A report covers at most a year."))
    if end >= timezone.localdate():
        raise ValidationError(_("A report covers days that have ended: choose up to yesterday."))
    existing = Report.objects.filter(period_start=start, period_end=end).first()
    if existing is not None:
        return existing
    figures = period_figures(start=start, end=end)
    name = f"reports/{start.isoformat()}_{end.isoformat()}"
    private_save(f"{name}.pdf", _pdf(figures))
    private_save(f"{name}.csv", _csv(figures))
    try:
        with transaction.atomic():
            report = Report.objects.create(
                period_start=start,
                period_end=end,
                figures=figures,
                pdf=f"{name}.pdf",
                csv=f"{name}.csv",
            )
            transaction.on_commit(lambda: _email_later(report.pk))
    except IntegrityError:
        # made at the same moment by another run: that one stands (same figures, same files)
        return Report.objects.get(period_start=start, period_end=end)
    return report


def _email_later(report_id: int) -> None:
    from reports import tasks

    tasks.email_report.delay(report_id)


def _pdf(figures: dict) -> bytes:  # type: ignore[type-arg]
    with translation.override("zh-hans"):
        return pdf_from_template(
            "reports/report_pdf.html", {"f": figures, "fund_name": fund_name()}
        )


def _csv(figures: dict) -> bytes:  # type: ignore[type-arg]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["部分 section", "项目 item", "基金 fund", "金额 amount", "批准 approved by", "时间 when"]
    )
    for fund in figures["funds"]:
        writer.writerow(
            ["期初余额 opening", "", fund["name"], fund["opening"], "", figures["start"]]
        )
        writer.writerow(["期末余额 closing", "", fund["name"], fund["closing"], "", figures["end"]])
    for row in figures["money_in"]:
        writer.writerow(["收入 money in", row["label"], "", row["amount"], "", ""])
    writer.writerow(["收入合计 money in, total", "", "", figures["money_in_total"], "", ""])
    for d in figures["disbursements"]:
        writer.writerow(
            [
                "拨付 disbursement",
                f"#{d['id']} {d['to']}: {d['reason']}",
                d["from"],
                d["amount"],
                d["approved_by"],
                d["approved_at"],
            ]
        )
    writer.writerow(["拨付合计 disbursed, total", "", "", figures["disbursed_total"], "", ""])
    writer.writerow(["退款 refunds", "", "", figures["refunds"], "", ""])
    writer.writerow(["手续费 Stripe fees", "", "", figures["stripe_fees"], "", ""])
    writer.writerow(["物资入库 goods received", "", "", figures["goods_in"], "", ""])
    writer.writerow(["物资发放 goods given out", "", "", figures["goods_out"], "", ""])
    return "\ufeff".encode() + out.getvalue().encode("utf-8")


def report_email_send(*, report_id: int) -> int:
    """E-mail the report's PDF and CSV to every fund administrator, once."""
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report_id)
        if report.emailed_at is not None:
            return 0
        people = list(fund_administrators())
        for person in people:
            with translation.override(person.language or settings.LANGUAGE_CODE):
                message = EmailMessage(
                    subject=_("Disbursement report %(start)s – %(end)s")
                    % {"start": report.period_start, "end": report.period_end},
                    body=_("The report of the period is attached, as PDF and as CSV."),
                    to=[person.email],
                )
            message.attach(
                f"report-{report.period_start}.pdf",
                private_read(report.pdf),
                "application/pdf",
            )
            message.attach(
                f"report-{report.period_start}.csv",
                private_read(report.csv),
                "text/csv",
            )
            message.send()
        report.emailed_at = timezone.now()
        report.save(update_fields=["emailed_at"])
        return len(people)
