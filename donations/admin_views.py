"""The fund administrators' screens in the Wagtail admin (/cms/fund/…).

Custom views over the services: every write goes through donations.services, every view
refuses anyone who is not a fund administrator (accounts.selectors.is_fund_administrator).
"""

import logging
from datetime import datetime, time
from typing import Any

import stripe
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.http import AuthedHttpRequest, fund_administrator_required
from accounts.models import Organisation, User
from accounts.services import organisation_approve, organisation_decline
from charity.models import Account, LedgerEntry
from charity.selectors import account_balances, fund_balances, stock_by_warehouse
from core.params import row_id
from donations import selectors, stripe_gateway
from donations.forms import (
    DonationSearchForm,
    GoodsDeclineForm,
    GoodsIntakeForm,
    OfflineIncomeForm,
    RefundForm,
    VoidForm,
)
from donations.models import Donation, Pledge, Refund
from donations.reconcile import stripe_reconciliation
from donations.services.donors import donor_registration_approve
from donations.services.offline import (
    donation_void,
    goods_intake_record,
    goods_pledge_decline,
    offline_income_record,
)
from donations.services.refunds import refund_request

logger = logging.getLogger(__name__)


LEDGER_PAGE_SIZE = 100
REFUNDS_PAGE_SIZE = 50
REFUNDABLE = (Donation.Status.RECEIVED, Donation.Status.PARTIALLY_REFUNDED)
HIGHLIGHTED_KINDS = (Account.Kind.STRIPE_FEES, Account.Kind.EXCHANGE)


def _service_errors(exc: ValidationError) -> list[str]:
    return [str(message) for message in exc.messages]


# --- goods intake -------------------------------------------------------------------------


def _goods_prefix(pledge: Pledge) -> str:
    return f"pledge-{pledge.pk}"


def _goods_page(
    request: AuthedHttpRequest, bound: GoodsIntakeForm | None = None, bound_pk: int | None = None
) -> HttpResponse:
    waiting = (
        Pledge.objects.filter(kind=Pledge.Kind.GOODS, status=Pledge.Status.AWAITING_GOODS)
        .select_related("donor__organisation", "donor__user", "fund")
        .order_by("created_at", "pk")
    )
    rows = []
    for pledge in waiting:
        if bound is not None and pledge.pk == bound_pk:
            form = bound
        else:
            form = GoodsIntakeForm(
                prefix=_goods_prefix(pledge),
                pledged=pledge.goods_quantity,
                initial={
                    "quantity": pledge.goods_quantity,
                    "unit_value": pledge.goods_unit_value,
                },
            )
        rows.append(
            {
                "pledge": pledge,
                "form": form,
                "decline": GoodsDeclineForm(prefix=f"decline-{pledge.pk}"),
            }
        )
    return render(
        request,
        "donations/admin/goods_intake.html",
        {"page_title": _("Goods intake"), "rows": rows},
    )


@require_GET
@fund_administrator_required
def goods_intake(request: AuthedHttpRequest) -> HttpResponse:
    return _goods_page(request)


@require_POST
@fund_administrator_required
def goods_intake_receive(request: AuthedHttpRequest, pledge_id: int) -> HttpResponse:
    pledge = get_object_or_404(Pledge, pk=pledge_id, kind=Pledge.Kind.GOODS)
    form = GoodsIntakeForm(
        request.POST, prefix=_goods_prefix(pledge), pledged=pledge.goods_quantity
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            intake = goods_intake_record(
                pledge=pledge,
                quantity=data["quantity"],
                condition=data["condition"],
                unit_value=data["unit_value"],
                warehouse=data["warehouse"],
                by=request.user,
                difference_confirmed=data.get("difference_confirmed", False),
            )
        except ValidationError as exc:
            if pledge.status != Pledge.Status.AWAITING_GOODS:
                for message in _service_errors(exc):
                    messages.error(request, message)
                return redirect("fund:goods_intake")
            for message in _service_errors(exc):
                form.add_error(None, message)
        else:
            messages.success(
                request,
                _("Received %(quantity)s × %(goods)s for pledge #%(pledge)s; receipt issued.")
                % {"quantity": intake.quantity, "goods": intake.description, "pledge": pledge.pk},
            )
            return redirect("fund:goods_intake")
    if pledge.status != Pledge.Status.AWAITING_GOODS:
        messages.error(request, _("This pledge is not waiting for goods."))
        return redirect("fund:goods_intake")
    return _goods_page(request, bound=form, bound_pk=pledge.pk)


@require_POST
@fund_administrator_required
def goods_pledge_decline_view(request: AuthedHttpRequest, pledge_id: int) -> HttpResponse:
    pledge = get_object_or_404(Pledge, pk=pledge_id, kind=Pledge.Kind.GOODS)
    form = GoodsDeclineForm(request.POST, prefix=f"decline-{pledge.pk}")
    if not form.is_valid():
        messages.error(request, _("Give a reason."))
        return redirect("fund:goods_intake")
    try:
        goods_pledge_decline(pledge=pledge, reason=form.cleaned_data["reason"], by=request.user)
    except ValidationError as exc:
        for message in _service_errors(exc):
            messages.error(request, message)
    else:
        messages.success(
            request, _("Pledge #%(id)s is declined; the donor is told.") % {"id": pledge.pk}
        )
    return redirect("fund:goods_intake")


@require_GET
@fund_administrator_required
def stock(request: AuthedHttpRequest) -> HttpResponse:
    """Goods on hand at each warehouse, oldest first, with their value on the books."""
    return render(
        request,
        "donations/admin/stock.html",
        {"page_title": _("Stock on hand"), "warehouses": stock_by_warehouse()},
    )


# --- offline income -----------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@fund_administrator_required
def offline_income(request: AuthedHttpRequest) -> HttpResponse:
    form = OfflineIncomeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        received_at = timezone.make_aware(datetime.combine(data["received_on"], time(12)))
        try:
            donation = offline_income_record(
                person=data.get("user"),
                organisation=data.get("organisation"),
                fund=data["fund"],
                amount=data["amount"],
                method=data["method"],
                reference=data["reference"],
                received_at=received_at,
                show_name=data["show_name"],
                by=request.user,
            )
        except ValidationError as exc:
            for message in _service_errors(exc):
                form.add_error(None, message)
        else:
            messages.success(
                request,
                _("Recorded %(amount)s %(currency)s from %(donor)s (donation #%(id)s).")
                % {
                    "amount": f"{donation.amount:,.2f}",
                    "currency": donation.currency,
                    "donor": donation.donor.name,
                    "id": donation.pk,
                },
            )
            return redirect("fund:offline_income")
    recent = (
        Donation.objects.filter(method__in=(Donation.Method.BANK_TRANSFER, Donation.Method.CASH))
        .select_related("donor__organisation", "donor__user", "fund")
        .prefetch_related("receipts")
        .order_by("-received_at", "-pk")[:20]
    )
    return render(
        request,
        "donations/admin/offline_income.html",
        {"page_title": _("Offline income"), "form": form, "recent": recent},
    )


# --- refunds --------------------------------------------------------------------------------


def _refund_prefix(donation: Donation) -> str:
    return f"donation-{donation.pk}"


@require_GET
@fund_administrator_required
def refunds(request: AuthedHttpRequest) -> HttpResponse:
    """Every gift, newest first, searchable and paged: a Stripe gift is refunded, a bank,
    cash or goods gift recorded in error is voided."""
    search = DonationSearchForm(request.GET or None)
    query = search.cleaned_data.get("q", "").strip() if search.is_valid() else ""
    page = Paginator(selectors.donations_search(query=query), REFUNDS_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = [
        {
            "donation": d,
            "online": bool(d.stripe_payment_intent or d.stripe_charge),
            "form": RefundForm(prefix=_refund_prefix(d))
            if d.stripe_payment_intent or d.stripe_charge
            else VoidForm(prefix=_refund_prefix(d)),
            "left": d.kept_amount,
            "actionable": d.status in REFUNDABLE,
        }
        for d in page.object_list
    ]
    past = Refund.objects.select_related("donation", "requested_by").order_by("-created_at", "-pk")[
        :50
    ]
    return render(
        request,
        "donations/admin/refunds.html",
        {
            "page_title": _("Refunds and corrections"),
            "rows": rows,
            "page": page,
            "search": search,
            "query": query,
            "past": past,
            "payments_configured": stripe_gateway.is_configured(),
        },
    )


@require_POST
@fund_administrator_required
def donation_void_view(request: AuthedHttpRequest, donation_id: int) -> HttpResponse:
    donation = get_object_or_404(Donation, pk=donation_id)
    form = VoidForm(request.POST, prefix=_refund_prefix(donation))
    if not form.is_valid():
        messages.error(request, _("Give a reason."))
        return redirect("fund:refunds")
    try:
        donation_void(donation=donation, reason=form.cleaned_data["reason"], by=request.user)
    except ValidationError as exc:
        for message in _service_errors(exc):
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("Donation #%(id)s is voided; its receipt is void and the books are corrected.")
            % {"id": donation.pk},
        )
    return redirect("fund:refunds")


@require_POST
@fund_administrator_required
def refund_create(request: AuthedHttpRequest, donation_id: int) -> HttpResponse:
    donation = get_object_or_404(Donation, pk=donation_id)
    form = RefundForm(request.POST, prefix=_refund_prefix(donation))
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for error in errors:
                messages.error(request, f"{label}: {error}" if label else str(error))
        return redirect("fund:refunds")
    try:
        refund = refund_request(
            donation=donation,
            amount=form.cleaned_data["amount"],
            reason=form.cleaned_data["reason"],
            by=request.user,
        )
    except ValidationError as exc:
        for message in _service_errors(exc):
            messages.error(request, message)
    except stripe.StripeError as exc:
        logger.warning("Stripe refused a refund of donation %s: %s", donation.pk, exc)
        messages.error(
            request,
            _("Stripe refused or did not answer: %(error)s")
            % {"error": exc.user_message or str(exc)},
        )
    except stripe_gateway.PaymentsNotConfigured:
        messages.error(request, _("Online payment is not configured on this site."))
    else:
        if refund.status == Refund.Status.SUCCEEDED:
            messages.success(
                request,
                _("Refunded %(amount)s %(currency)s of donation #%(id)s.")
                % {
                    "amount": f"{refund.amount:,.2f}",
                    "currency": donation.currency,
                    "id": donation.pk,
                },
            )
        elif refund.status == Refund.Status.FAILED:
            messages.error(
                request,
                _("Stripe could not refund donation #%(id)s: %(failure)s")
                % {"id": donation.pk, "failure": refund.failure},
            )
        else:
            messages.info(
                request,
                _("Refund of donation #%(id)s requested; waiting for Stripe to confirm.")
                % {"id": donation.pk},
            )
    return redirect("fund:refunds")


# --- books ----------------------------------------------------------------------------------


@require_GET
@fund_administrator_required
def books(request: AuthedHttpRequest) -> HttpResponse:
    accounts = list(account_balances())
    entries = (
        LedgerEntry.objects.select_related("created_by")
        .prefetch_related("legs__account__fund")
        .order_by("-posted_at", "-pk")
    )
    page = Paginator(entries, LEDGER_PAGE_SIZE).get_page(request.GET.get("page"))
    reconciliation: dict[str, Any] | None = None
    stripe_error = False
    configured = stripe_gateway.is_configured()
    if configured:
        try:
            reconciliation = stripe_reconciliation()
        except stripe.StripeError:
            logger.warning("Stripe did not answer the reconciliation", exc_info=True)
            stripe_error = True
    return render(
        request,
        "donations/admin/books.html",
        {
            "page_title": _("Books"),
            "funds": fund_balances(),
            "accounts": accounts,
            "highlighted": [a for a in accounts if a.kind in HIGHLIGHTED_KINDS],
            "highlighted_kinds": HIGHLIGHTED_KINDS,
            "page": page,
            "stripe_configured": configured,
            "reconciliation": reconciliation,
            "stripe_error": stripe_error,
        },
    )


# --- approvals (members-only) ---------------------------------------------------------------


def _pk(raw: str) -> int | None:
    return row_id(raw) or None


@require_http_methods(["GET", "POST"])
@fund_administrator_required
def approvals(request: AuthedHttpRequest) -> HttpResponse:
    """Approve member companies and individual donors (needed to give when members-only)."""
    if request.method == "POST":
        org_id, user_id = (
            _pk(request.POST.get("organisation", "")),
            _pk(request.POST.get("user", "")),
        )
        if org_id is not None and request.POST.get("decision") == "decline":
            org = get_object_or_404(Organisation, pk=org_id)
            try:
                organisation_decline(
                    organisation=org, by=request.user, reason=request.POST.get("reason", "")
                )
            except ValidationError as exc:
                for message in exc.messages:
                    messages.error(request, message)
            else:
                messages.success(request, _("%(name)s is declined.") % {"name": org.display_name})
        elif org_id is not None:
            org = get_object_or_404(Organisation, pk=org_id)
            organisation_approve(organisation=org, by=request.user)
            messages.success(request, _("%(name)s is approved.") % {"name": org.display_name})
        elif user_id is not None:
            person = get_object_or_404(User, pk=user_id)
            donor_registration_approve(user=person, by=request.user)
            messages.success(request, _("%(name)s is approved.") % {"name": person.get_full_name()})
        else:
            messages.error(request, _("Choose whom to approve."))
        return redirect("wishpool_approvals")
    context = {
        "organisations": Organisation.objects.filter(
            approved_at__isnull=True, declined_at__isnull=True
        ).order_by("created_at"),
        "people": User.objects.filter(kind=User.Kind.DONOR, is_active=True)
        .exclude(donor__approved_at__isnull=False)
        .order_by("date_joined")[:200],
    }
    return render(request, "donations/admin/approvals.html", context)
