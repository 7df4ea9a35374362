"""The fund office's reports: the list, one made on demand for any period, the files."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from accounts.http import AuthedHttpRequest
from accounts.selectors import is_fund_administrator
from core.images import private_path
from reports import services
from reports.models import Report

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PeriodForm(forms.Form):
    start = forms.DateField(label=gettext_lazy("From"), widget=DATE_INPUT)
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
    response = FileResponse(
        private_path(name).open("rb"),
        content_type="application/pdf" if kind == "pdf" else "text/csv; charset=utf-8",
        as_attachment=kind == "csv",
        filename=f"report-{report.period_start}-{report.period_end}.{kind}",
    )
    return response
