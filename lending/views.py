from typing import Any

import stripe
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts import selectors as account_selectors
from accounts.http import AuthedHttpRequest
from accounts.models import Station, Warehouse
from charity.models import StockLot
from core.files import private_delete, private_response
from core.images import photo_store
from core.params import row_id
from core.templatetags.wishpool import yuan
from donations import stripe_gateway
from lending import selectors, services
from lending.forms import (
    AssessForm,
    CheckinForm,
    DepositForm,
    FromStockForm,
    InspectForm,
    LoanRequestForm,
    ReceiveForm,
    RenewForm,
    TagForm,
    TransferForm,
    UrgencyForm,
    residents_field_queryset,
)
from lending.labels import label_sheet_pdf
from lending.models import Item, Loan, Transfer, WaitlistEntry


@login_required
@require_http_methods(["GET", "POST"])
def loan_request(request: AuthedHttpRequest) -> HttpResponse:
    """A resident asks for equipment, or a worker asks for a resident of the station."""
    user = request.user
    own = getattr(user, "resident", None)
    worker = account_selectors.is_community_worker(user)
    if own is None and not worker:
        raise PermissionDenied
    residents = residents_field_queryset(user.station) if worker and user.station else None
    initial: dict[str, object] = {"type": request.GET.get("type")}
    if own is not None:
        initial["station"] = own.station_id
    elif worker:
        initial["station"] = user.station_id
    form = LoanRequestForm(request.POST or None, residents=residents, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        resident = data.get("resident") or own
        assert resident is not None  # a worker's form has the field; a resident asks for herself
        try:
            result = services.loan_request(
                resident=resident,
                type=data["type"],
                station=data["station"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                by=user,
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            if isinstance(result, Loan):
                return render(request, "lending/loan_reserved.html", {"loan": result})
            return render(
                request,
                "lending/waitlisted.html",
                {"entry": result, "position": selectors.waitlist_position(entry=result)},
            )
    return render(request, "lending/loan_request.html", {"form": form})


@login_required
def my_loans(request: AuthedHttpRequest) -> HttpResponse:
    """A resident's own loans: dates, cost, payment, and what came back of the deposit."""
    resident = getattr(request.user, "resident", None)
    if resident is None:
        raise PermissionDenied
    result = request.GET.get("result")
    if result == "success":
        messages.success(request, _("Thank you. Your payment is being confirmed."))
    elif result == "cancelled":
        messages.info(request, _("You did not pay. You can pay online again, or at the station."))
    return render(request, "lending/my_loans.html", selectors.loans_for_resident(resident=resident))


@login_required
@require_http_methods(["POST"])
def loan_pay(request: AuthedHttpRequest, loan_id: int) -> HttpResponse:
    """The borrower pays the fee and the deposit online, through Stripe Checkout."""
    resident = getattr(request.user, "resident", None)
    loan = Loan.objects.filter(pk=loan_id, resident=resident).first() if resident else None
    if loan is None:
        raise Http404
    back = request.build_absolute_uri(reverse("lending:mine"))
    try:
        checkout = services.loan_pay_online_start(
            loan=loan,
            by=request.user,
            success_url=f"{back}?result=success",
            cancel_url=f"{back}?result=cancelled",
        )
    except stripe_gateway.PaymentsNotConfigured:
        messages.error(request, _("Online payment is not configured on this site."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except stripe.StripeError:
        messages.error(
            request, _("The payment service did not answer. Please try again in a moment.")
        )
    else:
        if checkout is not None:
            return redirect(checkout.url)
        messages.success(request, _("Your payment has arrived. Thank you!"))
    return redirect("lending:mine")


@login_required
@require_http_methods(["POST"])
def waitlist_entry(request: AuthedHttpRequest, entry_id: int) -> HttpResponse:
    """Accept or decline an offer (the resident, or a worker for them); staff set urgency."""
    entry = WaitlistEntry.objects.select_related("resident").filter(pk=entry_id).first()
    if entry is None:
        raise Http404
    own = entry.resident.user_id == request.user.pk
    back = redirect("lending:mine" if own else "lending:station")
    action = request.POST.get("action")
    try:
        if action == "accept":
            loan = services.waitlist_offer_accept(entry=entry, by=request.user)
            messages.success(
                request,
                _("It is yours from %(start)s to %(end)s. Collect it at the station.")
                % {"start": loan.starts_on, "end": loan.ends_on},
            )
        elif action == "decline":
            services.waitlist_offer_decline(entry=entry, by=request.user)
            messages.success(request, _("Declined: it goes to the next in line."))
        elif action == "urgency":
            form = UrgencyForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("Choose an urgency."))
            services.waitlist_urgency_set(
                entry=entry, urgency=form.cleaned_data["urgency"], by=request.user
            )
            messages.success(request, _("Urgency saved."))
        else:
            raise ValidationError(_("Choose what to do."))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    return back


def _staff_station(request: AuthedHttpRequest) -> Station:
    user = request.user
    if account_selectors.is_community_worker(user) and user.station is not None:
        return user.station
    if account_selectors.is_fund_administrator(user):
        station = Station.objects.filter(pk=row_id(request.GET.get("station"))).first()
        return station or Station.objects.filter(is_active=True).order_by("name").first()  # type: ignore[return-value]
    raise PermissionDenied


@login_required
@require_http_methods(["GET", "POST"])
def station_board(request: AuthedHttpRequest) -> HttpResponse:
    """The station's lending day, and a box to scan or type an item's tag."""
    station = _staff_station(request)
    form = TagForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            item = services.item_by_tag(tag=form.cleaned_data["tag"], by=request.user)
        except (ValidationError, PermissionDenied) as exc:
            form.add_error("tag", " ".join(getattr(exc, "messages", [str(exc)])))
        else:
            return redirect("lending:item", tag=item.tag)
    return render(
        request,
        "lending/station_board.html",
        {
            "station": station,
            "form": form,
            "urgency_choices": UrgencyForm.base_fields["urgency"].choices,  # type: ignore[attr-defined]
            **selectors.station_board(station=station),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def item_detail(request: AuthedHttpRequest, tag: str) -> HttpResponse:
    """What a worker does with the item in hand: hand it out, take it back, inspect it."""
    try:
        item = services.item_by_tag(tag=tag, by=request.user)
    except ValidationError as exc:
        raise Http404 from exc
    loan = item.loans.filter(status__in=Loan.HOLDING).order_by("starts_on").first()
    # the last loan back whose deposit is still held
    unsettled = (
        item.loans.filter(status=Loan.Status.RETURNED, deposit__gt=0, paid_at__isnull=False)
        .filter(deposit_settled_at__isnull=True)
        .order_by("-returned_at")
        .first()
    )
    action = request.POST.get("action") if request.method == "POST" else None
    checkin = CheckinForm(
        request.POST if action == "checkin" else None,
        request.FILES if action == "checkin" else None,
    )
    inspect = InspectForm(request.POST if action == "inspect" else None)
    renew = RenewForm(
        request.POST if action == "renew" else None,
        initial={"from_end": loan.ends_on.isoformat() if loan else None},
    )
    assess = AssessForm(request.POST if action == "assess" else None)
    deposit = (
        DepositForm(request.POST if action == "deposit" else None, deposit=unsettled.deposit)
        if unsettled
        else None
    )
    if request.method == "POST":
        try:
            if action == "pay_cash" and loan is not None:
                services.loan_pay_cash(loan=loan, by=request.user)
                messages.success(request, _("Payment recorded: the item can be handed out."))
                return redirect("lending:item", tag=item.tag)
            if action == "deposit" and unsettled and deposit is not None and deposit.is_valid():
                settled = services.loan_deposit_settle(
                    loan=unsettled,
                    by=request.user,
                    kept=deposit.cleaned_data["kept"],
                    reason=deposit.cleaned_data["reason"],
                )
                back = {"amount": yuan(settled.deposit_returned)}
                messages.success(
                    request,
                    _("%(amount)s goes back to the borrower's card or wallet.") % back
                    if settled.paid_by == Loan.Payment.ONLINE
                    else _("Give back %(amount)s in cash.") % back,
                )
                return redirect("lending:item", tag=item.tag)
            if action == "checkout" and loan is not None:
                services.loan_checkout(loan=loan, tag=item.tag, by=request.user)
                messages.success(
                    request, _("Handed out. Due back on %(day)s.") % {"day": loan.ends_on}
                )
                return redirect("lending:item", tag=item.tag)
            if action == "checkin" and loan is not None and checkin.is_valid():
                data = checkin.cleaned_data
                photos = _photos_store(data["photos"])
                try:
                    services.loan_checkin(
                        loan=loan,
                        by=request.user,
                        condition=data["condition"],
                        note=data["note"],
                        photos=photos,
                    )
                except ValidationError:
                    for name in photos:  # refused: keep nothing of it
                        private_delete(name)
                    raise
                messages.success(request, _("Taken back: it goes to inspection and cleaning."))
                return redirect("lending:item", tag=item.tag)
            if action == "assess" and loan is not None and assess.is_valid():
                done = services.loan_assess(
                    loan=loan,
                    by=request.user,
                    approved=assess.cleaned_data["result"] == "approve",
                    note=assess.cleaned_data["note"],
                )
                messages.success(
                    request,
                    _("Assessment recorded: it can be lent.")
                    if done.assessed_at
                    else _("Assessment recorded: the loan is cancelled."),
                )
                return redirect("lending:item", tag=item.tag)
            if action == "renew" and loan is not None and renew.is_valid():
                renewed = services.loan_renew(
                    loan=loan,
                    by=request.user,
                    days=renew.cleaned_data["days"],
                    from_end=renew.cleaned_data["from_end"],
                )
                messages.success(
                    request, _("Renewed: now due back on %(day)s.") % {"day": renewed.ends_on}
                )
                return redirect("lending:item", tag=item.tag)
            if action == "inspect" and inspect.is_valid():
                services.item_inspect(
                    item=item,
                    by=request.user,
                    passed=inspect.cleaned_data["result"] == "pass",
                    note=inspect.cleaned_data["note"],
                )
                messages.success(request, _("Inspection recorded."))
                return redirect("lending:item", tag=item.tag)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
    return render(
        request,
        "lending/item_detail.html",
        {
            "item": item,
            "loan": loan,
            "checkin": checkin,
            "inspect": inspect,
            "renew": renew,
            "assess": assess,
            "unsettled": unsettled,
            "deposit": deposit,
        },
    )


def _transfer_staff(request: AuthedHttpRequest) -> None:
    user = request.user
    if not (
        account_selectors.is_fund_administrator(user)
        or (account_selectors.is_community_worker(user) and user.station_id)
    ):
        raise PermissionDenied


@login_required
@require_http_methods(["GET", "POST"])
def transfers(request: AuthedHttpRequest) -> HttpResponse:
    """Transfers between warehouses, the suggested ones, and a form to ask for one."""
    _transfer_staff(request)
    initial = {
        k: request.GET[k] for k in ("source", "destination", "type", "count") if k in request.GET
    }
    form = TransferForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            order = services.transfer_request(
                source=data["source"],
                destination=data["destination"],
                type=data["type"],
                count=data["count"],
                note=data["note"],
                by=request.user,
            )
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(
                None, " ".join(getattr(exc, "messages", [str(exc)])) or _("Not allowed.")
            )
        else:
            messages.success(request, _("Transfer requested."))
            return redirect("lending:transfer", transfer_id=order.pk)
    return render(
        request,
        "lending/transfers.html",
        {
            "form": form,
            "suggestions": selectors.transfer_suggestions(),
            "transfers": Transfer.objects.select_related("source", "destination")[:50],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def transfer_detail(request: AuthedHttpRequest, transfer_id: int) -> HttpResponse:
    """One transfer: dispatch it, mark it on the way, receive it with the count check."""
    _transfer_staff(request)
    order = Transfer.objects.select_related("source", "destination").filter(pk=transfer_id).first()
    if order is None:
        raise Http404
    lines = list(order.lines.select_related("item__type").order_by("item__tag"))
    receive = ReceiveForm(
        request.POST if request.POST.get("action") == "receive" else None,
        tags=[line.item.tag for line in lines],
    )
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "dispatch":
                services.transfer_dispatch(transfer=order, by=request.user)
                messages.success(request, _("Dispatched: the items are in transit."))
            elif action == "on_the_way":
                services.transfer_on_the_way(transfer=order, by=request.user)
                messages.success(request, _("Marked as on the way."))
            elif action == "cancel":
                services.transfer_cancel(transfer=order, by=request.user)
                messages.success(request, _("Transfer cancelled."))
            elif action == "receive" and receive.is_valid():
                done = services.transfer_receive(
                    transfer=order,
                    by=request.user,
                    arrived_tags=set(receive.cleaned_data["arrived"]),
                )
                if done.missing:
                    messages.warning(
                        request,
                        _("Received with %(n)s missing: they are flagged below.")
                        % {"n": done.missing},
                    )
                else:
                    messages.success(request, _("Received: everything arrived."))
            else:
                raise ValidationError(_("Choose what to do."))
        except (ValidationError, PermissionDenied) as exc:
            for message in getattr(
                exc, "messages", [_("Only the staff of this warehouse can do this.")]
            ):
                messages.error(request, message)
        return redirect("lending:transfer", transfer_id=order.pk)
    return render(
        request,
        "lending/transfer_detail.html",
        {"transfer": order, "lines": lines, "receive": receive},
    )


@login_required
def lent_items(request: AuthedHttpRequest) -> HttpResponse:
    """A lender's own items and when each was lent out: never to whom."""
    return render(
        request, "lending/lent_items.html", {"items": selectors.items_lent_by(user=request.user)}
    )


@login_required
def label_sheet(request: AuthedHttpRequest) -> HttpResponse:
    """QR labels for a warehouse's items (a worker: their station's; the fund office: any),
    optionally one type, as an A4 PDF to print on label paper."""
    _transfer_staff(request)
    user = request.user
    warehouse = Warehouse.objects.filter(pk=row_id(request.GET.get("warehouse"))).first()
    if not account_selectors.is_fund_administrator(user):
        warehouse = getattr(user.station, "warehouse", None)
    if warehouse is None:
        raise Http404
    items = (
        Item.objects.filter(warehouse=warehouse)
        .exclude(state__in=(Item.State.RETIRED, Item.State.WITH_OWNER))
        .select_related("type")
        .order_by("type__sort_order", "tag")
    )
    if row_id(request.GET.get("type")):
        items = items.filter(type_id=row_id(request.GET.get("type")))
    response = HttpResponse(label_sheet_pdf(list(items)), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="labels-{warehouse.pk}.pdf"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def from_stock(request: AuthedHttpRequest) -> HttpResponse:
    """Donated equipment in stock becomes tagged items (a worker: at their station's
    warehouse; the fund office: anywhere)."""
    _transfer_staff(request)
    lots = StockLot.objects.filter(quantity_on_hand__gt=0).select_related("warehouse")
    if not account_selectors.is_fund_administrator(request.user):
        lots = lots.filter(warehouse__station=request.user.station)
    form = FromStockForm(request.POST or None, lots=lots)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            made = services.items_from_stock_lot(
                lot=data["lot"], type=data["type"], tags=data["tags"], by=request.user
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("%(n)s items are ready to lend.") % {"n": len(made)})
            return redirect("lending:station")
    return render(request, "lending/from_stock.html", {"form": form})


@login_required
def figures(request: AuthedHttpRequest) -> HttpResponse:
    """Utilisation, waiting and loans by eligibility: a worker sees their station, the fund
    office any station or all of them. Counts only."""
    _transfer_staff(request)
    user = request.user
    if account_selectors.is_fund_administrator(user):
        station = Station.objects.filter(pk=row_id(request.GET.get("station"))).first()
    else:
        station = user.station
    return render(
        request,
        "lending/figures.html",
        {
            "station": station,
            "stations": Station.objects.filter(is_active=True).order_by("name")
            if account_selectors.is_fund_administrator(user)
            else None,
            **selectors.lending_figures(station=station),
        },
    )


def _photos_store(files: list[Any]) -> list[str]:
    """Store each photo (checked and re-encoded by core.images); a bad one keeps none."""
    names: list[str] = []
    try:
        for upload in files:
            names.append(photo_store(upload=upload, folder="returns"))
    except ValidationError:
        for name in names:
            private_delete(name)
        raise
    return names


@login_required
def return_photo(request: AuthedHttpRequest, loan_id: int, n: int) -> FileResponse:
    """A photo taken when the item came back: for the station's staff and the borrower."""
    loan = Loan.objects.select_related("item__warehouse", "resident").filter(pk=loan_id).first()
    if loan is None or not 0 <= n < len(loan.return_photos):
        raise Http404
    if loan.resident.user_id != request.user.pk:
        try:
            services.station_staff_check(by=request.user, item=loan.item)
        except PermissionDenied as exc:
            raise Http404 from exc
    return private_response(loan.return_photos[n], content_type="image/jpeg")
