from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from core.files import private_exists, private_response
from portal import selectors


def transparency(request: HttpRequest) -> HttpResponse:
    """资金公示: every figure computed from the ledger."""
    context = {**selectors.transparency(), "annual_reports": selectors.annual_reports()}
    return render(request, "portal/transparency.html", context)


def annual_report_pdf(request: HttpRequest, page_id: int) -> FileResponse:
    """The PDF of a published annual report's live revision (public, like the page)."""
    made = selectors.annual_report_pdf(page_id=page_id)
    if made is None or not private_exists(made.file):
        raise Http404
    page = made.page
    return private_response(
        made.file, content_type="application/pdf", filename=f"annual-report-{page.year}.pdf"
    )


@login_required
def matching(request: HttpRequest) -> HttpResponse:
    """精准对接: where the stock and the equipment could go, on one staff page."""
    from accounts.selectors import is_pool_staff
    from lending.selectors import transfer_suggestions
    from wishes.selectors import stock_matches

    user = request.user
    if not is_pool_staff(user):  # type: ignore[arg-type]
        raise PermissionDenied
    pairs, idle = stock_matches(user=user)  # type: ignore[arg-type]
    return render(
        request,
        "portal/matching.html",
        {"pairs": pairs, "idle_lots": idle, "transfers": transfer_suggestions()},
    )
