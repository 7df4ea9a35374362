"""The "compute the figures" screen of an annual report in the Wagtail admin: what the books
say now and what that would change; saving freezes them into a draft revision."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.models import User
from portal import services
from portal.annual import report_context
from portal.models import AnnualReportPage


@require_http_methods(["GET", "POST"])
def annual_compute(request: HttpRequest, page_id: int) -> HttpResponse:
    page = get_object_or_404(AnnualReportPage, pk=page_id)
    user = request.user
    if not isinstance(user, User) or not page.permissions_for_user(user).can_edit():
        raise PermissionDenied
    if request.method == "POST":
        _revision, changes = services.annual_report_compute(page_id=page.pk, user=user)
        messages.success(
            request,
            _(
                "The figures are saved in a draft (%(n)s lines changed). "
                "Publish the page to show them."
            )
            % {"n": len(changes)},
        )
        return redirect("wagtailadmin_pages:edit", page.pk)
    figures, changes = services.annual_report_preview(page=page)
    preview = AnnualReportPage(title=page.title, year=page.year, figures=figures)
    return render(
        request,
        "portal/admin/annual_compute.html",
        {
            "page_title": _("Compute the figures: %(title)s") % {"title": page.title},
            "page": page,
            "changes": changes,
            "first_time": not page.get_latest_revision_as_object().figures,
            **report_context(preview),
        },
    )
