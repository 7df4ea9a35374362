"""The fund office's reports: the list, one made on demand for any period, the files."""

import tempfile

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_http_methods

from accounts.http import AuthedHttpRequest
from accounts.selectors import is_fund_administrator
from charity import services as charity_services
from charity.models import Fund, YearClosing
from core.files import private_response
from core.params import row_id
from reports import exports as exports_module
from reports import selectors, services
from reports.models import Report
from reports.services import statements as statement_services

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PeriodForm(forms.Form):
    start = forms.DateField(label=pgettext_lazy("first day", "From"), widget=DATE_INPUT)
    end = forms.DateField(label=gettext_lazy("Until (inclusive)"), widget=DATE_INPUT)


def _office(request: AuthedHttpRequest) -> None:
    if not is_fund_administrator(request.user):
        raise PermissionDenied


@login_required
@require_http_methods(["GET", "POST"])
def reports(request: AuthedHttpRequest) -> HttpResponse:
    _office(request)
    form = PeriodForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.report_make(
                start=form.cleaned_data["start"], end=form.cleaned_data["end"], by=request.user
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("The report is ready."))
            return redirect("reports:list")
    return render(
        request, "reports/list.html", {"form": form, "reports": Report.objects.all()[:60]}
    )


@login_required
def report_file(request: AuthedHttpRequest, report_id: int, kind: str) -> FileResponse:
    _office(request)
    report = Report.objects.filter(pk=report_id).first()
    if report is None or kind not in ("pdf", "csv"):
        raise Http404
    name = report.pdf if kind == "pdf" else report.csv
    return private_response(
        name,
        content_type="application/pdf" if kind == "pdf" else "text/csv; charset=utf-8",
        filename=f"report-{report.period_start}-{report.period_end}.{kind}",
        as_attachment=kind == "csv",
    )


class ExportForm(forms.Form):
    dataset = forms.ChoiceField(
        label=gettext_lazy("What"),
        choices=[
            ("ledger", gettext_lazy("Ledger (every leg)")),
            ("donations", gettext_lazy("Donations")),
            ("receipts", gettext_lazy("Receipts")),
            ("wishes", gettext_lazy("Wishes")),
            ("loans", gettext_lazy("Loans")),
        ],
    )
    file_format = forms.ChoiceField(
        label=gettext_lazy("Format"),
        choices=[
            ("csv", gettext_lazy("CSV (opens in Excel)")),
            ("xlsx", gettext_lazy("Excel workbook (xlsx)")),
        ],
        widget=forms.RadioSelect,
        initial="csv",
    )
    start = forms.DateField(label=pgettext_lazy("first day", "From"), widget=DATE_INPUT)
    end = forms.DateField(label=gettext_lazy("Until (inclusive)"), widget=DATE_INPUT)
    fund = forms.ModelChoiceField(
        label=gettext_lazy("Fund (ledger, donations and receipts)"),
        queryset=Fund.objects.exclude(kind=Fund.Kind.EARMARKED),
        required=False,
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("The last day cannot be before the first."))
        return data


@login_required
def exports(request: AuthedHttpRequest) -> HttpResponseBase:
    """Download a period's records: the form shows with no parameters, or with its errors."""
    _office(request)
    form = ExportForm(request.GET or None)
    if not request.GET or not form.is_valid():
        return render(request, "reports/exports.html", {"form": form})
    data = form.cleaned_data
    name = f"{data['dataset']}-{data['start']}-{data['end']}"
    if data["file_format"] == "csv":
        response = StreamingHttpResponse(
            exports_module.csv_chunks(
                key=data["dataset"], start=data["start"], end=data["end"], fund=data["fund"]
            ),
            content_type="text/csv; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response
    # a file on disk, not memory, for a long export; the response closes (and so removes) it
    handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115
    exports_module.xlsx_write(
        key=data["dataset"], start=data["start"], end=data["end"], fund=data["fund"], out=handle
    )
    handle.seek(0)
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"{name}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@login_required
@require_http_methods(["GET", "POST"])
def closing(request: AuthedHttpRequest) -> HttpResponse:
    """Closing a year on the books: one fund administrator asks, another approves."""
    _office(request)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "approve":
                found = YearClosing.objects.filter(pk=row_id(request.POST.get("closing"))).first()
                if found is None:
                    raise ValidationError(_("Choose a year asked to be closed."))
                charity_services.year_close_approve(closing=found, by=request.user)
                messages.success(request, _("%(year)s is closed.") % {"year": found.year})
            else:
                year = row_id(request.POST.get("year"))
                charity_services.year_close_request(year=year, by=request.user)
                messages.success(
                    request,
                    _("Asked to close %(year)s: another fund administrator approves.")
                    % {"year": year},
                )
        except (ValidationError, PermissionDenied) as exc:
            for message in getattr(exc, "messages", [str(exc)]):
                messages.error(request, message)
        return redirect("reports:closing")
    this_year = timezone.localdate().year
    return render(
        request,
        "reports/closing.html",
        {
            "closings": YearClosing.objects.select_related("requested_by", "approved_by"),
            "years": list(range(this_year - 1, this_year - 6, -1)),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def statements(request: AuthedHttpRequest) -> HttpResponse:
    """The year-end batch: start or resume it; its progress shows on every load."""
    _office(request)
    if request.method == "POST":
        year = row_id(request.POST.get("year"))
        try:
            if not year:
                raise ValidationError(_("Choose a year."))
            statement_services.statement_batch_start(year=year, by=request.user)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(
                request,
                _(
                    "The statements of %(year)s are being made and sent. "
                    "Refresh this page to see how far it has got."
                )
                % {"year": year},
            )
        return redirect("reports:statements")
    this_year = timezone.localdate().year
    rows = [
        {
            "batch": batch,
            "progress": selectors.batch_progress(batch),
            "failures": selectors.batch_failures(batch)[:200],
        }
        for batch in selectors.batches()[:10]
    ]
    return render(
        request,
        "reports/statements.html",
        {"rows": rows, "years": list(range(this_year - 1, this_year - 6, -1))},
    )
